package io.github.ddbstreams.flink.source.enumerator.assign;

import org.apache.flink.annotation.Internal;

/**
 * The default {@link ShardAssigner}: a shard goes to its preferred subtask (the one that read its
 * parent) when that reader is registered, so the records of one item stay on one subtask and keep
 * their order through a downstream {@code keyBy}; otherwise to the registered subtask holding the
 * fewest shards, the lowest id on a tie.
 *
 * <p>Affinity wins over balance: after scaling up, new subtasks only get shards whose lineage has
 * no registered preferred subtask.
 */
@Internal
public final class LineageAffinityAssigner implements ShardAssigner {

    private static final long serialVersionUID = 1L;

    @Override
    public int selectSubtask(String shardId, int preferredSubtask, AssignmentContext context) {
        int best = -1;
        int bestCount = Integer.MAX_VALUE;
        for (int subtask : context.registeredSubtasks()) {
            if (subtask == preferredSubtask) {
                return subtask;
            }
            int count = context.assignedShardCount(subtask);
            if (count < bestCount || (count == bestCount && subtask < best)) {
                best = subtask;
                bestCount = count;
            }
        }
        return best;
    }
}
