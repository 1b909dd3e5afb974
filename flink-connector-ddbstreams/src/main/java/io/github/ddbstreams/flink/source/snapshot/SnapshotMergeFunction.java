package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Carries out {@link ItemMerge} for the items of a snapshot-then-stream source, keyed by item
 * ({@link ItemKeySelector}): the item's status and row live in keyed state, held rows wait for an
 * event-time timer. Event time here is the source's <b>progress clock</b>: record timestamps are
 * creation times (read times for snapshot rows), and the source's watermark says how far every
 * shard has been read (a caught-up shard's advances with the clock).
 *
 * <p>State per item: a status byte for every item seen (for the job's life, so that a snapshot row
 * read after the stream took its item over is dropped), and the row while it is held or released.
 */
@Internal
public final class SnapshotMergeFunction
        extends KeyedProcessFunction<String, ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private static final ItemMerge.Status[] STATUSES = ItemMerge.Status.values();

    private final long marginMillis;
    private final long lateWindowMillis;

    private transient ItemMerge<ChangeEvent> merge;
    private transient ValueState<Byte> status;
    private transient ValueState<ChangeEvent> row;
    private transient Counter rowsHeld;
    private transient Counter rowsReleased;
    private transient Counter rowsDropped;
    private transient Counter lateChangesRepaired;

    /**
     * @param marginMillis how late a change may appear in the stream after its creation time
     * @param lateWindowMillis how long a released row is kept to repair a later change
     */
    public SnapshotMergeFunction(long marginMillis, long lateWindowMillis) {
        this.marginMillis = marginMillis;
        this.lateWindowMillis = lateWindowMillis;
    }

    @Override
    public void open(OpenContext openContext) {
        merge = new ItemMerge<>(new ChangeEventChanges(), marginMillis, lateWindowMillis);
        status = getRuntimeContext().getState(new ValueStateDescriptor<>("status", Types.BYTE));
        row =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "row", TypeInformation.of(ChangeEvent.class)));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("dynamodbStreams");
        rowsHeld = group.counter("snapshotRowsHeld");
        rowsReleased = group.counter("snapshotRowsReleased");
        rowsDropped = group.counter("snapshotRowsDroppedStreamHadItem");
        lateChangesRepaired = group.counter("snapshotLateChangesRepaired");
    }

    /** This subtask's counter {@code name} (see {@link #open}); for tests. */
    long count(String name) {
        switch (name) {
            case "snapshotRowsHeld":
                return rowsHeld.getCount();
            case "snapshotRowsReleased":
                return rowsReleased.getCount();
            case "snapshotRowsDroppedStreamHadItem":
                return rowsDropped.getCount();
            case "snapshotLateChangesRepaired":
                return lateChangesRepaired.getCount();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    @Override
    public void processElement(ChangeEvent event, Context ctx, Collector<ChangeEvent> out)
            throws Exception {
        ItemMerge.State<ChangeEvent> state = state();
        ItemMerge.Outcome<ChangeEvent> outcome;
        if (event.getEventName() == ChangeEvent.EventName.SNAPSHOT) {
            long readAt =
                    event.getApproximateCreationTime() == null
                            ? ctx.timestamp()
                            : event.getApproximateCreationTime().toEpochMilli();
            outcome = merge.onScanRow(state, event, readAt);
        } else {
            outcome = merge.onChange(state, event);
        }
        apply(state, outcome, ctx.timerService(), out);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChangeEvent> out)
            throws Exception {
        ItemMerge.State<ChangeEvent> state = state();
        apply(state, merge.onTimer(state, timestamp), ctx.timerService(), out);
    }

    private ItemMerge.State<ChangeEvent> state() throws java.io.IOException {
        Byte ordinal = status.value();
        if (ordinal == null) {
            return ItemMerge.State.unseen();
        }
        return new ItemMerge.State<>(STATUSES[ordinal], row.value());
    }

    private void apply(
            ItemMerge.State<ChangeEvent> before,
            ItemMerge.Outcome<ChangeEvent> outcome,
            org.apache.flink.streaming.api.TimerService timers,
            Collector<ChangeEvent> out)
            throws java.io.IOException {
        ItemMerge.State<ChangeEvent> next = outcome.next();
        status.update((byte) next.status().ordinal());
        if (next.row() == null) {
            row.clear();
        } else if (next.row() != before.row()) {
            row.update(next.row());
        }
        outcome.emit().forEach(out::collect);
        if (outcome.timerAtMillis() >= 0) {
            timers.registerEventTimeTimer(outcome.timerAtMillis());
        }
        if (outcome.effect() != null) {
            switch (outcome.effect()) {
                case HELD:
                    rowsHeld.inc();
                    break;
                case RELEASED:
                    rowsHeld.dec();
                    rowsReleased.inc();
                    break;
                case DROPPED_STREAM_HAD_ITEM:
                    if (before.status() == ItemMerge.Status.HELD) {
                        rowsHeld.dec();
                    }
                    rowsDropped.inc();
                    break;
                case LATE_CHANGE_REPAIRED:
                    lateChangesRepaired.inc();
                    break;
                default:
                    break;
            }
        }
    }
}
