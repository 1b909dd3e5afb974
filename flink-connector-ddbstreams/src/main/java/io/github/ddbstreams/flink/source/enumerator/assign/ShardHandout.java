package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the ready shards of every stream out to readers (asking the {@link ShardAssigner} which
 * subtask takes each), holds them at start until the readers registered, holds back those whose
 * lineage belongs to a failed subtask that will come back, and ends the readers once nothing is
 * left to read. The stream-shard kind's part of the {@link SplitPlanner}.
 *
 * <p>These pieces of state (start hold, awaited subtasks, all read, no-more-splits sent) change
 * together on a failover and are only read when assigning. Coordinator thread only.
 */
final class ShardHandout {
    private static final Logger LOG = LoggerFactory.getLogger(ShardHandout.class);

    private final ShardAssigner assigner;
    private final EnumeratorSettings settings;

    /** The planner's streams, by ARN, in its order; shared, not copied. */
    private final Map<String, TrackedStream> streams;

    /**
     * Every shard to read is finished (bounded mode, or disabled streams with FINISH); a partial
     * failover may undo it.
     */
    private boolean allRead;

    /** Subtasks told that no more splits come; Flink forgets it when a subtask restarts. */
    private final Set<Integer> noMoreSplitsSent = new HashSet<>();

    /**
     * Failed subtasks that will register again with their restored splits. Shards whose lineage is
     * theirs wait for them rather than move to another subtask.
     */
    private final Set<Integer> awaitedSubtasks = new HashSet<>();

    /**
     * Shards wait at start until every subtask's reader registered (or {@link #endStartHold} ran
     * after a grace period): readers register one by one, and the first one would otherwise take
     * every root shard, and through lineage affinity every child after it.
     */
    private boolean startHold = true;

    /** Streams whose shards wait: an older stream of their table is not read to its end. */
    private final Predicate<TrackedStream> heldBack;

    ShardHandout(
            ShardAssigner assigner,
            EnumeratorSettings settings,
            Map<String, TrackedStream> streams,
            Predicate<TrackedStream> heldBack) {
        this.heldBack = heldBack;
        this.assigner = assigner;
        this.settings = settings;
        this.streams = streams;
    }

    /** A subtask (re)registered: shards held back for it may go to it now. */
    void readerAdded(int subtaskId) {
        awaitedSubtasks.remove(subtaskId);
    }

    /** A shard to read became unread again (a failover took back its finish or its split). */
    void shardReopened() {
        allRead = false;
    }

    /**
     * Subtask {@code subtaskId} failed and restarts from its last completed checkpoint.
     *
     * @param registeredAgain whether its reader is registered already
     */
    void subtaskFailed(int subtaskId, boolean registeredAgain) {
        noMoreSplitsSent.remove(subtaskId);
        if (!registeredAgain) {
            // Its lineages stay with it: reassigned when it registers again (readerAdded).
            awaitedSubtasks.add(subtaskId);
        }
    }

    /**
     * The grace period for readers to register at start is over: shards go to those registered.
     *
     * @return whether shards were still held (so an assignment round is due)
     */
    boolean endStartHold(SplitPlanner.Readers readers) {
        if (!startHold) {
            return false;
        }
        startHold = false;
        LOG.info(
                "{} of {} readers registered within the start grace period; assigning shards to"
                        + " them",
                readers.registered().size(),
                readers.parallelism());
        return true;
    }

    /**
     * Whether splits still wait at start for readers to register; ends the hold once every
     * subtask's reader did.
     */
    boolean holdsAtStart(SplitPlanner.Readers readers) {
        if (startHold && readers.registered().size() >= readers.parallelism()) {
            startHold = false;
        }
        return startHold;
    }

    /**
     * Assigns every ready shard in scope, stream by stream, unless no reader is registered or
     * readers are still registering at start.
     */
    void assignReadyShards(SplitPlanner.Readers readers, Decisions decisions) {
        if (holdsAtStart(readers)) {
            return;
        }
        ShardAssigner.AssignmentContext assignmentContext =
                new ShardAssigner.AssignmentContext() {
                    @Override
                    public Collection<Integer> registeredSubtasks() {
                        return readers.registered();
                    }

                    @Override
                    public int assignedShardCount(int subtask) {
                        int count = 0;
                        for (TrackedStream stream : streams.values()) {
                            count += stream.graph.assignedCount(subtask);
                        }
                        return count;
                    }
                };
        assign:
        for (TrackedStream stream : streams.values()) {
            if (heldBack.test(stream)) {
                continue;
            }
            for (String shardId : stream.readyShards()) {
                if (stream.isOutOfBoundedScope(shardId)) {
                    continue;
                }
                int preferred = stream.graph.preferredSubtask(shardId);
                if (awaitedSubtasks.contains(preferred)) {
                    continue;
                }
                int subtask = assigner.selectSubtask(shardId, preferred, assignmentContext);
                if (subtask < 0) {
                    break assign; // no reader registered yet
                }
                decisions.assign(subtask, stream.assign(shardId, subtask));
            }
        }
    }

    /**
     * Ends the readers when nothing is left to read in any stream: in bounded mode once every shard
     * created before the job start is finished, and for disabled streams (if so configured) once
     * every shard is finished, since a disabled stream gets no new shards.
     */
    void signalNoMoreSplitsIfAllRead(SplitPlanner.Readers readers, Decisions decisions) {
        if (!allRead) {
            for (TrackedStream stream : streams.values()) {
                if (!stream.allRead(settings.finishWhenDisabled())) {
                    return;
                }
            }
            allRead = true;
            LOG.info(
                    "Every shard to read is finished in {} stream(s) ({}); ending the readers",
                    streams.size(),
                    settings.bounded() ? "bounded read" : "streams disabled");
        }
        for (int subtask : readers.registered()) {
            if (noMoreSplitsSent.add(subtask)) {
                decisions.signalNoMoreSplits(subtask);
            }
        }
    }
}
