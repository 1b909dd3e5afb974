package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFilterFunction;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Chained right after the source (or the snapshot merge): notes when each record is emitted (and,
 * from a numeric image attribute, when it was written), then drops it, so the job measures the
 * source and nothing downstream. With {@code changesOnly}, snapshot rows are only counted.
 */
final class EmitProbe extends RichFilterFunction<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private final String runId;

    /** The new-image attribute holding the write's {@code System.nanoTime()}, or null. */
    private final String writeTimeAttribute;

    /** Whether snapshot rows are only counted ({@link EmitStats#snapshotRows}), not timed. */
    private final boolean changesOnly;

    private transient EmitStats stats;
    private transient int subtask;

    EmitProbe(String runId, String writeTimeAttribute) {
        this(runId, writeTimeAttribute, false);
    }

    EmitProbe(String runId, String writeTimeAttribute, boolean changesOnly) {
        this.runId = runId;
        this.writeTimeAttribute = writeTimeAttribute;
        this.changesOnly = changesOnly;
    }

    @Override
    public void open(OpenContext openContext) {
        stats = EmitStats.get(runId);
        subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    @Override
    public boolean filter(ChangeEvent event) {
        long now = System.nanoTime();
        if (changesOnly && event.getEventName() == ChangeEvent.EventName.SNAPSHOT) {
            stats.snapshotRows.incrementAndGet();
            return false;
        }
        long written = Long.MIN_VALUE;
        if (writeTimeAttribute != null) {
            AttributeValue value = event.getNewImage().get(writeTimeAttribute);
            if (value != null && value.n() != null) {
                written = Long.parseLong(value.n());
            }
        }
        stats.emitted(subtask, event.getShardId(), now, written);
        return false;
    }
}
