package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.eventtime.BoundedOutOfOrdernessWatermarks;
import org.apache.flink.api.common.eventtime.NoWatermarksGenerator;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkOutputMultiplexer;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.streaming.api.operators.source.SourceOutputWithWatermarks;
import org.apache.flink.streaming.runtime.io.PushingAsyncDataInput;
import org.apache.flink.util.Collector;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * A caught-up tick through {@link ShardRecordEmitter} into the split outputs Flink builds for a
 * streaming job (Flink's own {@link SourceOutputWithWatermarks} per split, combined by a {@link
 * WatermarkOutputMultiplexer}): it lifts only its own shard's watermark, combines with the
 * strategy's generator, never lowers a watermark, and is not emitted at all when the strategy makes
 * no watermarks. Ticks are no records in {@code numRecordsIn}.
 */
class CaughtUpWatermarksTest {

    private final List<Long> combined = new ArrayList<>();
    private final WatermarkOutputMultiplexer splits =
            new WatermarkOutputMultiplexer(
                    new WatermarkOutput() {
                        @Override
                        public void emitWatermark(Watermark watermark) {
                            combined.add(watermark.getTimestamp());
                        }

                        @Override
                        public void markIdle() {}

                        @Override
                        public void markActive() {}
                    });
    private final SimpleCounter numRecordsIn = new SimpleCounter();
    private final ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
    private final ShardRecordEmitter<String> emitter =
            new ShardRecordEmitter<>(new SequenceNumbers(), false, metrics);

    CaughtUpWatermarksTest() {
        metrics.uncountTicksFrom(numRecordsIn);
    }

    @Test
    void withNoWatermarksNothingIsEmitted() throws Exception {
        SourceOutputWithWatermarks<String> plain = splitOutput("a", new NoWatermarksGenerator<>());
        SourceOutputWithWatermarks<String> idle =
                splitOutput(
                        "b",
                        new WatermarksWithIdleness<>(
                                new NoWatermarksGenerator<>(),
                                Duration.ofSeconds(1),
                                SystemClock.getInstance()));

        tick(plain, 5_000);
        tick(idle, 5_000);
        tick(plain, 6_000);
        tick(idle, 6_000);
        splits.onPeriodicEmit();

        assertThat(combined).isEmpty();
        assertThat(metrics.caughtUpWatermarks()).isZero();
        assertThat(numRecordsIn.getCount()).isZero();
    }

    @Test
    void aTickLiftsItsShardAboveTheGeneratorsWatermarkAndNeverLowersIt() throws Exception {
        SourceOutputWithWatermarks<String> shard = splitOutput("a", outOfOrderness());
        record(shard, 1_000);
        periodicEmit(shard);
        assertThat(combined).containsExactly(1_000L - 100 - 1);

        tick(shard, 5_000);
        tick(shard, 4_000);
        record(shard, 2_000);
        periodicEmit(shard);
        record(shard, 6_000);
        periodicEmit(shard);

        assertThat(combined).containsExactly(899L, 5_000L, 6_000L - 100 - 1);
        assertThat(metrics.caughtUpWatermarks()).isEqualTo(2);
        // Three records, two ticks: Flink's reader counted five elements.
        assertThat(numRecordsIn.getCount()).isEqualTo(3);
    }

    @Test
    void aCaughtUpShardDoesNotLiftTheSubtaskPastAShardThatIsBehind() throws Exception {
        SourceOutputWithWatermarks<String> behind = splitOutput("behind", outOfOrderness());
        SourceOutputWithWatermarks<String> quiet = splitOutput("quiet", outOfOrderness());
        record(behind, 1_000);
        tick(quiet, 60_000);
        periodicEmit(behind, quiet);

        assertThat(combined).containsExactly(899L);

        record(behind, 70_000);
        periodicEmit(behind, quiet);

        assertThat(combined).containsExactly(899L, 60_000L);
    }

    /** Emits a record created at {@code millis} through the emitter, as Flink's reader does. */
    private void record(SourceOutput<String> output, long millis) throws Exception {
        numRecordsIn.inc();
        Record record =
                SampleRecords.insert(
                                Long.toString(millis),
                                Map.of("pk", AttributeValue.fromS("a")),
                                Map.of("pk", AttributeValue.fromS("a")))
                        .toBuilder()
                        .dynamodb(
                                StreamRecord.builder()
                                        .sequenceNumber(Long.toString(millis))
                                        .approximateCreationDateTime(Instant.ofEpochMilli(millis))
                                        .build())
                        .build();
        emitter.emitRecord(ShardElement.record(record), output, state());
    }

    private void tick(SourceOutput<String> output, long watermark) throws Exception {
        numRecordsIn.inc();
        emitter.emitRecord(ShardElement.caughtUp(watermark), output, state());
    }

    @SafeVarargs
    private void periodicEmit(SourceOutputWithWatermarks<String>... outputs) {
        for (SourceOutputWithWatermarks<String> output : outputs) {
            output.emitPeriodicWatermark();
        }
        splits.onPeriodicEmit();
    }

    private static WatermarkGenerator<String> outOfOrderness() {
        return new BoundedOutOfOrdernessWatermarks<>(Duration.ofMillis(100));
    }

    /** The output Flink's ProgressiveTimestampsAndWatermarks makes for one split. */
    private SourceOutputWithWatermarks<String> splitOutput(
            String splitId, WatermarkGenerator<String> generator) {
        splits.registerNewOutput(
                splitId, ignoring(WatermarkOutputMultiplexer.WatermarkUpdateListener.class));
        return SourceOutputWithWatermarks.createWithSeparateOutputs(
                recordsDropped(),
                splits.getImmediateOutput(splitId),
                splits.getDeferredOutput(splitId),
                (event, timestamp) -> timestamp,
                generator);
    }

    @SuppressWarnings("unchecked")
    private static PushingAsyncDataInput.DataOutput<String> recordsDropped() {
        return ignoring(PushingAsyncDataInput.DataOutput.class);
    }

    /**
     * An implementation that ignores every call; a proxy, since these interfaces have other methods
     * on each Flink line.
     */
    private static <I> I ignoring(Class<I> type) {
        return type.cast(
                Proxy.newProxyInstance(
                        CaughtUpWatermarksTest.class.getClassLoader(),
                        new Class<?>[] {type},
                        (proxy, method, args) -> null));
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

    /** Emits each record's sequence number. */
    private static final class SequenceNumbers implements DynamoDbStreamsDeserializer<String> {
        @Override
        public void deserialize(Record record, String arn, String shard, Collector<String> out) {
            out.collect(record.dynamodb().sequenceNumber());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
