package io.github.ddbstreams.flink.source.reader;

import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * The GetShardIterator call a shard's cursor needs when it has no iterator: after the last record
 * handed on, or from the oldest record (a TRIM_HORIZON or AT_TIMESTAMP start, the LATEST fallback,
 * a restart after trimmed data).
 *
 * @param type {@code AFTER_SEQUENCE_NUMBER} or {@code TRIM_HORIZON}
 * @param sequenceNumber the sequence number for {@code AFTER_SEQUENCE_NUMBER}, else null
 */
record ShardStartingPoint(ShardIteratorType type, @Nullable String sequenceNumber) {

    static ShardStartingPoint after(String sequenceNumber) {
        return new ShardStartingPoint(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber);
    }

    static ShardStartingPoint trimHorizon() {
        return new ShardStartingPoint(ShardIteratorType.TRIM_HORIZON, null);
    }
}
