package io.github.ddbstreams.flink.source.enumerator.lineage;

import org.apache.flink.annotation.Internal;

/**
 * What DynamoDB Streams shard ids tell: {@code shardId-00000001700000000000-1a2b3c4d}, the number
 * being the shard's creation time in epoch millis.
 */
@Internal
public final class ShardIds {

    /** The prefix every DynamoDB Streams shard id starts with. */
    public static final String PREFIX = "shardId-";

    private ShardIds() {}

    /** The creation time encoded in a shard id, or -1 if the id does not have the usual form. */
    public static long creationTimeFromShardId(String shardId) {
        if (!shardId.startsWith(PREFIX)) {
            return -1;
        }
        int start = PREFIX.length();
        int end = shardId.indexOf('-', start);
        if (end < 0) {
            end = shardId.length();
        }
        if (end == start || end - start > 20) {
            return -1;
        }
        long millis = 0;
        for (int i = start; i < end; i++) {
            char c = shardId.charAt(i);
            // The ids pad to 20 digits; guard the long against a value that does not fit.
            if (c < '0' || c > '9' || millis > (Long.MAX_VALUE - 9) / 10) {
                return -1;
            }
            millis = millis * 10 + (c - '0');
        }
        return millis;
    }
}
