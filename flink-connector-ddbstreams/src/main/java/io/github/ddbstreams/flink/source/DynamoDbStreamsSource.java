package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumStateSerializer;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumerator;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import io.github.ddbstreams.flink.source.enumerator.StreamEnumState;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.reader.DynamoDbStreamsSourceReader;
import io.github.ddbstreams.flink.source.reader.SegmentReaderSettings;
import io.github.ddbstreams.flink.source.reader.SegmentSplitReader;
import io.github.ddbstreams.flink.source.reader.ShardReaderMetrics;
import io.github.ddbstreams.flink.source.reader.ShardReaderSettings;
import io.github.ddbstreams.flink.source.reader.ShardRecordEmitter;
import io.github.ddbstreams.flink.source.reader.ShardSplitReader;
import io.github.ddbstreams.flink.source.reader.SnapshotReaderMetrics;
import io.github.ddbstreams.flink.source.snapshot.MergeInputDeserializer;
import io.github.ddbstreams.flink.source.snapshot.SnapshotThenStream;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.DynamoDbSplitSerializer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
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
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
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
 * <p>One source can read several streams ({@code .streamArns(a, b)} or {@code .tableNames("orders",
 * "customers")}): their shards are balanced over the subtasks together, order holds per item within
 * each stream, and each stream may have its own starting position. A {@code ChangeEvent} names its
 * stream and table.
 *
 * @param <T> the type of the emitted records ({@link io.github.ddbstreams.flink.format.ChangeEvent}
 *     unless another deserializer is set)
 */
@PublicEvolving
public final class DynamoDbStreamsSource<T>
        implements Source<T, DynamoDbSplit, DynamoDbStreamsSourceEnumState>,
                ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    /** Set when the streams are given by ARN; else {@link #tableNames} is. */
    private final List<String> streamArns;

    private final List<String> tableNames;
    private final StartingPosition startingPosition;

    /** Per-stream starting positions, by stream ARN or table name as configured. */
    private final Map<String, StartingPosition> streamStartingPositions;

    private final DynamoDbStreamsDeserializer<T> deserializer;
    private final AwsConfig awsConfig;
    private final Configuration config;
    private final boolean bounded;

    /**
     * Fixed when the source is built and carried with it in the job graph, so every enumerator and
     * reader of the job agrees on what LATEST means and where a bounded read ends.
     */
    private final JobStart jobStart;

    private final StreamsClientFactory clientFactory;

    /**
     * Whether the per-item merge of a snapshot-then-stream follows this source ({@link #addTo}).
     */
    private final boolean mergedDownstream;

    /**
     * @param mergedDownstream whether {@link #addTo} put the per-item merge after this source (a
     *     snapshot-then-stream source refuses to start without it)
     */
    DynamoDbStreamsSource(
            List<String> streamArns,
            List<String> tableNames,
            StartingPosition startingPosition,
            Map<String, StartingPosition> streamStartingPositions,
            DynamoDbStreamsDeserializer<T> deserializer,
            AwsConfig awsConfig,
            Configuration config,
            boolean bounded,
            JobStart jobStart,
            StreamsClientFactory clientFactory,
            boolean mergedDownstream) {
        this.mergedDownstream = mergedDownstream;
        this.streamArns = new ArrayList<>(streamArns);
        this.tableNames = new ArrayList<>(tableNames);
        this.startingPosition = startingPosition;
        this.streamStartingPositions = new LinkedHashMap<>(streamStartingPositions);
        this.deserializer = deserializer;
        this.awsConfig = awsConfig;
        this.config = config;
        this.bounded = bounded;
        this.jobStart = jobStart;
        this.clientFactory = clientFactory;
    }

    /** A builder; see {@link DynamoDbStreamsSourceBuilder} for every setting. */
    public static <T> DynamoDbStreamsSourceBuilder<T> builder() {
        return new DynamoDbStreamsSourceBuilder<>();
    }

    /**
     * Adds this source to {@code env}, as {@code env.fromSource(this, watermarks, name)} does; a
     * source that starts with {@link StartingPosition#initialSnapshot()} and is not bounded must be
     * added this way: it adds the per-item merge of the table's contents with its changes after the
     * source (keyed by item, in Flink state), then {@code watermarks}. Operator uids derive from
     * {@code name}.
     *
     * @return the source's records (for snapshot-then-stream: each item's snapshot row, then its
     *     changes, as one valid history per item)
     */
    public DataStream<T> addTo(
            StreamExecutionEnvironment env, WatermarkStrategy<T> watermarks, String name) {
        return addTo(env, watermarks, name, name);
    }

    /**
     * {@link #addTo(StreamExecutionEnvironment, WatermarkStrategy, String)} with the uids of a
     * snapshot-then-stream's operators starting with {@code uidPrefix} instead of the name, or none
     * if it is null: for the SQL connector, whose planner generates uids for compiled plans only.
     */
    @Internal
    public DataStream<T> addTo(
            StreamExecutionEnvironment env,
            WatermarkStrategy<T> watermarks,
            String name,
            @Nullable String uidPrefix) {
        if (!snapshotThenStream()) {
            return env.fromSource(this, watermarks, name);
        }
        return SnapshotThenStream.build(
                env,
                new DynamoDbStreamsSource<>(
                        streamArns,
                        tableNames,
                        startingPosition,
                        streamStartingPositions,
                        new MergeInputDeserializer(deserializer.supportedStreamViewTypes()),
                        awsConfig,
                        config,
                        false,
                        jobStart,
                        clientFactory,
                        true),
                deserializer,
                watermarks,
                name,
                uidPrefix,
                config.get(DynamoDbStreamsSourceOptions.SNAPSHOT_MAX_STREAM_LAG));
    }

    /** Whether a stream starts with its table's snapshot and its changes follow (not bounded). */
    @Internal
    public boolean snapshotThenStream() {
        if (bounded) {
            return false;
        }
        if (startingPosition.getKind() == StartingPosition.Kind.INITIAL_SNAPSHOT) {
            return true;
        }
        for (StartingPosition position : streamStartingPositions.values()) {
            if (position.getKind() == StartingPosition.Kind.INITIAL_SNAPSHOT) {
                return true;
            }
        }
        return false;
    }

    private void checkMergedDownstream() {
        if (snapshotThenStream() && !mergedDownstream) {
            throw new IllegalStateException(
                    "This DynamoDB Streams source starts with StartingPosition.initialSnapshot() "
                            + "and then reads the changes: add it with source.addTo(env, "
                            + "watermarkStrategy, name), which adds the per-item merge after it, "
                            + "instead of env.fromSource(source, ...). (With bounded(), "
                            + "env.fromSource reads the contents only.)");
        }
    }

    @Override
    public Boundedness getBoundedness() {
        return bounded ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, DynamoDbSplit> createReader(SourceReaderContext readerContext)
            throws Exception {
        checkMergedDownstream();
        deserializer.open(new DeserializerContext(readerContext));
        ShardReaderSettings settings =
                bounded
                        ? ShardReaderSettings.bounded(config, jobStart.millis())
                        : ShardReaderSettings.unbounded(config);
        ShardReaderMetrics metrics = new ShardReaderMetrics(readerContext.metricGroup());
        metrics.countBytesInto(
                readerContext.metricGroup().getIOMetricGroup().getNumBytesInCounter());
        metrics.uncountTicksFrom(
                readerContext.metricGroup().getIOMetricGroup().getNumRecordsInCounter());
        boolean skipBadRecords =
                config.get(DynamoDbStreamsSourceOptions.ON_DESERIALIZATION_ERROR)
                        == DynamoDbStreamsSourceOptions.OnDeserializationError.SKIP;
        // The whole source's read-unit budget, shared equally by its subtasks.
        double unitsPerSecond =
                config.getOptional(DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND)
                        .map(units -> units / Math.max(1, readerContext.currentParallelism()))
                        .orElse(0.0);
        SegmentReaderSettings segmentSettings =
                SegmentReaderSettings.of(
                        config,
                        config.get(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE),
                        unitsPerSecond);
        // Registered with the first Scan segment only: a reader of streams shows no snapshot
        // metrics.
        AtomicReference<SnapshotReaderMetrics> snapshotMetrics = new AtomicReference<>();
        return new DynamoDbStreamsSourceReader<>(
                () -> new ShardSplitReader(clientFactory.create(awsConfig), settings, metrics),
                () ->
                        new SegmentSplitReader(
                                clientFactory.create(awsConfig),
                                segmentSettings,
                                snapshotMetrics.updateAndGet(
                                        m ->
                                                m != null
                                                        ? m
                                                        : new SnapshotReaderMetrics(
                                                                readerContext.metricGroup()))),
                new ShardRecordEmitter<>(deserializer, skipBadRecords, metrics),
                config,
                readerContext);
    }

    @Override
    public SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> createEnumerator(
            SplitEnumeratorContext<DynamoDbSplit> context) {
        return newEnumerator(context, null);
    }

    @Override
    public SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<DynamoDbSplit> context, DynamoDbStreamsSourceEnumState state) {
        // A restored job keeps reading the streams it checkpointed, even if a table has a newer
        // one: their positions are sequence numbers of those streams. Streams configured since
        // are added.
        return newEnumerator(context, state);
    }

    /**
     * An enumerator of the configured streams. No AWS call here: Flink creates the enumerator on
     * the coordinator thread, so the enumerator looks up the tables' streams when it starts.
     */
    private DynamoDbStreamsSourceEnumerator newEnumerator(
            SplitEnumeratorContext<DynamoDbSplit> context,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        checkMergedDownstream();
        Map<String, StartingPosition> streams = new LinkedHashMap<>();
        for (String arn : streamArns) {
            streams.put(arn, streamStartingPositions.getOrDefault(arn, startingPosition));
        }
        // A configured table that the restored state already reads (under any of its streams)
        // is not looked up again.
        Map<String, StartingPosition> tablesToResolve = new LinkedHashMap<>();
        for (String table : tableNames) {
            StartingPosition start = streamStartingPositions.getOrDefault(table, startingPosition);
            String arn = restored == null ? null : restoredStreamOf(restored, table);
            if (arn != null) {
                streams.put(arn, start);
            } else {
                tablesToResolve.put(table, start);
            }
        }
        return new DynamoDbStreamsSourceEnumerator(
                context,
                clientFactory.create(awsConfig),
                streams,
                tablesToResolve,
                new EnumeratorSettings(
                        startingPosition,
                        config,
                        bounded,
                        deserializer.supportedStreamViewTypes(),
                        jobStart.forNewEnumerator()),
                new LineageAffinityAssigner(),
                restored,
                DescribeStreamPacer.Clock.SYSTEM);
    }

    /**
     * The table's first stream in the state. A stream the source followed to (FOLLOW_NEW_STREAM)
     * comes after the one it followed and is restored from the state on its own; mapping the table
     * to it instead would give it the table's configured starting position, not TRIM_HORIZON.
     */
    @Nullable
    private static String restoredStreamOf(DynamoDbStreamsSourceEnumState state, String table) {
        for (StreamEnumState stream : state.getStreams()) {
            if (table.equals(StreamArns.tableName(stream.getStreamArn()))) {
                return stream.getStreamArn();
            }
        }
        return null;
    }

    @Override
    public SimpleVersionedSerializer<DynamoDbSplit> getSplitSerializer() {
        return new DynamoDbSplitSerializer();
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
                + (streamArns.isEmpty() ? "tableNames=" + tableNames : "streamArns=" + streamArns)
                + ", startingPosition="
                + startingPosition
                + (streamStartingPositions.isEmpty() ? "" : " " + streamStartingPositions)
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
