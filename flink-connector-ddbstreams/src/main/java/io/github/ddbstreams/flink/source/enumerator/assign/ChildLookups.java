package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.Map;

/**
 * Decides the lookups of a finished shard's children: at once when a reader reports the shard's
 * end, so the discovery interval is not the floor of the rollover gap, and again soon (timed by
 * {@link ChildLookupRetries}) while the listing does not show them yet. Part of the {@link
 * SplitPlanner}; the enumerator makes the lookups and reports their answers.
 *
 * <p>Coordinator thread only.
 */
final class ChildLookups {

    private final ChildLookupRetries retries;
    private boolean tickStarted;

    /**
     * @param discoveryIntervalMillis repeats end within it: the periodic listing finds late
     *     children from then on
     */
    ChildLookups(long discoveryIntervalMillis) {
        this.retries = new ChildLookupRetries(discoveryIntervalMillis);
    }

    /** Asks for the children of {@code parentShardId}, which a reader just finished. */
    void lookUp(TrackedStream stream, String parentShardId, Decisions decisions) {
        decisions.lookUpChildren(
                new Decisions.ChildLookup(stream.streamArn, parentShardId, stream.listingCursor()));
    }

    /**
     * A lookup answered, and its listing (if any) is applied: schedules a repeat if the children
     * are still unknown.
     *
     * @param stream the stream, null if no longer read
     */
    void lookupDone(
            String streamArn,
            TrackedStream stream,
            String parentShardId,
            long nowMillis,
            Decisions decisions) {
        String splitId = ShardSplit.idOf(streamArn, parentShardId);
        // A disabled stream's shards mostly close without children, and repeating the lookup of
        // each would cost a call per shard; the listing that confirms the stream's end finds a
        // child listed late (DisabledStreamEnd).
        if (stream == null
                || stream.isRetired()
                || stream.isDisabled()
                || !stream.graph.contains(parentShardId)
                || !stream.graph.children(parentShardId).isEmpty()) {
            retries.childrenFound(splitId);
        } else if (retries.lookupFoundNothing(splitId, streamArn, parentShardId, nowMillis)
                && !tickStarted) {
            tickStarted = true;
            decisions.startChildLookupTickNow();
        }
    }

    /** The periodic tick: the repeats due at {@code nowMillis}. */
    void tick(Map<String, TrackedStream> streams, long nowMillis, Decisions decisions) {
        for (ChildLookupRetries.Due due : retries.takeDue(nowMillis)) {
            TrackedStream stream = streams.get(due.streamArn);
            if (stream == null) {
                retries.childrenFound(ShardSplit.idOf(due.streamArn, due.shardId));
            } else {
                lookUp(stream, due.shardId, decisions);
            }
        }
    }
}
