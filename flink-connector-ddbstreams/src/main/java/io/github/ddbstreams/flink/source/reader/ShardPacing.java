package io.github.ddbstreams.flink.source.reader;

import java.time.Instant;
import java.util.function.IntToLongFunction;
import javax.annotation.Nullable;

/**
 * When one shard is polled next: at once after records, after a few empty pages while it is behind
 * or closed, after the idle interval once it is caught up, after a back-off while calls fail. Time
 * is always the caller's ({@code nowNanos}, {@code nowMillis}), so tests use a fake clock.
 */
final class ShardPacing {

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

    /**
     * A shard with no evidence of being at its tip (see {@link #atTip()}) counts as caught up after
     * this many empty pages in a row: the {@link #MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE} followed at
     * once, and as many more at the idle interval. DynamoDB Streams gives no position of the tip,
     * and each call moves an iterator on by one "portion" of the shard, so this is a count of
     * calls, not a time.
     */
    static final int CAUGHT_UP_EMPTY_PAGES = 2 * MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE;

    private long nextPollAtNanos;

    /** Failed calls in a row, and when the first of them failed. */
    private int consecutiveFailures;

    private long failingSinceNanos;

    /** Empty pages in a row since the last page with records, and when the first came. */
    private int emptyPagesInRow;

    private long emptySinceNanos;

    /** Whether empty pages now may hide records further on (see {@link #emptyPage}). */
    private boolean behind;

    /** Set once the shard is known to have children: it is closed and ends with its last page. */
    private boolean knownClosed;

    /**
     * How far this shard's reading lags: now minus the creation time of the last record fetched, 0
     * once a GetRecords call returned nothing (caught up). DynamoDB Streams reports no
     * MillisBehindLatest, so this is the best estimate; read by the metrics thread.
     */
    private volatile long millisBehindLatest;

    long nextPollAtNanos() {
        return nextPollAtNanos;
    }

    long millisBehindLatest() {
        return millisBehindLatest;
    }

    /** Poll again at {@code nanos}. */
    void pollAt(long nanos) {
        nextPollAtNanos = nanos;
    }

    /**
     * A page with records was fetched at {@code nowMillis}, the last created at {@code lastCreated}
     * (null if unknown): the shard is behind if that is older than a caught-up reader, polling
     * every {@code idlePollMillis}, would see. It is polled again at once.
     */
    void recordsPage(
            @Nullable Instant lastCreated, long nowNanos, long nowMillis, long idlePollMillis) {
        emptyPagesInRow = 0;
        if (lastCreated != null) {
            millisBehindLatest = Math.max(0, nowMillis - lastCreated.toEpochMilli());
            behind = millisBehindLatest > idlePollMillis + TIP_SLACK_MILLIS;
        } else {
            behind = true;
        }
        nextPollAtNanos = nowNanos;
    }

    /**
     * An empty page with a next iterator was fetched: the shard is polled again at once if it is
     * closed (it has an end to reach) or behind (records may lie further on, for a few pages);
     * otherwise it is caught up and waits {@code idlePollNanos}.
     */
    void emptyPage(long nowNanos, long idlePollNanos) {
        if (emptyPagesInRow++ == 0) {
            emptySinceNanos = nowNanos;
        }
        boolean atOnce =
                knownClosed || (behind && emptyPagesInRow <= MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);
        if (!atOnce) {
            millisBehindLatest = 0;
        }
        nextPollAtNanos = atOnce ? nowNanos : nowNanos + idlePollNanos;
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

    /**
     * Whether the reading is at the shard's tip after an empty page, so that the shard's event time
     * may move on with the wall clock: the shard is not known to be closed (a closed shard is read
     * to its end, whatever lies behind empty pages), and either it is not {@link #behind} (a LATEST
     * iterator, or a last record created within the idle interval plus {@link #TIP_SLACK_MILLIS} of
     * its fetch: what follows an empty page then is written later), or {@link
     * #CAUGHT_UP_EMPTY_PAGES} calls in a row came back empty (a shard without recent records, such
     * as a new child, has no other evidence).
     */
    boolean atTip() {
        return !knownClosed && (!behind || emptyPagesInRow >= CAUGHT_UP_EMPTY_PAGES);
    }

    /** The shard has children: it is closed, read until GetRecords ends it, at once. */
    void knownClosed(long nowNanos) {
        knownClosed = true;
        nextPollAtNanos = nowNanos;
    }

    /**
     * A new iterator was taken from a sequence number or the trim horizon: until its first page
     * says otherwise, records may lie behind empty pages. (A LATEST iterator starts at the tip.)
     */
    void iteratorObtained() {
        behind = true;
    }

    /** The shard ended: nothing lags. */
    void ended() {
        millisBehindLatest = 0;
    }

    /** A call succeeded: the failures in a row are over. */
    void succeeded() {
        consecutiveFailures = 0;
    }

    /**
     * A retryable call failed at {@code nowNanos}: poll again after {@code backOff.applyAsLong(n)}
     * for the n-th failure in a row. Returns n.
     */
    int failed(long nowNanos, IntToLongFunction backOff) {
        if (consecutiveFailures == 0) {
            failingSinceNanos = nowNanos;
        }
        consecutiveFailures++;
        nextPollAtNanos = nowNanos + backOff.applyAsLong(consecutiveFailures);
        return consecutiveFailures;
    }

    /** Whether the last call failed. */
    boolean failing() {
        return consecutiveFailures > 0;
    }

    /** How long calls have failed in a row at {@code nowNanos}, if {@link #failing()}. */
    long failingForNanos(long nowNanos) {
        return nowNanos - failingSinceNanos;
    }
}
