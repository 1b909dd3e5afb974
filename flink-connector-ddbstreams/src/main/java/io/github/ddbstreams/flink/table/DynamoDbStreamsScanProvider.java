package io.github.ddbstreams.flink.table;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import java.lang.reflect.InvocationTargetException;
import java.util.Optional;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.data.RowData;

/**
 * Adds the table's {@link DynamoDbStreamsSource} to the job with its watermark strategy. A {@code
 * SourceProvider} would be simpler, but the planner always gives those {@code noWatermarks()}: only
 * {@code fromSource} with the strategy makes Flink's reader generate watermarks per shard.
 */
@Internal
final class DynamoDbStreamsScanProvider implements DataStreamScanProvider {

    /**
     * The key the planner's own source path uses for the scan's uid: keeping it keeps the uids of
     * compiled plans (and so their savepoints) from before watermark push-down.
     */
    static final String UID_KEY = "source";

    private final DynamoDbStreamsSource<RowData> source;
    private final WatermarkStrategy<RowData> watermarkStrategy;
    private final TypeInformation<RowData> producedType;
    @Nullable private final Integer parallelism;
    private final String fallbackName;

    DynamoDbStreamsScanProvider(
            DynamoDbStreamsSource<RowData> source,
            WatermarkStrategy<RowData> watermarkStrategy,
            TypeInformation<RowData> producedType,
            @Nullable Integer parallelism,
            String fallbackName) {
        this.source = source;
        this.watermarkStrategy = watermarkStrategy;
        this.producedType = producedType;
        this.parallelism = parallelism;
        this.fallbackName = fallbackName;
    }

    @Override
    public DataStream<RowData> produceDataStream(
            ProviderContext context, StreamExecutionEnvironment env) {
        String name = plannerText(context, "getName").orElse(fallbackName);
        if (source.snapshotThenStream()) {
            // 'initial': the table's contents, then its changes, merged per item after the source.
            // The planner's uid (compiled plans, or table.exec.uid.generation = ALWAYS) prefixes
            // every operator's, so that the merge's state is found on restore as the source's is;
            // without one, Flink derives the ids from the job graph, as for the statement's others.
            return source.addTo(
                    env, watermarkStrategy, name, context.generateUid(UID_KEY).orElse(null));
        }
        DataStreamSource<RowData> stream =
                env.fromSource(source, watermarkStrategy, name, producedType);
        plannerText(context, "getDescription").ifPresent(stream::setDescription);
        context.generateUid(UID_KEY).ifPresent(stream::uid);
        return stream;
    }

    /**
     * The planner's operator name or description. Flink 2.x hands them over only through the
     * context and no longer names the operator itself; Flink 1.20's context lacks these methods
     * (its planner names the operator after this provider ran), so they are looked up by name to
     * compile against both.
     */
    private static Optional<String> plannerText(ProviderContext context, String method) {
        try {
            Object text = ProviderContext.class.getMethod(method).invoke(context);
            return Optional.ofNullable((String) text).filter(s -> !s.isEmpty());
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return Optional.empty();
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(
                    "The planner's ProviderContext#" + method + " failed", e.getCause());
        }
    }

    @Override
    public boolean isBounded() {
        return source.getBoundedness() == Boundedness.BOUNDED;
    }

    @Override
    public Optional<Integer> getParallelism() {
        return Optional.ofNullable(parallelism);
    }

    DynamoDbStreamsSource<RowData> source() {
        return source;
    }

    WatermarkStrategy<RowData> watermarkStrategy() {
        return watermarkStrategy;
    }
}
