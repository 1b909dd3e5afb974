package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.math.BigInteger;
import java.time.Instant;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The split reader's view of one shard: the current iterator, where to get a new one from, when to
 * poll next, and the creation-time filter of LATEST fallbacks and AT_TIMESTAMP starts. Used by the
 * fetcher thread only.
 */
final class ShardCursor {

    /**
     * DynamoDB Local truncates ApproximateCreationDateTime to the minute (AWS to the second). When
     * an expired LATEST iterator forces a re-read from TRIM_HORIZON, records from up to this long
     * before the job start are kept rather than risk dropping one written after it.
     */
    static final long LATEST_FALLBACK_MARGIN_MILLIS = 60_000;

    final ShardSplit split;
    @Nullable String iterator;

    /** Sequence number of the last record handed to the emitter, or null if none yet. */
    @Nullable String lastSequenceNumber;

    /** Records created before this instant (epoch millis) are skipped; Long.MIN_VALUE: none. */
    long skipCreatedBeforeMillis = Long.MIN_VALUE;

    long nextPollAtNanos;

    /**
     * An iterator lives 15 minutes; handing the checkpointed state a fresher one every few minutes
     * keeps a restore exact without one position marker per idle poll (each would count as a record
     * in Flink's numRecordsIn).
     */
    static final long ITERATOR_REFRESH_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

    private long lastIteratorRefreshNanos;
    private boolean iteratorRefreshed;

    /**
     * How far this shard's reading lags: now minus the creation time of the last record fetched, 0
     * once a GetRecords call returned nothing (caught up). DynamoDB Streams reports no
     * MillisBehindLatest, so this is the best estimate; read by the metrics thread.
     */
    volatile long millisBehindLatest;

    /**
     * Set while a shard end that one GetRecords call reported waits for a later call to confirm it:
     * the sequence number handed on when the end was seen (records up to it come again), or "" if
     * none was.
     */
    @Nullable private String confirmingEndAfter;

    int consecutiveFailures;
    long failingSinceNanos;
    int consecutiveEmptyPolls;

    ShardCursor(ShardSplit split) {
        this.split = split;
        ShardPosition position = split.getPosition();
        switch (position.getKind()) {
            case LATEST_ITERATOR:
                iterator = position.getValue();
                break;
            case AT_TIMESTAMP:
                // ApproximateCreationDateTime has whole seconds: compare at that precision.
                skipCreatedBeforeMillis = position.getTimestampMillis() / 1000 * 1000;
                break;
            case AFTER_SEQUENCE_NUMBER:
                lastSequenceNumber = position.getValue();
                break;
            default:
                break;
        }
    }

    void updateLag(java.util.List<Record> records, long nowMillis) {
        if (records.isEmpty()) {
            millisBehindLatest = 0;
            return;
        }
        Instant created = records.get(records.size() - 1).dynamodb().approximateCreationDateTime();
        if (created != null) {
            millisBehindLatest = Math.max(0, nowMillis - created.toEpochMilli());
        }
    }

    /** True (and resets the timer) when the state should get a fresher LATEST iterator. */
    boolean iteratorRefreshDue(long nowNanos) {
        if (iteratorRefreshed && nowNanos - lastIteratorRefreshNanos < ITERATOR_REFRESH_NANOS) {
            return false;
        }
        iteratorRefreshed = true;
        lastIteratorRefreshNanos = nowNanos;
        return true;
    }

    String shardId() {
        return split.getShardId();
    }

    String splitId() {
        return split.splitId();
    }

    /** True while the shard has emitted nothing and still reads from a LATEST iterator. */
    boolean isUnpositionedLatest() {
        return lastSequenceNumber == null
                && split.getPosition().getKind() == ShardPosition.Kind.LATEST_ITERATOR
                && skipCreatedBeforeMillis == Long.MIN_VALUE;
    }

    /** Called when an iterator expired or was never obtained: where a fresh one must start. */
    void onIteratorLost() {
        iterator = null;
        if (lastSequenceNumber == null
                && !restartAtTrimHorizon
                && split.getPosition().getKind() == ShardPosition.Kind.LATEST_ITERATOR) {
            // The job-start point is gone with its iterator: re-read from the oldest record and
            // drop what was created before the start, so nothing written after it is lost.
            skipCreatedBeforeMillis =
                    split.getPosition().getTimestampMillis() - LATEST_FALLBACK_MARGIN_MILLIS;
        }
    }

    /**
     * A call with {@code usedIterator} returned no next iterator: poll once more with the same
     * iterator before believing the end (see {@code ShardSplitReader#poll}).
     */
    void confirmShardEndWith(String usedIterator) {
        iterator = usedIterator;
        confirmingEndAfter = lastSequenceNumber == null ? "" : lastSequenceNumber;
    }

    boolean isConfirmingShardEnd() {
        return confirmingEndAfter != null;
    }

    void shardEndConfirmed() {
        confirmingEndAfter = null;
    }

    /** True for a record that a confirming poll reads again: it was handed on already. */
    boolean handedOnBefore(Record record) {
        if (confirmingEndAfter == null || confirmingEndAfter.isEmpty()) {
            return false;
        }
        BigInteger sequenceNumber = new BigInteger(record.dynamodb().sequenceNumber());
        return sequenceNumber.compareTo(new BigInteger(confirmingEndAfter)) <= 0;
    }

    /** Called after trimmed data was skipped: read on from the oldest retained record. */
    void restartAtTrimHorizon() {
        iterator = null;
        lastSequenceNumber = null;
        skipCreatedBeforeMillis = Long.MIN_VALUE;
        restartAtTrimHorizon = true;
    }

    /** Set once trimmed data was skipped: the split's own position is no longer the way in. */
    boolean restartAtTrimHorizon;

    /** True if the record is before the starting point and must not be emitted. */
    boolean skips(Record record) {
        if (skipCreatedBeforeMillis == Long.MIN_VALUE) {
            return false;
        }
        Instant created = record.dynamodb().approximateCreationDateTime();
        if (created != null && created.toEpochMilli() < skipCreatedBeforeMillis) {
            return true;
        }
        // Creation times only grow along a shard: once one record passes, all later ones do.
        skipCreatedBeforeMillis = Long.MIN_VALUE;
        return false;
    }
}
