package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.split.ShardPosition;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The result of a stream's first listing in a job, with LATEST resolved.
 *
 * @param latestPositions LATEST iterators of the shards open at the start, by shard id
 * @param latestCutoffMillis for a LATEST start that took no iterators because the job started
 *     earlier: records created before this are skipped. Else {@link #NO_CUTOFF}.
 */
@Internal
public record InitialListing(
        ShardListing listing, Map<String, ShardPosition> latestPositions, long latestCutoffMillis) {

    /** {@link #latestCutoffMillis} when LATEST was not resolved by creation time. */
    public static final long NO_CUTOFF = Long.MIN_VALUE;

    public InitialListing(ShardListing listing, Map<String, ShardPosition> latestPositions) {
        this(listing, latestPositions, NO_CUTOFF);
    }
}
