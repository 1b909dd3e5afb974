package io.github.ddbstreams.flink.source.reader;

import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * What a split reader hands to the emitter for one split.
 *
 * <p>For a shard: a record to emit, or a fresher {@code LATEST} iterator for a shard that has not
 * emitted any record yet. The iterator travels the same path as records so that the checkpointed
 * split state always holds an unexpired iterator, and a restore within 15 minutes resumes at
 * exactly the job's start point.
 *
 * <p>For a Scan segment: a snapshot row (or none, for a page without rows) and the segment's
 * progress once it is emitted: the key to go on after, or none when the segment ends there.
 */
@Internal
public final class ShardElement {
    @Nullable private final Record record;
    @Nullable private final String refreshedLatestIterator;
    private final boolean segmentProgress;
    @Nullable private final Map<String, AttributeValue> segmentKeyAfter;

    private ShardElement(
            @Nullable Record record,
            @Nullable String refreshedLatestIterator,
            boolean segmentProgress,
            @Nullable Map<String, AttributeValue> segmentKeyAfter) {
        this.record = record;
        this.refreshedLatestIterator = refreshedLatestIterator;
        this.segmentProgress = segmentProgress;
        this.segmentKeyAfter = segmentKeyAfter;
    }

    public static ShardElement record(Record record) {
        return new ShardElement(record, null, false, null);
    }

    public static ShardElement latestIterator(String iterator) {
        return new ShardElement(null, iterator, false, null);
    }

    /**
     * A snapshot row of a Scan segment (null: none, a page without rows), after which the segment
     * goes on after {@code keyAfter} (null: the segment ends).
     */
    public static ShardElement snapshotRow(
            @Nullable Record row, @Nullable Map<String, AttributeValue> keyAfter) {
        return new ShardElement(row, null, true, keyAfter);
    }

    @Nullable
    public Record record() {
        return record;
    }

    @Nullable
    public String refreshedLatestIterator() {
        return refreshedLatestIterator;
    }

    /** Whether the element belongs to a Scan segment. */
    public boolean isSegmentProgress() {
        return segmentProgress;
    }

    /** For a Scan segment: the key to go on after once this element is emitted; null: the end. */
    @Nullable
    public Map<String, AttributeValue> segmentKeyAfter() {
        return segmentKeyAfter;
    }
}
