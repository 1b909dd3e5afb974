package io.github.ddbstreams.flink.source.reader;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * What the split reader hands to the emitter for one shard: a record to emit, or a fresher {@code
 * LATEST} iterator for a shard that has not emitted any record yet. The iterator travels the same
 * path as records so that the checkpointed split state always holds an unexpired iterator, and a
 * restore within 15 minutes resumes at exactly the job's start point.
 */
@Internal
public final class ShardElement {
    @Nullable private final Record record;
    @Nullable private final String refreshedLatestIterator;

    private ShardElement(@Nullable Record record, @Nullable String refreshedLatestIterator) {
        this.record = record;
        this.refreshedLatestIterator = refreshedLatestIterator;
    }

    public static ShardElement record(Record record) {
        return new ShardElement(record, null);
    }

    public static ShardElement latestIterator(String iterator) {
        return new ShardElement(null, iterator);
    }

    @Nullable
    public Record record() {
        return record;
    }

    @Nullable
    public String refreshedLatestIterator() {
        return refreshedLatestIterator;
    }
}
