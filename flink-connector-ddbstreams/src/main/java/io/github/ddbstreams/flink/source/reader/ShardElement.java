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
 * exactly the job's start point. Or, for a caught-up shard whose {@code GetRecords} returned
 * nothing, the watermark it may advance to ({@link #caughtUp}); it travels behind the shard's
 * records, so it never overtakes one still waiting in Flink's queue.
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

    /** For a caught-up tick, the watermark (epoch millis); Long.MIN_VALUE otherwise. */
    private final long caughtUpWatermark;

    private ShardElement(
            @Nullable Record record,
            @Nullable String refreshedLatestIterator,
            boolean segmentProgress,
            @Nullable Map<String, AttributeValue> segmentKeyAfter,
            long caughtUpWatermark) {
        this.record = record;
        this.refreshedLatestIterator = refreshedLatestIterator;
        this.segmentProgress = segmentProgress;
        this.segmentKeyAfter = segmentKeyAfter;
        this.caughtUpWatermark = caughtUpWatermark;
    }

    public static ShardElement record(Record record) {
        return new ShardElement(record, null, false, null, Long.MIN_VALUE);
    }

    public static ShardElement latestIterator(String iterator) {
        return new ShardElement(null, iterator, false, null, Long.MIN_VALUE);
    }

    /** A caught-up shard's event time moved on: it may emit {@code watermarkMillis}. */
    public static ShardElement caughtUp(long watermarkMillis) {
        return new ShardElement(null, null, false, null, watermarkMillis);
    }

    /**
     * A snapshot row of a Scan segment (null: none, a page without rows), after which the segment
     * goes on after {@code keyAfter} (null: the segment ends).
     */
    public static ShardElement snapshotRow(
            @Nullable Record row, @Nullable Map<String, AttributeValue> keyAfter) {
        return new ShardElement(row, null, true, keyAfter, Long.MIN_VALUE);
    }

    @Nullable
    public Record record() {
        return record;
    }

    @Nullable
    public String refreshedLatestIterator() {
        return refreshedLatestIterator;
    }

    /** Whether the element is a caught-up shard's watermark ({@link #caughtUpWatermark()}). */
    public boolean isCaughtUp() {
        return caughtUpWatermark != Long.MIN_VALUE;
    }

    /** For a caught-up tick: the watermark the shard may advance to, epoch millis. */
    public long caughtUpWatermark() {
        return caughtUpWatermark;
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
