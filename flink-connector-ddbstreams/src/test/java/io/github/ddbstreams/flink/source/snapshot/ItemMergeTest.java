package io.github.ddbstreams.flink.source.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.snapshot.ItemMerge.Effect;
import io.github.ddbstreams.flink.source.snapshot.ItemMerge.Outcome;
import io.github.ddbstreams.flink.source.snapshot.ItemMerge.State;
import io.github.ddbstreams.flink.source.snapshot.ItemMerge.Status;
import javax.annotation.Nullable;
import org.junit.jupiter.api.Test;

/** The transitions of {@link ItemMerge} one by one; the simulation test checks them together. */
class ItemMergeTest {

    /** A row as text: "r:v1" a snapshot row of state v1, "v1>v2" a change, ">v1" an insert. */
    private static final ItemMerge.Changes<String> ROWS =
            new ItemMerge.Changes<>() {
                @Override
                @Nullable
                public String priorState(String change) {
                    String old = change.substring(0, change.indexOf('>'));
                    return old.isEmpty() ? null : "r:" + old;
                }

                @Override
                public boolean startsFrom(String change, String row) {
                    return ("r:" + change.substring(0, change.indexOf('>'))).equals(row);
                }

                @Override
                public String withPriorState(String change, String row) {
                    return row.substring(2) + change.substring(change.indexOf('>'));
                }
            };

    private final ItemMerge<String> merge = new ItemMerge<>(ROWS, 2_000, 60_000);

    @Test
    void aScanRowIsHeldForTheMarginThenReleasedThenSettles() {
        Outcome<String> held = merge.onScanRow(State.unseen(), "r:v1", 10_000);
        assertThat(held.next()).isEqualTo(new State<>(Status.HELD, "r:v1"));
        assertThat(held.emit()).isEmpty();
        assertThat(held.timerAtMillis()).isEqualTo(12_000);
        assertThat(held.effect()).isEqualTo(Effect.HELD);

        Outcome<String> released = merge.onTimer(held.next(), 12_050);
        assertThat(released.emit()).containsExactly("r:v1");
        assertThat(released.next().status()).isEqualTo(Status.RELEASED);
        assertThat(released.timerAtMillis()).isEqualTo(72_050);

        Outcome<String> settled = merge.onTimer(released.next(), 72_050);
        assertThat(settled.next()).isEqualTo(new State<String>(Status.SETTLED, null));
        assertThat(settled.emit()).isEmpty();
        assertThat(merge.onChange(settled.next(), "v1>v2").emit()).containsExactly("v1>v2");
    }

    @Test
    void aChangeTakesOverAHeldItemEmittingItsPriorStateFirst() {
        State<String> held = merge.onScanRow(State.unseen(), "r:v2", 10_000).next();

        Outcome<String> change = merge.onChange(held, "v1>v2");

        assertThat(change.emit()).containsExactly("r:v1", "v1>v2");
        assertThat(change.next().status()).isEqualTo(Status.STREAM_OWNED);
        assertThat(change.effect()).isEqualTo(Effect.DROPPED_STREAM_HAD_ITEM);
        // The held row's timer finds nothing to release; a later row of the item is dropped.
        assertThat(merge.onTimer(change.next(), 12_000).emit()).isEmpty();
        assertThat(merge.onScanRow(change.next(), "r:v2", 11_000).effect())
                .isEqualTo(Effect.DROPPED_STREAM_HAD_ITEM);
    }

    @Test
    void anInsertOfAnItemNotReadYetIsEmittedAlone() {
        Outcome<String> insert = merge.onChange(State.unseen(), ">v1");

        assertThat(insert.emit()).containsExactly(">v1");
        assertThat(insert.effect()).isEqualTo(Effect.CHANGE_EMITTED);
    }

    @Test
    void aChangeAfterTheReleasedRowFollowsItAsIs() {
        State<String> released =
                merge.onTimer(merge.onScanRow(State.unseen(), "r:v1", 0).next(), 2_000).next();

        assertThat(merge.onChange(released, "v1>v2").emit()).containsExactly("v1>v2");
    }

    @Test
    void aLateChangeIsMadeToFollowTheReleasedRow() {
        State<String> released =
                merge.onTimer(merge.onScanRow(State.unseen(), "r:v3", 0).next(), 2_000).next();

        Outcome<String> late = merge.onChange(released, "v2>v3");
        Outcome<String> lateInsert = merge.onChange(released, ">v1");

        assertThat(late.emit()).containsExactly("v3>v3");
        assertThat(late.effect()).isEqualTo(Effect.LATE_CHANGE_REPAIRED);
        assertThat(lateInsert.emit()).containsExactly("v3>v1");
        assertThat(late.next().status()).isEqualTo(Status.STREAM_OWNED);
    }

    @Test
    void aSecondRowOfAnItemIsABugNotAState() {
        State<String> held = merge.onScanRow(State.unseen(), "r:v1", 0).next();

        assertThatThrownBy(() -> merge.onScanRow(held, "r:v1", 5))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("HELD");
        assertThatThrownBy(() -> new State<>(Status.HELD, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ItemMerge<>(ROWS, -1, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }
}
