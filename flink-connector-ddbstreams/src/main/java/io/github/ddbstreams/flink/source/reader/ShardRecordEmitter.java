package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.snapshot.MergeInputDeserializer;
import io.github.ddbstreams.flink.source.snapshot.SegmentEnds;
import io.github.ddbstreams.flink.source.split.DynamoDbSplitState;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplitState;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import java.io.IOException;
import java.time.Instant;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Deserializes a record, emits its outputs with the record's creation time as event timestamp, then
 * advances the split's position to the record's sequence number. Runs on the task thread, so the
 * position and the emitted outputs always agree at a checkpoint. A caught-up shard's tick becomes a
 * watermark of its split ({@link CaughtUpWatermarks}).
 */
@Internal
public final class ShardRecordEmitter<T>
        implements RecordEmitter<ShardElement, T, DynamoDbSplitState> {

    private static final Logger LOG = LoggerFactory.getLogger(ShardRecordEmitter.class);

    private final DynamoDbStreamsDeserializer<T> deserializer;
    private final boolean skipDeserializationErrors;
    private final ShardReaderMetrics metrics;
    private final OutputCollector<T> collector = new OutputCollector<>();
    private final CaughtUpWatermarks caughtUp = new CaughtUpWatermarks();

    public ShardRecordEmitter(DynamoDbStreamsDeserializer<T> deserializer) {
        this(deserializer, false, ShardReaderMetrics.unregistered());
    }

    public ShardRecordEmitter(
            DynamoDbStreamsDeserializer<T> deserializer,
            boolean skipDeserializationErrors,
            ShardReaderMetrics metrics) {
        this.deserializer = deserializer;
        this.skipDeserializationErrors = skipDeserializationErrors;
        this.metrics = metrics;
    }

    @Override
    public void emitRecord(
            ShardElement element, SourceOutput<T> output, DynamoDbSplitState splitState)
            throws Exception {
        if (splitState instanceof ScanSegmentSplitState segment) {
            emitSnapshotRow(element, output, segment);
            return;
        }
        ShardSplitState state = (ShardSplitState) splitState;
        if (element.isCaughtUp()) {
            metrics.caughtUpTick(caughtUp.emit(output, element.caughtUpWatermark()));
            return;
        }
        Record record = element.record();
        if (record == null) {
            state.refreshLatestIterator(element.refreshedLatestIterator());
            return;
        }
        String sequenceNumber = record.dynamodb().sequenceNumber();
        deserialize(
                record,
                output,
                state.getSplit().getStreamArn(),
                state.getShardId(),
                "record " + sequenceNumber + " of shard " + state.getShardId());
        Long size = record.dynamodb().sizeBytes();
        if (size != null) {
            metrics.bytesIn(size);
        }
        state.setLastSequenceNumber(sequenceNumber);
    }

    /**
     * A snapshot row goes through the same deserializer as changes, with the segment as its shard
     * id; the segment's progress moves past it even when the deserializer emitted nothing.
     */
    private void emitSnapshotRow(
            ShardElement element, SourceOutput<T> output, ScanSegmentSplitState state)
            throws Exception {
        Record row = element.record();
        if (row != null) {
            ScanSegmentSplit segment = state.toSplit();
            deserialize(
                    row,
                    output,
                    segment.getStreamArn(),
                    segment.shardIdOfRows(),
                    "snapshot row " + row.dynamodb().keys() + " of " + segment.splitId());
        }
        state.emittedUpTo(element.segmentKeyAfter());
        if (element.segmentKeyAfter() == null && deserializer instanceof MergeInputDeserializer) {
            // The merge after a snapshot-then-stream source learns from these when a table's
            // snapshot is over. Its timestamp moves no watermark.
            ScanSegmentSplit segment = state.toSplit();
            @SuppressWarnings("unchecked")
            SourceOutput<ChangeEvent> merge = (SourceOutput<ChangeEvent>) output;
            merge.collect(
                    SegmentEnds.of(segment.getStreamArn(), segment.shardIdOfRows(), Instant.now()),
                    Long.MIN_VALUE);
        }
        if (element.segmentKeyAfter() == null) {
            // The segment's last row: its split output no longer holds the subtask's watermark
            // back, so a subtask left without splits goes idle instead of keeping its watermark
            // at this row's read time (which would stall event time downstream).
            output.markIdle();
        }
    }

    private void deserialize(
            Record record, SourceOutput<T> output, String streamArn, String shardId, String where)
            throws Exception {
        Instant created = record.dynamodb().approximateCreationDateTime();
        collector.output = output;
        collector.timestamp = created == null ? Long.MIN_VALUE : created.toEpochMilli();
        try {
            deserializer.deserialize(record, streamArn, shardId, collector);
        } catch (DownstreamFailure e) {
            // Not the deserializer's fault: an operator chained after the source failed. It must
            // fail the task as it would anywhere else, never count as a skippable record.
            throw e.failure;
        } catch (Exception e) {
            onDeserializationError(where, e);
        }
    }

    private void onDeserializationError(String where, Exception e) throws IOException {
        if (!skipDeserializationErrors) {
            throw new IOException(
                    "The deserializer failed on "
                            + where
                            + ". Fix the deserializer, or set 'source.on-deserialization-error' "
                            + "to SKIP to drop such records.",
                    e);
        }
        metrics.deserializationErrors.inc();
        // One warning per error would flood the log when a whole stream is malformed.
        if (metrics.deserializationErrors() == 1) {
            LOG.warn(
                    "Skipping {}: the deserializer failed (logged once; see the "
                            + "deserializationErrors metric for the count)",
                    where,
                    e);
        } else {
            LOG.debug("Skipping {}: the deserializer failed", where, e);
        }
    }

    private static final class OutputCollector<T> implements Collector<T> {
        private SourceOutput<T> output;
        private long timestamp;

        @Override
        public void collect(T value) {
            try {
                if (timestamp == Long.MIN_VALUE) {
                    output.collect(value);
                } else {
                    output.collect(value, timestamp);
                }
            } catch (RuntimeException e) {
                // The output runs the chained operators in this call: tell their failures apart
                // from the deserializer's own.
                throw new DownstreamFailure(e);
            }
        }

        @Override
        public void close() {}
    }

    /** Carries a failure of the output (chained operators) through the deserializer. */
    private static final class DownstreamFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final RuntimeException failure;

        DownstreamFailure(RuntimeException failure) {
            super(failure);
            this.failure = failure;
        }
    }
}
