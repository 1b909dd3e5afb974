package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SnapshotMergeFunction}, and when the progress clock passes the end of a table's
 * snapshot plus the maximum stream lag ({@link SegmentEnds}), marks the table's snapshot over and
 * clears the state of its items that have settled or that the stream took over: a status byte per
 * item is otherwise kept for the job's life. Items whose released row is still kept for late
 * changes are cleared when that window ends.
 */
@Internal
public final class SnapshotMergeOperator
        extends CoBroadcastWithKeyedOperator<String, ChangeEvent, ChangeEvent, ChangeEvent> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotMergeOperator.class);
    private static final ItemMerge.Status[] STATUSES = ItemMerge.Status.values();

    public SnapshotMergeOperator(SnapshotMergeFunction function) {
        super(function, List.of(SnapshotMergeFunction.ENDS));
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        super.processWatermark(mark);
        SnapshotMergeFunction function = (SnapshotMergeFunction) getUserFunction();
        BroadcastState<String, Long> ends =
                getOperatorStateBackend().getBroadcastState(SnapshotMergeFunction.ENDS);
        for (Map.Entry<String, Long> ended : SegmentEnds.ended(ends.entries()).entrySet()) {
            if (mark.getTimestamp() >= ended.getValue() + function.marginMillis()) {
                String table = ended.getKey();
                ends.put(SegmentEnds.overKey(table), ended.getValue());
                // Its segments' ends are no longer needed: watermarks need not look at them.
                for (String recorded : SegmentEnds.recordedKeys(ends.entries(), table)) {
                    ends.remove(recorded);
                }
                long cleared = sweep(table);
                function.cleared(cleared);
                LOG.info(
                        "The snapshot of table {} is over (its last segment ended at {} ms, the"
                                + " progress clock is at {} ms): cleared the state of {} items",
                        table,
                        ended.getValue(),
                        mark.getTimestamp(),
                        cleared);
            }
        }
    }

    /** Clears the status of the table's items that settled or that the stream took over. */
    private long sweep(String table) throws Exception {
        String prefix = table + '|';
        long[] cleared = {0};
        this.<String>getKeyedStateBackend()
                .applyToAllKeys(
                        VoidNamespace.INSTANCE,
                        VoidNamespaceSerializer.INSTANCE,
                        SnapshotMergeFunction.STATUS,
                        (String key, ValueState<Byte> status) -> {
                            Byte ordinal = status.value();
                            if (key.startsWith(prefix)
                                    && ordinal != null
                                    && (STATUSES[ordinal] == ItemMerge.Status.SETTLED
                                            || STATUSES[ordinal]
                                                    == ItemMerge.Status.STREAM_OWNED)) {
                                status.clear();
                                cleared[0]++;
                            }
                        });
        return cleared[0];
    }
}
