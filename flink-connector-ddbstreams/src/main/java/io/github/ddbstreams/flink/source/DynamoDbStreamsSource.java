package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumStateSerializer;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumerator;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.reader.DynamoDbStreamsSourceReader;
import io.github.ddbstreams.flink.source.reader.ShardReaderMetrics;
import io.github.ddbstreams.flink.source.reader.ShardReaderSettings;
import io.github.ddbstreams.flink.source.reader.ShardRecordEmitter;
import io.github.ddbstreams.flink.source.reader.ShardSplitReader;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.source.split.ShardSplitSerializer;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.UserCodeClassLoader;

/**
 * A FLIP-27 source that reads the change stream of a DynamoDB table.
 *
 * <pre>{@code
 * DynamoDbStreamsSource<ChangeEvent> source = DynamoDbStreamsSource.<ChangeEvent>builder()
 *     .streamArn(arn)                                     // or .tableName("orders")
 *     .startingPosition(StartingPosition.trimHorizon())
 *     .awsConfig(AwsConfig.builder().region("eu-west-1").build())
 *     .build();
 * env.fromSource(source, WatermarkStrategy.noWatermarks(), "orders-cdc");
 * }</pre>
 *
 * <p>Guarantees: every change is emitted once into Flink state (exactly-once with checkpointing),
 * in modification order per item: a shard's children are read only after the shard has been read to
 * its end, and by the same subtask. Checkpoints hold the sequence number of each shard's last
 * emitted record, so a job restored from a checkpoint or savepoint continues where it stopped.
 * Records carry their {@code ApproximateCreationDateTime} as event timestamp.
 *
 * @param <T> the type of the emitted records ({@link io.github.ddbstreams.flink.format.ChangeEvent}
 *     unless another deserializer is set)
 */
@PublicEvolving
public final class DynamoDbStreamsSource<T>
        implements Source<T, ShardSplit, DynamoDbStreamsSourceEnumState>, ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    @Nullable private final String streamArn;
    @Nullable private final String tableName;
    private final StartingPosition startingPosition;
    private final DynamoDbStreamsDeserializer<T> deserializer;
    private final AwsConfig awsConfig;
    private final Configuration config;
    private final boolean bounded;
    private final long boundedStartMillis;
    private final StreamsClientFactory clientFactory;

    DynamoDbStreamsSource(
            @Nullable String streamArn,
            @Nullable String tableName,
            StartingPosition startingPosition,
            DynamoDbStreamsDeserializer<T> deserializer,
            AwsConfig awsConfig,
            Configuration config,
            boolean bounded,
            long boundedStartMillis,
            StreamsClientFactory clientFactory) {
        this.streamArn = streamArn;
        this.tableName = tableName;
        this.startingPosition = startingPosition;
        this.deserializer = deserializer;
        this.awsConfig = awsConfig;
        this.config = config;
        this.bounded = bounded;
        this.boundedStartMillis = boundedStartMillis;
        this.clientFactory = clientFactory;
    }

    /** A builder; see {@link DynamoDbStreamsSourceBuilder} for every setting. */
    public static <T> DynamoDbStreamsSourceBuilder<T> builder() {
        return new DynamoDbStreamsSourceBuilder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, ShardSplit> createReader(SourceReaderContext readerContext)
            throws Exception {
        deserializer.open(new DeserializerContext(readerContext));
        ShardReaderSettings settings =
                bounded
                        ? ShardReaderSettings.bounded(config, boundedStartMillis)
                        : ShardReaderSettings.unbounded(config);
        ShardReaderMetrics metrics = new ShardReaderMetrics(readerContext.metricGroup());
        metrics.countBytesInto(
                readerContext.metricGroup().getIOMetricGroup().getNumBytesInCounter());
        boolean skipBadRecords =
                config.get(DynamoDbStreamsSourceOptions.ON_DESERIALIZATION_ERROR)
                        == DynamoDbStreamsSourceOptions.OnDeserializationError.SKIP;
        return new DynamoDbStreamsSourceReader<>(
                () -> new ShardSplitReader(clientFactory.create(awsConfig), settings, metrics),
                new ShardRecordEmitter<>(deserializer, skipBadRecords, metrics),
                config,
                readerContext);
    }

    @Override
    public SplitEnumerator<ShardSplit, DynamoDbStreamsSourceEnumState> createEnumerator(
            SplitEnumeratorContext<ShardSplit> context) {
        StreamsClient client = clientFactory.create(awsConfig);
        String arn = streamArn != null ? streamArn : client.resolveLatestStreamArn(tableName);
        return newEnumerator(context, client, arn, null);
    }

    @Override
    public SplitEnumerator<ShardSplit, DynamoDbStreamsSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<ShardSplit> context, DynamoDbStreamsSourceEnumState state) {
        // A restored job keeps reading the stream it checkpointed, even if the table has a newer
        // one: its positions are sequence numbers of that stream.
        return newEnumerator(context, clientFactory.create(awsConfig), state.getStreamArn(), state);
    }

    private DynamoDbStreamsSourceEnumerator newEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            String arn,
            @Nullable DynamoDbStreamsSourceEnumState state) {
        return new DynamoDbStreamsSourceEnumerator(
                context,
                client,
                arn,
                new EnumeratorSettings(
                        startingPosition, config, bounded, deserializer.supportedStreamViewTypes()),
                new LineageAffinityAssigner(),
                state);
    }

    @Override
    public SimpleVersionedSerializer<ShardSplit> getSplitSerializer() {
        return new ShardSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<DynamoDbStreamsSourceEnumState>
            getEnumeratorCheckpointSerializer() {
        return new DynamoDbStreamsSourceEnumStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    @Override
    public String toString() {
        return "DynamoDbStreamsSource{"
                + (streamArn != null ? "streamArn=" + streamArn : "tableName=" + tableName)
                + ", startingPosition="
                + startingPosition
                + ", bounded="
                + bounded
                + ", aws="
                + awsConfig
                + "}";
    }

    private static final class DeserializerContext
            implements org.apache.flink.api.common.serialization.DeserializationSchema
                    .InitializationContext {
        private final SourceReaderContext context;

        DeserializerContext(SourceReaderContext context) {
            this.context = context;
        }

        @Override
        public org.apache.flink.metrics.MetricGroup getMetricGroup() {
            return context.metricGroup();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return context.getUserCodeClassLoader();
        }
    }
}
