package io.github.ddbstreams.flink.source.enumerator.discovery;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * Decides when a disabled stream's listing shows every shard the stream will ever have, so that a
 * finished shard with no known child has none and the stream can end (FINISH, FOLLOW_NEW_STREAM).
 *
 * <p>A shard closes when its partition splits (two children), at a rollover (one child), or when
 * the stream is disabled (no child). While DescribeStream is briefly inconsistent (a closed shard
 * listed before its children) a shard that rolled over just before the disable looks exactly like
 * one the disable closed. Every child was created before the disable, so before the first listing
 * that showed the stream disabled ({@code DISABLING} or {@code DISABLED}). A complete listing that
 * started at least the settle time after that first sighting, and shows the stream {@code DISABLED}
 * (every shard closed), therefore lists every child there will ever be. Per-shard child lookups
 * cannot decide it: they would have to repeat for every shard the disable closed.
 *
 * <p>Not checkpointed (the state format stays as it was): a restored enumerator sees the stream
 * disabled in its first listing and waits the settle time again.
 *
 * <p>Plain Java, not thread-safe: the enumerator's coordinator thread only. Times are on the clock
 * that paces DescribeStream calls.
 */
@Internal
public final class DisabledStreamEnd {

    /** No complete listing is needed to confirm the end. */
    static final long NO_LISTING_DUE = Long.MAX_VALUE;

    private final long settleNanos;

    /** When a listing first showed the stream disabled; valid if {@link #seenDisabled}. */
    private long firstSeenDisabledNanos;

    private boolean seenDisabled;
    private boolean confirmed;

    /**
     * @param settleMillis how long DescribeStream's listing may lag behind the stream
     */
    public DisabledStreamEnd(long settleMillis) {
        this.settleNanos = Math.max(0, settleMillis) * 1_000_000;
    }

    /**
     * Takes in a listing that was just applied to the shard graph.
     *
     * @param status the stream's status in the listing; null if it did not ask
     * @param startedNanos when the listing's first call was made
     * @return whether this listing confirmed the end (once)
     */
    public boolean listingApplied(
            @Nullable StreamStatus status, boolean complete, long startedNanos, long nowNanos) {
        if (confirmed) {
            return false;
        }
        if (!seenDisabled
                && (status == StreamStatus.DISABLED || status == StreamStatus.DISABLING)) {
            seenDisabled = true;
            firstSeenDisabledNanos = nowNanos;
        }
        confirmed =
                seenDisabled
                        && complete
                        && status == StreamStatus.DISABLED
                        && startedNanos - firstSeenDisabledNanos >= settleNanos;
        return confirmed;
    }

    /**
     * When a complete listing that could confirm the end may start; {@link #NO_LISTING_DUE} if none
     * is needed (not seen disabled, or confirmed).
     */
    public long confirmingListingDueNanos() {
        return seenDisabled && !confirmed ? firstSeenDisabledNanos + settleNanos : NO_LISTING_DUE;
    }

    /** Whether the stream's listing is known to hold every shard the stream will ever have. */
    public boolean confirmed() {
        return confirmed;
    }

    /** Restored: the state shows the end was confirmed before the checkpoint. */
    public void confirmRestored() {
        confirmed = true;
    }
}
