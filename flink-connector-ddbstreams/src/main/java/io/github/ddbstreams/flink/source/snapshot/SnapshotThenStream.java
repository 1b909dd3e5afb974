package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import java.time.Duration;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
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
     * @param name the operators' names start with it
     * @param uidPrefix the operators' uids start with it (their state is found by them on restore);
     *     null: no uids, Flink derives the operators' ids from the job graph
     * @param margin how late a change may appear in the stream after its creation time
     */
    @SuppressWarnings("unchecked")
    public static <T> DataStream<T> build(
            StreamExecutionEnvironment env,
            DynamoDbStreamsSource<ChangeEvent> input,
            DynamoDbStreamsDeserializer<T> deserializer,
            WatermarkStrategy<T> watermarks,
            String name,
            @Nullable String uidPrefix,
            Duration margin) {
        // Record timestamps are creation times (a snapshot row's: its read time); the split
        // watermarks of shards say how far each shard is read: the merge's progress clock.
        SingleOutputStreamOperator<ChangeEvent> source =
                env.fromSource(input, WatermarkStrategy.forMonotonousTimestamps(), name);
        // Rows and changes go to their item's merge; segment ends to every subtask of it.
        SingleOutputStreamOperator<ChangeEvent> ends =
                source.filter(SegmentEnds::isSegmentEnd).name(name + ": segment ends");
        SingleOutputStreamOperator<ChangeEvent> items =
                source.filter(event -> !SegmentEnds.isSegmentEnd(event)).name(name + ": items");
        SingleOutputStreamOperator<ChangeEvent> merged =
                items.keyBy(new ItemKeySelector())
                        .connect(ends.broadcast())
                        .transform(
                                name + ": snapshot merge",
                                source.getType(),
                                new SnapshotMergeOperator(
                                        new SnapshotMergeFunction(
                                                margin.toMillis(), LATE_WINDOW.toMillis())));
        SingleOutputStreamOperator<T> out =
                deserializer instanceof ChangeEventDeserializer
                        ? (SingleOutputStreamOperator<T>) merged
                        : merged.flatMap(new MergedChangeDeserializer<>(deserializer))
                                .name(name + ": deserializer");
        SingleOutputStreamOperator<T> timed =
                out.assignTimestampsAndWatermarks(watermarks).name(name + ": watermarks");
        if (uidPrefix != null) {
            source.uid(uidPrefix + "/source");
            ends.uid(uidPrefix + "/segment-ends");
            items.uid(uidPrefix + "/items");
            merged.uid(uidPrefix + "/snapshot-merge");
            if (out != merged) {
                out.uid(uidPrefix + "/deserializer");
            }
            timed.uid(uidPrefix + "/watermarks");
        }
        return timed;
    }
}
