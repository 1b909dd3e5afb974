package io.github.ddbstreams.flink.source.reader;

import java.lang.reflect.Field;
import org.apache.flink.api.common.eventtime.NoWatermarksGenerator;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarksWithIdleness;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.streaming.api.operators.source.SourceOutputWithWatermarks;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Emits caught-up shards' watermarks into their split outputs, unless the job's {@code
 * WatermarkStrategy} makes no watermarks.
 *
 * <p>A split output that Flink creates for a streaming job keeps one watermark per split, the
 * larger of what its generator (the strategy's) and {@link SourceOutput#emitWatermark} gave, and
 * combines the splits by their minimum. So a caught-up shard's watermark lifts only that shard's,
 * never lowers it, and a shard behind still holds the subtask back. In a batch job the output drops
 * watermarks.
 *
 * <p>But that output would also pass the watermark on when the strategy is {@code
 * WatermarkStrategy.noWatermarks()}, which must mean none at all. Flink gives a source no view of
 * the strategy; its generator sits in a private field of the split output, read here once per
 * reader by reflection ({@code WatermarksWithIdleness} unwrapped). If that field cannot be read
 * (another Flink version), no caught-up watermark is emitted, with one warning: today's behaviour,
 * never a watermark the user did not ask for. Task thread only.
 */
final class CaughtUpWatermarks {
    private static final Logger LOG = LoggerFactory.getLogger(CaughtUpWatermarks.class);

    /** Null until the first Flink split output was seen; then whether it takes watermarks. */
    private Boolean strategyMakesWatermarks;

    /**
     * Emits {@code watermarkMillis} into a shard's split output if the strategy makes watermarks.
     * Returns whether it was emitted.
     */
    boolean emit(SourceOutput<?> output, long watermarkMillis) {
        if (output instanceof SourceOutputWithWatermarks) {
            if (strategyMakesWatermarks == null) {
                strategyMakesWatermarks = makesWatermarks((SourceOutputWithWatermarks<?>) output);
            }
            if (!strategyMakesWatermarks) {
                return false;
            }
        }
        output.emitWatermark(new Watermark(watermarkMillis));
        return true;
    }

    /** Whether the split output's generator is anything but Flink's no-watermarks one. */
    static boolean makesWatermarks(SourceOutputWithWatermarks<?> output) {
        try {
            Object generator = read(SourceOutputWithWatermarks.class, "watermarkGenerator", output);
            while (generator instanceof WatermarksWithIdleness) {
                generator = read(WatermarksWithIdleness.class, "watermarks", generator);
            }
            return generator instanceof WatermarkGenerator
                    && !(generator instanceof NoWatermarksGenerator);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn(
                    "Cannot tell whether the job's WatermarkStrategy makes watermarks ({}): "
                            + "caught-up shards do not advance the watermark "
                            + "(source.watermark.caught-up-shards.enabled); set withIdleness on "
                            + "the strategy for quiet shards.",
                    e.toString());
            return false;
        }
    }

    private static Object read(Class<?> type, String fieldName, Object target)
            throws ReflectiveOperationException {
        Field field = type.getDeclaredField(fieldName);
        field.setAccessible(true);
        return field.get(target);
    }
}
