package io.github.ddbstreams.flink.source.snapshot;

import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * How a snapshot's row of an item and the stream's changes to it become one valid history of the
 * item: the decision for one key, free of Flink (a keyed operator keeps the {@link State} per key
 * and carries out the {@link Outcome}s).
 *
 * <p>The stream is read from the snapshot's start {@code t0}, exactly (its positions are fixed
 * before the first Scan page), so <b>the stream's changes since {@code t0} are the truth for every
 * item they touch</b>. A Scan is not a point-in-time read: a row read at {@code r} may hold the
 * item's state before or after a change made while the snapshot ran. Hence:
 *
 * <pre>
 *   UNSEEN ──scan row──> HELD ──timer──> RELEASED ──timer──> SETTLED
 *      │                  │                 │                   │
 *      │ change           │ change          │ change            │ change
 *      v                  v                 v                   v
 *   STREAM_OWNED <────────┴─────────────────┴───────────────────┘  (later scan rows: dropped)
 * </pre>
 *
 * <ul>
 *   <li>A scan row is <b>held</b> until the stream has been read past its read time plus a margin
 *       (a timer at {@link Outcome#timerAtMillis()}, on the source's progress clock): any change
 *       made before the read has then arrived.
 *   <li>A change to an item whose row is held, or not read yet, <b>takes the item over</b>: the row
 *       is dropped (or will be), and the change's prior state (its old image, where the stream
 *       carries one) is emitted first as the item's snapshot row, then the change. With a view type
 *       without old images (upsert changelogs) the change alone says the item's state.
 *   <li>A change to an item whose row was released is emitted as is: under the assumption, it was
 *       made after the read, so its prior state is the row emitted.
 * </ul>
 *
 * <p>The one assumption: a change appears in the stream at most the margin after its creation time.
 * If it appears later and the item's row was already released, the row emitted may be newer than
 * the change's prior state. For a while after the release ({@code lateWindowMillis}) the released
 * row is kept, and such a change is emitted with that row as its prior state, so that the changelog
 * stays consistent (a retraction retracts exactly the row emitted), at the cost of one step back in
 * the item's history. After that window the item is SETTLED: only its status is kept.
 *
 * @param <R> a row: a snapshot row or a change, in whatever form the operator carries them
 */
@Internal
public final class ItemMerge<R> {

    /** What the merge knows of one item. */
    public enum Status {
        /** Neither a scan row nor a change seen. */
        UNSEEN,
        /** A scan row waits for the stream to be read past its read time. */
        HELD,
        /** The scan row was emitted; no change seen since; the row is kept for late changes. */
        RELEASED,
        /** The scan row was emitted long enough ago that no late change is expected. */
        SETTLED,
        /** A change was seen: the stream decides this item's history; scan rows are dropped. */
        STREAM_OWNED
    }

    /**
     * One item's state in the merge: its status, and the scan row held or released (the row last
     * emitted for it, until a change takes over).
     */
    public record State<R>(Status status, @Nullable R row) {
        public State {
            Objects.requireNonNull(status, "status");
            if ((status == Status.HELD || status == Status.RELEASED) != (row != null)) {
                throw new IllegalArgumentException("A " + status + " item state with row " + row);
            }
        }

        /** An item not seen yet. */
        public static <R> State<R> unseen() {
            return new State<>(Status.UNSEEN, null);
        }
    }

    /** What happened to a row the merge was given, for metrics. */
    public enum Effect {
        /** A scan row is held back. */
        HELD,
        /** A held scan row was emitted. */
        RELEASED,
        /** A scan row was dropped: the stream had changed the item. */
        DROPPED_STREAM_HAD_ITEM,
        /** A change was emitted, maybe after its prior state. */
        CHANGE_EMITTED,
        /**
         * A change came after its item's row was released, but its prior state was not that row: it
         * appeared later than the margin allows. It was emitted with the row as prior state.
         */
        LATE_CHANGE_REPAIRED
    }

    /**
     * The decision on one row: the item's next state, the rows to emit in order, and when to call
     * {@link #onTimer} for the item (on the progress clock; -1 for no timer).
     */
    public record Outcome<R>(
            State<R> next, List<R> emit, long timerAtMillis, @Nullable Effect effect) {}

    /** Access to the parts of a change the merge needs. */
    public interface Changes<R> {

        /**
         * The item's state before {@code change} as a snapshot row: from its old image; null if the
         * change has none (an insert, or a stream without old images).
         */
        @Nullable
        R priorState(R change);

        /**
         * Whether {@code change} may follow {@code row} (the snapshot row last emitted) in a
         * consistent changelog: its old image is that row. An insert follows no row; with a view
         * type without old images (an upsert changelog) every change may follow any row.
         */
        boolean startsFrom(R change, R row);

        /**
         * {@code change} made to follow {@code row}: {@code row} as its old image (an insert
         * becomes a modification), for a change that appeared too late.
         */
        R withPriorState(R change, R row);
    }

    private final Changes<R> changes;
    private final long marginMillis;
    private final long lateWindowMillis;

    /**
     * @param changes access to the changes' prior states
     * @param marginMillis how late a change may appear in the stream after its creation time
     * @param lateWindowMillis how long after its release a row is kept to repair a later change
     */
    public ItemMerge(Changes<R> changes, long marginMillis, long lateWindowMillis) {
        if (marginMillis < 0 || lateWindowMillis < 0) {
            throw new IllegalArgumentException(
                    "The margin and the late window must not be negative: "
                            + marginMillis
                            + ", "
                            + lateWindowMillis);
        }
        this.changes = Objects.requireNonNull(changes, "changes");
        this.marginMillis = marginMillis;
        this.lateWindowMillis = lateWindowMillis;
    }

    /** A snapshot row of the item, read at {@code readAtMillis}. */
    public Outcome<R> onScanRow(State<R> state, R row, long readAtMillis) {
        switch (state.status()) {
            case UNSEEN:
                return new Outcome<>(
                        new State<>(Status.HELD, row),
                        List.of(),
                        readAtMillis + marginMillis,
                        Effect.HELD);
            case STREAM_OWNED:
                return new Outcome<>(state, List.of(), -1, Effect.DROPPED_STREAM_HAD_ITEM);
            default:
                // An item lives in one segment, which is read once: a second row can only come
                // from a bug upstream; keeping the first keeps what may already be emitted.
                throw new IllegalStateException(
                        "A second snapshot row for an item already " + state.status() + ": " + row);
        }
    }

    /** The progress clock passed the time an outcome asked for ({@code nowMillis}). */
    public Outcome<R> onTimer(State<R> state, long nowMillis) {
        switch (state.status()) {
            case HELD:
                return new Outcome<>(
                        new State<>(Status.RELEASED, state.row()),
                        List.of(state.row()),
                        nowMillis + lateWindowMillis,
                        Effect.RELEASED);
            case RELEASED:
                return new Outcome<>(new State<>(Status.SETTLED, null), List.of(), -1, null);
            default:
                // The stream took the item over meanwhile: nothing to release.
                return new Outcome<>(state, List.of(), -1, null);
        }
    }

    /** A change to the item, in the stream's order. */
    public Outcome<R> onChange(State<R> state, R change) {
        State<R> owned = new State<>(Status.STREAM_OWNED, null);
        switch (state.status()) {
            case UNSEEN:
            case HELD:
                R prior = changes.priorState(change);
                List<R> emit = prior == null ? List.of(change) : List.of(prior, change);
                return new Outcome<>(
                        owned,
                        emit,
                        -1,
                        state.status() == Status.HELD
                                ? Effect.DROPPED_STREAM_HAD_ITEM
                                : Effect.CHANGE_EMITTED);
            case RELEASED:
                R released = state.row();
                if (changes.startsFrom(change, released)) {
                    return new Outcome<>(owned, List.of(change), -1, Effect.CHANGE_EMITTED);
                }
                return new Outcome<>(
                        owned,
                        List.of(changes.withPriorState(change, released)),
                        -1,
                        Effect.LATE_CHANGE_REPAIRED);
            default:
                return new Outcome<>(owned, List.of(change), -1, Effect.CHANGE_EMITTED);
        }
    }
}
