package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * Builds a {@link DynamoDbStreamsSource}. The streams to read are required: stream ARNs ({@link
 * #streamArn}, {@link #streamArns}) or table names ({@link #tableName}, {@link #tableNames}), not
 * both; everything else has a default. {@link #build()} checks every setting and names the
 * offending one in its error.
 *
 * @param <T> the emitted type; when no {@link #deserializer} is set the source emits {@link
 *     io.github.ddbstreams.flink.format.ChangeEvent}, so declare {@code T} as that type
 */
@PublicEvolving
public final class DynamoDbStreamsSourceBuilder<T> {

    /** arn:PARTITION:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL */
    private static final Pattern STREAM_ARN =
            Pattern.compile(
                    "arn:aws[a-zA-Z-]*:dynamodb:[a-z0-9-]+:\\d{12}:table/[A-Za-z0-9_.-]{3,255}/stream/\\S+");

    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z0-9_.-]{3,255}");

    private List<String> streamArns = List.of();
    private List<String> tableNames = List.of();
    private StartingPosition startingPosition = StartingPosition.latest();
    private final Map<String, StartingPosition> streamStartingPositions = new LinkedHashMap<>();
    private DynamoDbStreamsDeserializer<T> deserializer;
    private AwsConfig awsConfig;
    private final Configuration config = new Configuration();
    private boolean bounded;
    private StreamsClientFactory clientFactory = SdkStreamsClient::create;

    DynamoDbStreamsSourceBuilder() {}

    /** The stream to read, e.g. DescribeTable's {@code LatestStreamArn}. */
    public DynamoDbStreamsSourceBuilder<T> streamArn(String streamArn) {
        return streamArns(streamArn);
    }

    /**
     * The streams to read, in one source: their shards are balanced over the subtasks together, and
     * each record's {@link io.github.ddbstreams.flink.format.ChangeEvent#getStreamArn()} says which
     * stream it came from. Replaces earlier {@link #streamArn} calls.
     */
    public DynamoDbStreamsSourceBuilder<T> streamArns(String... streamArns) {
        this.streamArns = copyOf(streamArns);
        return this;
    }

    /**
     * The table whose current stream ({@code LatestStreamArn}) to read; resolved when the job
     * starts. A job restored from a checkpoint keeps reading the stream it checkpointed. To read
     * the table's next stream when its stream is disabled and enabled again, set {@link
     * DynamoDbStreamsSourceOptions#ON_STREAM_DISABLED} to {@code FOLLOW_NEW_STREAM}.
     */
    public DynamoDbStreamsSourceBuilder<T> tableName(String tableName) {
        return tableNames(tableName);
    }

    /**
     * The tables whose current streams to read, in one source; see {@link #tableName} and {@link
     * #streamArns}. Replaces earlier {@link #tableName} calls.
     */
    public DynamoDbStreamsSourceBuilder<T> tableNames(String... tableNames) {
        this.tableNames = copyOf(tableNames);
        return this;
    }

    /**
     * Where a job without a checkpoint starts reading each stream that has no position of its own
     * ({@link #startingPosition(String, StartingPosition)}); default {@link
     * StartingPosition#latest()}.
     */
    public DynamoDbStreamsSourceBuilder<T> startingPosition(StartingPosition startingPosition) {
        this.startingPosition = startingPosition;
        return this;
    }

    /**
     * Where one stream starts, overriding {@link #startingPosition(StartingPosition)} for it.
     *
     * @param streamArnOrTableName one of the {@link #streamArns} or {@link #tableNames} set
     */
    public DynamoDbStreamsSourceBuilder<T> startingPosition(
            String streamArnOrTableName, StartingPosition startingPosition) {
        streamStartingPositions.put(streamArnOrTableName, startingPosition);
        return this;
    }

    /** Turns records into {@code T}; default: {@link ChangeEventDeserializer}. */
    public DynamoDbStreamsSourceBuilder<T> deserializer(
            DynamoDbStreamsDeserializer<T> deserializer) {
        this.deserializer = deserializer;
        return this;
    }

    /** Region, endpoint and credentials; default: the AWS SDK's default chains. */
    public DynamoDbStreamsSourceBuilder<T> awsConfig(AwsConfig awsConfig) {
        this.awsConfig = awsConfig;
        return this;
    }

    /**
     * Reads every record that exists when the job starts (including the children of shards closed
     * by then), then finishes. Records written during the run may be included too. The job start is
     * fixed by {@link #build()}, the same instant for the enumerator and every reader.
     */
    public DynamoDbStreamsSourceBuilder<T> bounded() {
        this.bounded = true;
        return this;
    }

    /** Sets one of the {@link DynamoDbStreamsSourceOptions}. */
    public <V> DynamoDbStreamsSourceBuilder<T> setConfig(ConfigOption<V> option, V value) {
        config.set(option, value);
        return this;
    }

    /** Shortcut for {@link DynamoDbStreamsSourceOptions#IDLE_POLL_INTERVAL}. */
    public DynamoDbStreamsSourceBuilder<T> idlePollInterval(Duration interval) {
        return setConfig(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, interval);
    }

    /** Shortcut for {@link DynamoDbStreamsSourceOptions#SHARD_DISCOVERY_INTERVAL}. */
    public DynamoDbStreamsSourceBuilder<T> shardDiscoveryInterval(Duration interval) {
        return setConfig(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL, interval);
    }

    /** Replaces the AWS client; for tests with a fake DynamoDB Streams endpoint. */
    @Internal
    public DynamoDbStreamsSourceBuilder<T> streamsClientFactory(StreamsClientFactory factory) {
        this.clientFactory = Objects.requireNonNull(factory);
        return this;
    }

    /** Checks every setting and builds the source. */
    @SuppressWarnings("unchecked")
    public DynamoDbStreamsSource<T> build() {
        validateStreamChoice();
        if (startingPosition == null) {
            throw new IllegalArgumentException(
                    "startingPosition must not be null: use StartingPosition.latest(), "
                            + "trimHorizon(), atTimestamp(instant) or initialSnapshot().");
        }
        validateStreamStartingPositions();
        if (!streamArns.isEmpty()
                && config.get(DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED)
                        == DynamoDbStreamsSourceOptions.OnStreamDisabled.FOLLOW_NEW_STREAM) {
            throw new IllegalArgumentException(
                    DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED.key()
                            + " = FOLLOW_NEW_STREAM needs the table whose new stream to follow, "
                            + "but the source is given stream ARNs "
                            + streamArns
                            + ": set the source's tableName instead of its streamArn, or use "
                            + "KEEP_RUNNING or FINISH.");
        }
        validatePositive(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL);
        validatePositive(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL);
        validatePositive(DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME);
        validatePositive(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL);
        validatePositive(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF);
        validatePositive(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF);
        double describeRate =
                config.get(DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND);
        if (!(describeRate > 0 && describeRate <= 10)) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must be more than 0 and at most 10 (DescribeStream's "
                                    + "limit per account and region).",
                            DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND.key(),
                            describeRate));
        }
        int maxRecords = config.get(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS);
        if (maxRecords < 1 || maxRecords > 1000) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %d but must be between 1 and 1000 (the GetRecords limit).",
                            DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS.key(),
                            maxRecords));
        }
        MemorySize buffered = config.get(DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES);
        if (buffered.getBytes() < MemorySize.ofMebiBytes(1).getBytes()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must be at least 1 mb: one GetRecords call returns up "
                                    + "to 1 MB.",
                            DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES.key(), buffered));
        }
        int concurrency = config.get(DynamoDbStreamsSourceOptions.MAX_CONCURRENT_GET_RECORDS);
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %d but must be between 1 and 256.",
                            DynamoDbStreamsSourceOptions.MAX_CONCURRENT_GET_RECORDS.key(),
                            concurrency));
        }
        int emptyPolls = config.get(DynamoDbStreamsSourceOptions.BOUNDED_EMPTY_POLLS_TO_FINISH);
        if (emptyPolls < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %d but must be at least 1.",
                            DynamoDbStreamsSourceOptions.BOUNDED_EMPTY_POLLS_TO_FINISH.key(),
                            emptyPolls));
        }
        Duration idleToFinish =
                config.get(DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH);
        if (idleToFinish.isNegative()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must not be negative, e.g. '5 s'.",
                            DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH.key(),
                            idleToFinish));
        }
        validateSnapshot();
        Duration margin = config.get(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN);
        if (margin.isNegative()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must not be negative, e.g. '5 s'.",
                            DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN.key(), margin));
        }
        DynamoDbStreamsDeserializer<T> effectiveDeserializer =
                deserializer != null
                        ? deserializer
                        : (DynamoDbStreamsDeserializer<T>) ChangeEventDeserializer.create();
        return new DynamoDbStreamsSource<>(
                streamArns,
                tableNames,
                startingPosition,
                new LinkedHashMap<>(streamStartingPositions),
                effectiveDeserializer,
                awsConfig != null ? awsConfig : AwsConfig.builder().build(),
                new Configuration(config),
                bounded,
                JobStart.now(),
                clientFactory,
                false);
    }

    private void validateStreamChoice() {
        if (streamArns.isEmpty() && tableNames.isEmpty()) {
            throw new IllegalArgumentException(
                    "No stream to read: set streamArn(...) (DescribeTable's LatestStreamArn) or "
                            + "tableName(...), or streamArns(...) / tableNames(...) for several.");
        }
        if (!streamArns.isEmpty() && !tableNames.isEmpty()) {
            throw new IllegalArgumentException(
                    "Both stream ARNs "
                            + streamArns
                            + " and table names "
                            + tableNames
                            + " are set: set only one kind.");
        }
        for (String streamArn : streamArns) {
            if (streamArn == null || !STREAM_ARN.matcher(streamArn).matches()) {
                throw new IllegalArgumentException(
                        "streamArn '"
                                + streamArn
                                + "' is not a DynamoDB stream ARN. Expected "
                                + "arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL, as "
                                + "DescribeTable's LatestStreamArn gives it.");
            }
        }
        for (String tableName : tableNames) {
            if (tableName == null || !TABLE_NAME.matcher(tableName).matches()) {
                throw new IllegalArgumentException(
                        "tableName '"
                                + tableName
                                + "' is not a valid DynamoDB table name (3 to 255 characters of "
                                + "letters, digits, '_', '-' and '.').");
            }
        }
        rejectDuplicates(streamArns, "stream ARN");
        rejectDuplicates(tableNames, "table name");
    }

    private void validateStreamStartingPositions() {
        List<String> streams = streamArns.isEmpty() ? tableNames : streamArns;
        for (Map.Entry<String, StartingPosition> e : streamStartingPositions.entrySet()) {
            if (!streams.contains(e.getKey())) {
                throw new IllegalArgumentException(
                        "startingPosition is set for '"
                                + e.getKey()
                                + "', which is not one of the streams to read "
                                + streams
                                + ".");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(
                        "startingPosition of '" + e.getKey() + "' must not be null.");
            }
        }
    }

    private void validateSnapshot() {
        Duration lag = config.get(DynamoDbStreamsSourceOptions.SNAPSHOT_MAX_STREAM_LAG);
        if (lag.isNegative()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must not be negative, e.g. '5 s'.",
                            DynamoDbStreamsSourceOptions.SNAPSHOT_MAX_STREAM_LAG.key(), lag));
        }
        config.getOptional(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS)
                .filter(segments -> segments < 1 || segments > 1_000_000)
                .ifPresent(
                        segments -> {
                            throw new IllegalArgumentException(
                                    String.format(
                                            "%s is %d but must be between 1 and 1000000 (Scan's "
                                                    + "TotalSegments).",
                                            DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS.key(),
                                            segments));
                        });
        int pageSize = config.get(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE);
        if (pageSize < 1) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %d but must be at least 1.",
                            DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE.key(), pageSize));
        }
        config.getOptional(DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND)
                .filter(units -> !(units > 0) || units.isInfinite())
                .ifPresent(
                        units -> {
                            throw new IllegalArgumentException(
                                    String.format(
                                            "%s is %s but must be a positive number of read "
                                                    + "units per second; leave it unset for no "
                                                    + "limit.",
                                            DynamoDbStreamsSourceOptions
                                                    .SNAPSHOT_READ_UNITS_PER_SECOND
                                                    .key(),
                                            units));
                        });
    }

    private static void rejectDuplicates(List<String> values, String what) {
        Set<String> seen = new HashSet<>();
        for (String value : values) {
            if (!seen.add(value)) {
                throw new IllegalArgumentException(
                        "The " + what + " '" + value + "' is set twice: set each stream once.");
            }
        }
    }

    private static List<String> copyOf(String[] values) {
        List<String> list = new ArrayList<>(values.length);
        for (String value : values) {
            list.add(value); // nulls are reported by build(), naming the setting
        }
        return list;
    }

    private void validatePositive(ConfigOption<Duration> option) {
        Duration value = config.get(option);
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(
                    String.format(
                            "%s is %s but must be a positive duration, e.g. '1 s'.",
                            option.key(), value));
        }
    }
}
