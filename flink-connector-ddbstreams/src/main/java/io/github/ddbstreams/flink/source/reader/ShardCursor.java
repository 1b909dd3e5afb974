package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.io.IOException;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * One shard's reading protocol, decided without a client: which iterator to ask for ({@link
 * #startingPoint()}), what a page means ({@link #onPage}: records to hand on, a shard end to
 * confirm, the bounded end, a fresher LATEST iterator for the checkpoint, a caught-up shard's
 * watermark), what an expired iterator, lost data ({@link #onDataGone}) or a failed call ({@link
 * #onFailure}) mean, and when to poll next ({@link ShardPacing}). The split reader makes the calls
 * and carries out the outcomes. Used by one polling thread at a time.
 */
final class ShardCursor {

    /**
     * DynamoDB Local truncates ApproximateCreationDateTime to the minute (AWS to the second). When
     * an expired LATEST iterator forces a re-read from TRIM_HORIZON, records from up to this long
     * before the job start are kept rather than risk dropping one written after it.
     */
    static final long LATEST_FALLBACK_MARGIN_MILLIS = 60_000;

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

    private final ShardSplit split;
    private final ShardPacing pacing = new ShardPacing();
    @Nullable private String iterator;

    /** Sequence number of the last record handed to the emitter, or null if none yet. */
    @Nullable private String lastSequenceNumber;

    /** Records created before this instant (epoch millis) are skipped; Long.MIN_VALUE: none. */
    private long skipCreatedBeforeMillis = Long.MIN_VALUE;

    /**
     * An iterator lives 15 minutes; handing the checkpointed state a fresher one every few minutes
     * keeps a restore exact without one position marker per idle poll (each would count as a record
     * in Flink's numRecordsIn).
     */
    static final long ITERATOR_REFRESH_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(5);

    private long lastIteratorRefreshNanos;

    /** The last watermark handed on for this shard as caught up; Long.MIN_VALUE if none. */
    private long caughtUpWatermark = Long.MIN_VALUE;

    /**
     * Whether the last page was empty with the reading at the shard's tip ({@link
     * ShardPacing#atTip()}), whatever the caught-up watermark option; read by the metrics thread.
     */
    private volatile boolean caughtUp;

    private boolean iteratorRefreshed;

    /**
     * Set while a shard end that one GetRecords call reported waits for a later call to confirm it:
     * the sequence number handed on when the end was seen (records up to it come again), or "" if
     * none was.
     */
    @Nullable private String confirmingEndAfter;

    /**
     * True while the position is a record the emitter has handed on (the split's checkpointed
     * AFTER_SEQUENCE_NUMBER, or a record emitted since): data lost there is lost changes.
     */
    private boolean positioned;

    /** Set once trimmed data was skipped: the split's own position is no longer the way in. */
    private boolean restartAtTrimHorizon;

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

    // ---------------------------------------------------------------- the iterator

    /** The iterator to poll with; null if one must be obtained first ({@link #startingPoint}). */
    @Nullable
    String iterator() {
        return iterator;
    }

    /** Where a new iterator must start: after the last record handed on, else the oldest. */
    ShardStartingPoint startingPoint() {
        return lastSequenceNumber != null && !restartAtTrimHorizon
                ? ShardStartingPoint.after(lastSequenceNumber)
                : ShardStartingPoint.trimHorizon();
    }

    /**
     * A new iterator was taken from {@link #startingPoint()}: until its first page says otherwise,
     * records may lie behind empty pages. (A LATEST iterator starts at the tip.)
     */
    void onIteratorObtained(String newIterator) {
        iterator = newIterator;
        pacing.iteratorObtained();
    }

    // ---------------------------------------------------------------- a page

    /**
     * {@link #onPage(GetRecordsResponse, String, long, long, long, ShardReaderSettings)} of a call
     * made at {@code nowMillis}.
     */
    ShardStep onPage(
            GetRecordsResponse page,
            String usedIterator,
            long nowNanos,
            long nowMillis,
            ShardReaderSettings settings) {
        return onPage(page, usedIterator, nowNanos, nowMillis, nowMillis, settings);
    }

    /**
     * Takes the page a GetRecords call with {@code usedIterator}, made at {@code calledAtMillis},
     * returned at {@code nowNanos} / {@code nowMillis} and decides: which records to hand on (not
     * before the starting point, not handed on before, not past the bounded end), whether the shard
     * ended (an end is believed only from a call made after it was first seen), when to poll again,
     * and, for an empty page of a caught-up shard, the watermark it may advance to.
     */
    ShardStep onPage(
            GetRecordsResponse page,
            String usedIterator,
            long nowNanos,
            long nowMillis,
            long calledAtMillis,
            ShardReaderSettings settings) {
        pacing.succeeded();
        caughtUp = false;
        List<Record> records = page.records();
        List<ShardElement> elements = new ArrayList<>();
        boolean pastBoundedEnd = false;
        for (Record record : records) {
            if (settings.isPastBoundedEnd(record)) {
                pastBoundedEnd = true;
                break;
            }
            if (handedOnBefore(record) || !accept(record)) {
                continue;
            }
            elements.add(ShardElement.record(record));
        }
        String next = page.nextShardIterator();
        // The shard end is only believed from a call that starts after the shard was seen closed:
        // an endpoint may list the records first and check for closure after, and a write plus a
        // rollover in between end the shard without its last records (DynamoDB Local 3.x does).
        // Asking once more with the same iterator costs one call per closed shard.
        boolean unconfirmedEnd = next == null && !pastBoundedEnd && confirmingEndAfter == null;
        if (unconfirmedEnd) {
            iterator = usedIterator;
            confirmingEndAfter = lastSequenceNumber == null ? "" : lastSequenceNumber;
        } else {
            confirmingEndAfter = null;
            boolean wasUnpositionedLatest = isUnpositionedLatest();
            iterator = next;
            if (next != null
                    && wasUnpositionedLatest
                    && lastSequenceNumber == null
                    && iteratorRefreshDue(nowNanos)) {
                elements = List.of(ShardElement.latestIterator(next));
            }
        }
        if (!records.isEmpty()) {
            pacing.recordsPage(
                    records.get(records.size() - 1).dynamodb().approximateCreationDateTime(),
                    nowNanos,
                    nowMillis,
                    TimeUnit.NANOSECONDS.toMillis(settings.idlePollIntervalNanos()));
        }
        if (unconfirmedEnd) {
            pacing.pollAt(nowNanos);
            return new ShardStep(elements, ShardStep.Next.POLL, false);
        }
        if (next == null || pastBoundedEnd) {
            pacing.ended();
            return new ShardStep(elements, ShardStep.Next.FINISHED, false);
        }
        if (!records.isEmpty()) {
            return new ShardStep(elements, ShardStep.Next.POLL, false);
        }
        pacing.emptyPage(nowNanos, settings.idlePollIntervalNanos());
        caughtUp = pacing.atTip();
        if (settings.caughtUpWatermarks() && caughtUp) {
            elements = withCaughtUpWatermark(elements, calledAtMillis, settings);
        }
        if (settings.bounded()
                && pacing.caughtUpFor(
                        nowNanos,
                        settings.boundedEmptyPollsToFinish(),
                        settings.boundedIdleTimeToFinishNanos())) {
            return new ShardStep(elements, ShardStep.Next.ASK_IF_OPEN, true);
        }
        return new ShardStep(elements, ShardStep.Next.POLL, true);
    }

    /**
     * An empty page of a shard at its tip, from a call made at {@code calledAtMillis}: a record not
     * in it appears in the stream after the call, so its creation time is at most a second (the
     * truncation) plus its way into the stream before the call. The shard's event time is therefore
     * at least the call's time less the margin that covers those. Adds that watermark to {@code
     * elements} if it moves the shard's on; the wall clock may step back, the watermark never.
     */
    private List<ShardElement> withCaughtUpWatermark(
            List<ShardElement> elements, long calledAtMillis, ShardReaderSettings settings) {
        long watermark = calledAtMillis - settings.caughtUpMarginMillis();
        if (watermark <= caughtUpWatermark) {
            return elements;
        }
        caughtUpWatermark = watermark;
        List<ShardElement> withTick = new ArrayList<>(elements);
        withTick.add(ShardElement.caughtUp(watermark));
        return withTick;
    }

    /**
     * The answer to {@link ShardStep.Next#ASK_IF_OPEN}: whether the shard has children. An open
     * shard (none) is read up to the bounded end: it is finished. A closed one is read on, at once,
     * to its end. Returns whether the shard is finished.
     */
    boolean onChildren(boolean hasChildren, long nowNanos) {
        if (!hasChildren) {
            pacing.ended();
            return true;
        }
        pacing.knownClosed(nowNanos);
        return false;
    }

    // ---------------------------------------------------------------- failures

    /**
     * A retryable call for this shard failed at {@code nowNanos}: back off before the next poll.
     * Returns how many calls failed in a row.
     *
     * @throws IOException if calls have failed for longer than {@code source.retry.give-up-after}
     */
    int onFailure(SdkException cause, long nowNanos, ShardReaderSettings settings)
            throws IOException {
        if (pacing.failing() && settings.shouldGiveUp(pacing.failingForNanos(nowNanos))) {
            throw new IOException(
                    String.format(
                            "Shard %s of stream %s: AWS calls kept failing for %d s "
                                    + "('source.retry.give-up-after'); last error: %s",
                            shardId(),
                            split.getStreamArn(),
                            TimeUnit.NANOSECONDS.toSeconds(pacing.failingForNanos(nowNanos)),
                            cause.getMessage()),
                    cause);
        }
        return pacing.failed(nowNanos, settings::backOffNanos);
    }

    // ---------------------------------------------------------------- what others read

    ShardSplit split() {
        return split;
    }

    /** When to poll next, in {@code System.nanoTime()} terms. */
    long nextPollAtNanos() {
        return pacing.nextPollAtNanos();
    }

    /** See {@link ShardPacing#millisBehindLatest()}; read by the metrics thread. */
    long millisBehindLatest() {
        return pacing.millisBehindLatest();
    }

    /** Sequence number of the last record handed on; null if none yet. */
    @Nullable
    String lastSequenceNumber() {
        return lastSequenceNumber;
    }

    /** True (and resets the timer) when the state should get a fresher LATEST iterator. */
    private boolean iteratorRefreshDue(long nowNanos) {
        if (iteratorRefreshed && nowNanos - lastIteratorRefreshNanos < ITERATOR_REFRESH_NANOS) {
            return false;
        }
        iteratorRefreshed = true;
        lastIteratorRefreshNanos = nowNanos;
        return true;
    }

    /** Whether the shard's last page was empty at its tip: it is caught up. Any thread. */
    boolean caughtUp() {
        return caughtUp;
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

    /** True for a record that a confirming poll reads again: it was handed on already. */
    private boolean handedOnBefore(Record record) {
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
        confirmingEndAfter = null;
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
        confirmingEndAfter = null;
        restartAtTrimHorizon = true;
    }

    /**
     * A record at the reading position, not handed on before: true if it is to be emitted, false if
     * the starting point's creation-time filter drops it. Either way the reading moves past it.
     */
    private boolean accept(Record record) {
        restartAtTrimHorizon = false;
        lastSequenceNumber = record.dynamodb().sequenceNumber();
        if (skips(record)) {
            return false;
        }
        positioned = true;
        return true;
    }

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
