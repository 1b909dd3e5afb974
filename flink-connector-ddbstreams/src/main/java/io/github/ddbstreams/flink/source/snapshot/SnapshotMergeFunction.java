package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out {@link ItemMerge} for the items of a snapshot-then-stream source, keyed by item
 * ({@link ItemKeySelector}): the item's status and row live in keyed state, held rows wait for an
 * event-time timer. Event time here is the source's <b>progress clock</b>: record timestamps are
 * creation times (read times for snapshot rows), and the source's watermark says how far every
 * shard has been read (a caught-up shard's advances with the clock).
 *
 * <p>State per item: a status byte for every item seen (so that a snapshot row read after the
 * stream took its item over is dropped), and the row while it is held or released. The second input
 * brings the {@link SegmentEnds} of every reader; once a table's snapshot is over ({@link
 * SnapshotMergeOperator} sweeps its items' state then), its items keep no state: a change to an
 * item without state goes out as it is, and an item's state is cleared as soon as it settles or the
 * stream takes it over.
 */
@Internal
public final class SnapshotMergeFunction
        extends KeyedBroadcastProcessFunction<String, ChangeEvent, ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotMergeFunction.class);

    /** Per item: its {@link ItemMerge.Status}. */
    static final ValueStateDescriptor<Byte> STATUS =
            new ValueStateDescriptor<>("status", Types.BYTE);

    /**
     * Per subtask, the same on every one: the segment ends and the tables whose snapshot is over.
     */
    static final MapStateDescriptor<String, Long> ENDS =
            new MapStateDescriptor<>("snapshot-segment-ends", Types.STRING, Types.LONG);

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
    private transient Counter statesCleared;

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
        status = getRuntimeContext().getState(STATUS);
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
        statesCleared = group.counter("snapshotItemStatesCleared");
    }

    /** How late a change may appear in the stream after its creation time. */
    long marginMillis() {
        return marginMillis;
    }

    /** Counts item states the operator cleared when a table's snapshot was over. */
    void cleared(long items) {
        statesCleared.inc(items);
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
            case "snapshotItemStatesCleared":
                return statesCleared.getCount();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    @Override
    public void processElement(ChangeEvent event, ReadOnlyContext ctx, Collector<ChangeEvent> out)
            throws Exception {
        boolean over = isOver(ctx.getBroadcastState(ENDS), event.getTableName());
        ItemMerge.State<ChangeEvent> state = state();
        ItemMerge.Outcome<ChangeEvent> outcome;
        if (event.getEventName() == ChangeEvent.EventName.SNAPSHOT) {
            if (over) {
                // Only a row later than the maximum stream lag on the progress clock comes now (the
                // clocks of the readers and of AWS are further apart than the lag): its item's
                // state is gone, so emitting it could undo a change; the changelog stays consistent
                // without it.
                LOG.warn(
                        "Dropped a snapshot row of table {} that came after the snapshot's end was"
                                + " passed on the progress clock: raise"
                                + " 'source.snapshot.max-stream-lag' (the readers' clocks are"
                                + " further apart than it). Keys: {}",
                        event.getTableName(),
                        event.getKeys());
                rowsDropped.inc();
                return;
            }
            long readAt =
                    event.getApproximateCreationTime() == null
                            ? ctx.timestamp()
                            : event.getApproximateCreationTime().toEpochMilli();
            outcome = merge.onScanRow(state, event, readAt);
        } else if (over && state.status() == ItemMerge.Status.UNSEEN) {
            out.collect(event);
            return;
        } else {
            outcome = merge.onChange(state, event);
        }
        apply(state, outcome, ctx.timerService(), out, over);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<ChangeEvent> out)
            throws Exception {
        ItemMerge.State<ChangeEvent> state = state();
        boolean over =
                isOver(ctx.getBroadcastState(ENDS), SegmentEnds.tableOf(ctx.getCurrentKey()));
        apply(state, merge.onTimer(state, timestamp), ctx.timerService(), out, over);
    }

    @Override
    public void processBroadcastElement(ChangeEvent end, Context ctx, Collector<ChangeEvent> out)
            throws Exception {
        long at =
                end.getApproximateCreationTime() == null
                        ? Long.MIN_VALUE
                        : end.getApproximateCreationTime().toEpochMilli();
        String key = SegmentEnds.recordKey(end);
        if (!ctx.getBroadcastState(ENDS).contains(SegmentEnds.overKey(SegmentEnds.tableOf(key)))) {
            ctx.getBroadcastState(ENDS).put(key, at);
        }
    }

    private static boolean isOver(ReadOnlyBroadcastState<String, Long> ends, String table)
            throws Exception {
        return ends.contains(SegmentEnds.overKey(table));
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
            Collector<ChangeEvent> out,
            boolean over)
            throws java.io.IOException {
        ItemMerge.State<ChangeEvent> next = outcome.next();
        if (over
                && (next.status() == ItemMerge.Status.SETTLED
                        || next.status() == ItemMerge.Status.STREAM_OWNED)) {
            // No snapshot row of this item can come any more: nothing to remember.
            if (before.status() != ItemMerge.Status.UNSEEN) {
                statesCleared.inc();
            }
            status.clear();
            row.clear();
        } else {
            status.update((byte) next.status().ordinal());
            if (next.row() == null) {
                row.clear();
            } else if (next.row() != before.row()) {
                row.update(next.row());
            }
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
