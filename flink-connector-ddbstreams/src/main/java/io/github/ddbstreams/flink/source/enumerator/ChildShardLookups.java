package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

/**
 * Looks up a finished shard's children as soon as a reader reports the shard's end, so the
 * discovery interval is not the floor of the rollover gap, and looks again soon (see {@link
 * ChildLookupRetries}) while the listing does not show them yet.
 *
 * <p>Threads: methods run on the coordinator thread; only the lookups run on the worker thread.
 */
final class ChildShardLookups {

    /** How often repeated lookups are checked for, once one was needed. */
    static final long TICK_MILLIS = 250;

    /** Receives what a lookup listed, as the enumerator's periodic listings do. */
    interface ListingHandler {
        void onListing(
                StreamShards stream,
                @Nullable ShardDiscovery.Listing listing,
                @Nullable Throwable error);
    }

    private final SplitEnumeratorContext<ShardSplit> context;
    private final Map<String, StreamShards> streams;
    private final ListingHandler handler;
    private final DescribeStreamPacer.Clock clock;
    private final ChildLookupRetries retries;
    private boolean tickStarted;

    ChildShardLookups(
            SplitEnumeratorContext<ShardSplit> context,
            Map<String, StreamShards> streams,
            ListingHandler handler,
            DescribeStreamPacer.Clock clock,
            long discoveryIntervalMillis) {
        this.context = context;
        this.streams = streams;
        this.handler = handler;
        this.clock = clock;
        this.retries = new ChildLookupRetries(discoveryIntervalMillis);
    }

    /** Asks for the children of {@code parentShardId}, which a reader just finished. */
    void lookUp(StreamShards stream, String parentShardId) {
        String cursor = stream.graph.listingCursor(StreamShards.LISTING_OVERLAP_MILLIS);
        ShardDiscovery discovery = stream.discovery;
        context.callAsync(
                () -> discovery.childrenOf(parentShardId, cursor),
                (listing, error) -> {
                    handler.onListing(stream, listing, error);
                    afterLookup(stream, parentShardId);
                });
    }

    private void afterLookup(StreamShards stream, String parentShardId) {
        String splitId = ShardSplit.idOf(stream.streamArn, parentShardId);
        // A disabled stream's shards mostly close without children, and repeating the lookup of
        // each would cost a call per shard; the listing that confirms the stream's end finds a
        // child listed late (DisabledStreamEnd).
        if (stream.isRetired()
                || stream.isDisabled()
                || !stream.graph.contains(parentShardId)
                || !stream.graph.children(parentShardId).isEmpty()) {
            retries.childrenFound(splitId);
            return;
        }
        if (retries.lookupFoundNothing(splitId, stream.streamArn, parentShardId, nowMillis())
                && !tickStarted) {
            tickStarted = true;
            // Periodic because the context has no one-shot delayed call; idle while none waits.
            context.callAsync(
                    () -> null, (ignored, error) -> repeatDue(), TICK_MILLIS, TICK_MILLIS);
        }
    }

    private void repeatDue() {
        for (ChildLookupRetries.Due due : retries.takeDue(nowMillis())) {
            StreamShards stream = streams.get(due.streamArn);
            if (stream == null) {
                retries.childrenFound(ShardSplit.idOf(due.streamArn, due.shardId));
            } else {
                lookUp(stream, due.shardId);
            }
        }
    }

    private long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(clock.nanoTime());
    }
}
