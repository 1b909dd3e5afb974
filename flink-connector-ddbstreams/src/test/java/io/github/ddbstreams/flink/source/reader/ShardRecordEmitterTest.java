package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.format.SnapshotRecords;
import io.github.ddbstreams.flink.source.snapshot.MergeInputDeserializer;
import io.github.ddbstreams.flink.source.snapshot.SegmentEnds;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplitState;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Deserialization errors versus failures of the operators chained after the source. */
class ShardRecordEmitterTest {

    private static final Record RECORD =
            SampleRecords.insert(
                    "100",
                    Map.of("pk", AttributeValue.fromS("a")),
                    Map.of("pk", AttributeValue.fromS("a")));

    /** Emits the record's sequence number, or fails if told to. */
    private static final class SequenceNumbers implements DynamoDbStreamsDeserializer<String> {
        private final boolean fail;

        SequenceNumbers(boolean fail) {
            this.fail = fail;
        }

        @Override
        public void deserialize(Record record, String arn, String shard, Collector<String> out)
                throws IOException {
            if (fail) {
                throw new IOException("malformed");
            }
            out.collect(record.dynamodb().sequenceNumber());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    /** Stands for a chained operator: the first {@code failures} records make it throw. */
    private static final class Output<T> implements SourceOutput<T> {
        final List<T> collected = new ArrayList<>();
        int failures;

        @Override
        public void collect(T record) {
            collect(record, Long.MIN_VALUE);
        }

        @Override
        public void collect(T record, long timestamp) {
            if (failures-- > 0) {
                throw new IllegalStateException("mapper failed on " + record);
            }
            collected.add(record);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    private static ShardSplitState state() {
        return new ShardSplitState(
                new ShardSplit(
                        SampleRecords.STREAM_ARN,
                        SampleRecords.SHARD_ID,
                        null,
                        ShardPosition.trimHorizon(),
                        false));
    }

    @Test
    void aChainedOperatorFailureFailsTheTaskEvenWhenDeserializationErrorsAreSkipped() {
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardRecordEmitter<String> emitter =
                new ShardRecordEmitter<>(new SequenceNumbers(false), true, metrics);
        Output<String> output = new Output<>();
        output.failures = 1;
        ShardSplitState state = state();

        assertThatThrownBy(() -> emitter.emitRecord(ShardElement.record(RECORD), output, state))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("mapper failed on 100");
        assertThat(metrics.deserializationErrors()).isZero();
        // The record was not emitted, so the position must not move past it.
        assertThat(state.toSplit().getPosition()).isEqualTo(ShardPosition.trimHorizon());
    }

    @Test
    void aDeserializerFailureIsSkippedAndCountedWhenSoConfigured() throws Exception {
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardRecordEmitter<String> emitter =
                new ShardRecordEmitter<>(new SequenceNumbers(true), true, metrics);
        ShardSplitState state = state();

        emitter.emitRecord(ShardElement.record(RECORD), new Output<>(), state);

        assertThat(metrics.deserializationErrors()).isEqualTo(1);
        assertThat(state.toSplit().getPosition())
                .isEqualTo(ShardPosition.afterSequenceNumber("100"));
    }

    @Test
    void aDeserializerFailureFailsByDefault() {
        ShardRecordEmitter<String> emitter = new ShardRecordEmitter<>(new SequenceNumbers(true));

        assertThatThrownBy(
                        () ->
                                emitter.emitRecord(
                                        ShardElement.record(RECORD), new Output<>(), state()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("The deserializer failed on record 100");
    }

    @Test
    void emittedRecordsCountTheirSizeIntoNumBytesIn() throws Exception {
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        org.apache.flink.metrics.SimpleCounter numBytesIn =
                new org.apache.flink.metrics.SimpleCounter();
        metrics.countBytesInto(numBytesIn);
        ShardRecordEmitter<String> emitter =
                new ShardRecordEmitter<>(new SequenceNumbers(false), false, metrics);

        emitter.emitRecord(ShardElement.record(RECORD), new Output<>(), state());
        emitter.emitRecord(ShardElement.record(RECORD), new Output<>(), state());

        assertThat(numBytesIn.getCount()).isEqualTo(2 * RECORD.dynamodb().sizeBytes());
        assertThat(numBytesIn.getCount()).isPositive();
    }

    @Test
    void aSegmentsLastRowIsFollowedByItsEndOnlyForTheMergeAfterTheSource() throws Exception {
        Record row =
                SnapshotRecords.of(
                        Map.of("pk", AttributeValue.fromS("a")),
                        List.of("pk"),
                        Instant.ofEpochMilli(1_000),
                        StreamViewType.NEW_AND_OLD_IMAGES);
        Map<String, AttributeValue> keyAfterFirst = Map.of("pk", AttributeValue.fromS("a"));

        Output<ChangeEvent> toMergeOutput = new Output<>();
        List<ChangeEvent> merged = toMergeOutput.collected;
        ShardRecordEmitter<ChangeEvent> toMerge =
                new ShardRecordEmitter<>(
                        new MergeInputDeserializer(EnumSet.of(StreamViewType.NEW_AND_OLD_IMAGES)));
        ScanSegmentSplitState segment =
                new ScanSegmentSplitState(
                        ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, "orders", 2, 4));
        toMerge.emitRecord(ShardElement.snapshotRow(row, keyAfterFirst), toMergeOutput, segment);
        assertThat(merged).hasSize(1).noneMatch(SegmentEnds::isSegmentEnd);
        toMerge.emitRecord(ShardElement.snapshotRow(row, null), toMergeOutput, segment);

        assertThat(merged).hasSize(3);
        ChangeEvent end = merged.get(2);
        assertThat(SegmentEnds.isSegmentEnd(end)).isTrue();
        assertThat(end.getShardId()).isEqualTo("scan-2-of-4");
        assertThat(end.getApproximateCreationTime()).isAfter(Instant.ofEpochMilli(1_000));

        // Any other deserializer: rows only.
        Output<ChangeEvent> toUserOutput = new Output<>();
        List<ChangeEvent> plain = toUserOutput.collected;
        ShardRecordEmitter<ChangeEvent> toUser =
                new ShardRecordEmitter<>(ChangeEventDeserializer.create());
        ScanSegmentSplitState other =
                new ScanSegmentSplitState(
                        ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, "orders", 2, 4));
        toUser.emitRecord(ShardElement.snapshotRow(row, null), toUserOutput, other);
        assertThat(plain).hasSize(1).noneMatch(SegmentEnds::isSegmentEnd);
    }
}
