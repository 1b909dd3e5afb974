package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.Collection;
import javax.annotation.Nullable;

/**
 * Where the next incremental listing of a {@link ShardGraph}'s stream starts: tracks the highest
 * listed shard id and picks a cursor a little before it. See {@link ShardGraph#listingCursor}.
 */
final class ListingCursor {

    @Nullable private String maxShardId;

    /** A listing (or a restore) reported the shard. */
    void observe(String shardId) {
        if (maxShardId == null || shardId.compareTo(maxShardId) > 0) {
            maxShardId = shardId;
        }
    }

    @Nullable
    String maxShardId() {
        return maxShardId;
    }

    /** See {@link ShardGraph#listingCursor}. */
    @Nullable
    String cursor(Collection<MutableShardNode> nodes, long overlapMillis) {
        long newest = ShardIds.creationTimeFromShardId(maxShardId == null ? "" : maxShardId);
        if (newest < 0) {
            return null;
        }
        String cursor = null;
        for (MutableShardNode n : nodes) {
            if (n.creationTimeMillis >= 0
                    && n.creationTimeMillis <= newest - overlapMillis
                    && (cursor == null || n.shardId.compareTo(cursor) > 0)) {
                cursor = n.shardId;
            }
        }
        return cursor;
    }
}
