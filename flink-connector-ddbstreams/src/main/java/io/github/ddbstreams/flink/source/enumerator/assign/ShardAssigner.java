package io.github.ddbstreams.flink.source.enumerator.assign;

import java.io.Serializable;
import java.util.Collection;
import org.apache.flink.annotation.Internal;

/**
 * Chooses the reader subtask for a shard that has become ready. Called on the enumerator's
 * coordinator thread, once per shard; the enumerator records each choice before asking for the
 * next, so {@link AssignmentContext#assignedShardCount} includes earlier choices of the same round.
 */
@Internal
public interface ShardAssigner extends Serializable {

    /**
     * @param preferredSubtask the subtask that read the shard's parent or held the shard before a
     *     failover, or -1 for none
     * @return a registered subtask, or -1 if no reader is registered (the shard then waits)
     */
    int selectSubtask(String shardId, int preferredSubtask, AssignmentContext context);

    /** What an assigner may look at. */
    interface AssignmentContext {
        /** The subtasks whose reader is registered now. */
        Collection<Integer> registeredSubtasks();

        /** How many shards {@code subtask} holds now. */
        int assignedShardCount(int subtask);
    }
}
