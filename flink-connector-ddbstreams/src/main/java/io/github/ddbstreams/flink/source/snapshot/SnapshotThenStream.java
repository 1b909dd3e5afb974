package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import java.time.Duration;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The pipeline of a snapshot-then-stream source: the source, emitting {@link ChangeEvent}s with its
 * progress clock as watermarks; the per-item merge, keyed by item; the user's deserializer; the
 * user's watermark strategy.
 */
@Internal
public final class SnapshotThenStream {

    /** How long a released row is kept to repair a change that appeared later than the margin. */
    public static final Duration LATE_WINDOW = Duration.ofMinutes(1);

    private SnapshotThenStream() {}

    /**
     * @param input the source, emitting change events, marked as followed by the merge
     * @param deserializer the deserializer the user's source was built with
     * @param margin how late a change may appear in the stream after its creation time
     */
    @SuppressWarnings("unchecked")
    public static <T> DataStream<T> build(
            StreamExecutionEnvironment env,
            DynamoDbStreamsSource<ChangeEvent> input,
            DynamoDbStreamsDeserializer<T> deserializer,
            WatermarkStrategy<T> watermarks,
            String name,
            Duration margin) {
        // Record timestamps are creation times (a snapshot row's: its read time); the split
        // watermarks of shards say how far each shard is read: the merge's progress clock.
        DataStream<ChangeEvent> merged =
                env.fromSource(input, WatermarkStrategy.forMonotonousTimestamps(), name)
                        .uid(name + "/source")
                        .keyBy(new ItemKeySelector())
                        .process(
                                new SnapshotMergeFunction(
                                        margin.toMillis(), LATE_WINDOW.toMillis()))
                        .name(name + ": snapshot merge")
                        .uid(name + "/snapshot-merge");
        DataStream<T> out =
                deserializer instanceof ChangeEventDeserializer
                        ? (DataStream<T>) merged
                        : merged.flatMap(new MergedChangeDeserializer<>(deserializer))
                                .name(name + ": deserializer")
                                .uid(name + "/deserializer");
        return out.assignTimestampsAndWatermarks(watermarks)
                .name(name + ": watermarks")
                .uid(name + "/watermarks");
    }
}
