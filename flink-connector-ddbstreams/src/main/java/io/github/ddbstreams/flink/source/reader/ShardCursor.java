package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.math.BigInteger;
import java.time.Instant;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The split reader's view of one shard: the current iterator, where to get a new one from, when to
 * poll next, the creation-time filter of LATEST fallbacks and AT_TIMESTAMP starts, and the
 * per-shard decisions of the reading protocol (what lost data means, how to follow empty pages).
 * Used by one polling thread at a time.
 */
final class ShardCursor {

    /**
     * DynamoDB Local truncates ApproximateCreationDateTime to the minute (AWS to the second). When
     * an expired LATEST iterator forces a re-read from TRIM_HORIZON, records from up to this long
     * before the job start are kept rather than risk dropping one written after it.
     */
    static final long LATEST_FALLBACK_MARGIN_MILLIS = 60_000;

    /**
     * GetRecords may answer with empty pages while records lie further on. A shard that is behind
     * follows this many empty pages in a row at once; after that it waits the idle interval between
     * polls, so a caught-up shard never spins.
     */
    static final int MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE = 5;

    /**
     * A record fetched this long (beyond the idle interval) after its creation means the shard is
     * behind its tip: creation times have whole seconds on AWS, and a record takes a moment to
     * appear in the stream.
     */
    static final long TIP_SLACK_MILLIS = 2_000;

    /** What data that is gone at the reading position (trimmed, or the whole shard) means. */
    enum LostData {
        /**
         * Nothing was emitted from the shard since its starting point (TRIM_HORIZON, AT_TIMESTAMP,
         * the LATEST fallback), which is defined by what the stream retains: no checkpointed record
         * is skipped.
         */
        NOTHING_CHECKPOINTED,
        /** Records after a checkpointed position are lost, and the policy accepts that. */
        SKIP,
        /** Records after a checkpointed position are lost: fail. */
        FAIL
    }

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

    /**
     * True while the position is a record the emitter has handed on (the split's checkpointed
     * AFTER_SEQUENCE_NUMBER, or a record emitted since): data lost there is lost changes.
     */
    private boolean positioned;

    /** Empty pages in a row since the last page with records, and when the first came. */
    private int emptyPagesInRow;

    private long emptySinceNanos;

    /**
     * Whether empty pages now may hide records further on (see {@link #followsEmptyPageAtOnce}).
     */
    private boolean behind;

    /** Set once the shard is known to have children: it is closed and ends with its last page. */
    private boolean knownClosed;

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
                positioned = true;
                break;
            default:
                break;
        }
    }

    /**
     * A page with records was fetched at {@code nowMillis}: the shard is behind if its last record
     * is older than a caught-up reader, polling every {@code idlePollMillis}, would see.
     */
    void onRecordsPage(java.util.List<Record> records, long nowMillis, long idlePollMillis) {
        emptyPagesInRow = 0;
        Instant created = records.get(records.size() - 1).dynamodb().approximateCreationDateTime();
        if (created != null) {
            millisBehindLatest = Math.max(0, nowMillis - created.toEpochMilli());
            behind = millisBehindLatest > idlePollMillis + TIP_SLACK_MILLIS;
        } else {
            behind = true;
        }
    }

    /**
     * An empty page with a next iterator was fetched: true if the shard should be polled again at
     * once, false if it waits the idle interval. A closed shard has an end to reach; a shard behind
     * follows a few empty pages at once, since records may lie further on; otherwise the shard is
     * taken as caught up.
     */
    boolean followsEmptyPageAtOnce(long nowNanos) {
        if (emptyPagesInRow++ == 0) {
            emptySinceNanos = nowNanos;
        }
        boolean atOnce =
                knownClosed || (behind && emptyPagesInRow <= MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);
        if (!atOnce) {
            millisBehindLatest = 0;
        }
        return atOnce;
    }

    /**
     * Whether an open shard in bounded mode has returned only empty pages for long enough to count
     * as read up to the bounded end: at least {@code minEmptyPages} of them, over at least {@code
     * minIdleNanos}. Never true for a shard known to be closed.
     */
    boolean caughtUpFor(long nowNanos, int minEmptyPages, long minIdleNanos) {
        return !knownClosed
                && emptyPagesInRow >= minEmptyPages
                && nowNanos - emptySinceNanos >= minIdleNanos;
    }

    /** The shard has children: it is closed, and is read until GetRecords ends it. */
    void knownClosed() {
        knownClosed = true;
    }

    /**
     * A new iterator was taken from a sequence number or the trim horizon: until its first page
     * says otherwise, records may lie behind empty pages. (A LATEST iterator starts at the tip.)
     */
    void onIteratorObtained() {
        behind = true;
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

    /**
     * What it means that the data at the reading position is gone, under the policy {@code
     * skipAllowed} ({@code source.on-trimmed-data}).
     */
    LostData onDataGone(boolean skipAllowed) {
        if (!positioned) {
            return LostData.NOTHING_CHECKPOINTED;
        }
        return skipAllowed ? LostData.SKIP : LostData.FAIL;
    }

    /**
     * Trimming overtook the starting iterator before anything was emitted: take a new one at the
     * same starting point. Records skipped by the creation-time filter leave no position behind
     * (they were never handed on), and the filter stays.
     */
    void retakeStartingIterator() {
        lastSequenceNumber = null;
        shardEndConfirmed();
        onIteratorLost();
    }

    /**
     * Called after trimmed data was skipped: read on from the oldest retained record. A
     * creation-time filter still pending (an AT_TIMESTAMP start, the LATEST fallback) stays: the
     * policy gives up the trimmed records, not the starting point.
     */
    void restartAtTrimHorizon() {
        iterator = null;
        lastSequenceNumber = null;
        positioned = false;
        shardEndConfirmed();
        restartAtTrimHorizon = true;
    }

    /**
     * A record at the reading position, not handed on before: true if it is to be emitted, false if
     * the starting point's creation-time filter drops it. Either way the reading moves past it.
     */
    boolean accept(Record record) {
        restartAtTrimHorizon = false;
        lastSequenceNumber = record.dynamodb().sequenceNumber();
        if (skips(record)) {
            return false;
        }
        positioned = true;
        return true;
    }

    /** Set once trimmed data was skipped: the split's own position is no longer the way in. */
    boolean restartAtTrimHorizon;

    /** True if the record is before the starting point and must not be emitted. */
    private boolean skips(Record record) {
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
