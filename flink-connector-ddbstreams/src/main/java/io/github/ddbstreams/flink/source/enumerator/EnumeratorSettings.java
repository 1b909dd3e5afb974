package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import java.io.Serializable;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** The enumerator's settings, read once from the source's options. */
@Internal
public final class EnumeratorSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** DynamoDB Streams keeps records 24 hours. */
    static final long RETENTION_MILLIS = Duration.ofHours(24).toMillis();

    private final StartingPosition startingPosition;
    private final JobStart jobStart;
    private final long discoveryIntervalMillis;
    private final long fullListingIntervalMillis;
    private final long disabledStreamSettleMillis;
    private final boolean bounded;
    private final boolean finishWhenDisabled;
    private final boolean followNewStream;
    private final Set<StreamViewType> supportedViewTypes;
    private final double describeStreamCallsPerSecond;
    private final long retryInitialBackoffMillis;
    private final long retryMaxBackoffMillis;

    /** {@code source.snapshot.segments}, or 0 when unset (derived from the table's size). */
    private final int snapshotSegments;

    /** {@code source.retry.give-up-after}, or -1 when unset (retry forever). */
    private final long retryGiveUpAfterMillis;

    public EnumeratorSettings(
            StartingPosition startingPosition, Configuration config, boolean bounded) {
        this(startingPosition, config, bounded, Set.of());
    }

    /**
     * Settings of a job that starts now.
     *
     * @param supportedViewTypes the view types the deserializer works with; empty for any
     */
    public EnumeratorSettings(
            StartingPosition startingPosition,
            Configuration config,
            boolean bounded,
            Set<StreamViewType> supportedViewTypes) {
        this(startingPosition, config, bounded, supportedViewTypes, JobStart.now());
    }

    /**
     * @param supportedViewTypes the view types the deserializer works with; empty for any
     * @param jobStart the job's start, as this enumerator sees it
     */
    public EnumeratorSettings(
            StartingPosition startingPosition,
            Configuration config,
            boolean bounded,
            Set<StreamViewType> supportedViewTypes,
            JobStart jobStart) {
        this.supportedViewTypes = Set.copyOf(supportedViewTypes);
        this.startingPosition = startingPosition;
        this.jobStart = jobStart;
        this.discoveryIntervalMillis =
                config.get(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL).toMillis();
        this.fullListingIntervalMillis =
                config.get(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL).toMillis();
        this.disabledStreamSettleMillis =
                config.get(DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME).toMillis();
        this.bounded = bounded;
        this.finishWhenDisabled =
                config.get(DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED)
                        == DynamoDbStreamsSourceOptions.OnStreamDisabled.FINISH;
        this.followNewStream =
                config.get(DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED)
                        == DynamoDbStreamsSourceOptions.OnStreamDisabled.FOLLOW_NEW_STREAM;
        this.describeStreamCallsPerSecond =
                config.get(DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND);
        this.retryInitialBackoffMillis =
                config.get(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF).toMillis();
        this.retryMaxBackoffMillis =
                config.get(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF).toMillis();
        this.snapshotSegments =
                config.getOptional(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS).orElse(0);
        this.retryGiveUpAfterMillis =
                config.getOptional(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER)
                        .map(d -> d.toMillis())
                        .orElse(-1L);
    }

    public StartingPosition startingPosition() {
        return startingPosition;
    }

    /** The job's start: what LATEST means and where a bounded read ends, unless restored. */
    public JobStart jobStart() {
        return jobStart;
    }

    /** The configured segment count of a snapshot's Scan; 0: derive it from the table's size. */
    public int snapshotSegments() {
        return snapshotSegments;
    }

    public long discoveryIntervalMillis() {
        return discoveryIntervalMillis;
    }

    public long fullListingIntervalMillis() {
        return fullListingIntervalMillis;
    }

    /** See {@link DynamoDbStreamsSourceOptions#DISABLED_STREAM_SETTLE_TIME}. */
    public long disabledStreamSettleMillis() {
        return disabledStreamSettleMillis;
    }

    public long retentionMillis() {
        return RETENTION_MILLIS;
    }

    public boolean bounded() {
        return bounded;
    }

    public Set<StreamViewType> supportedViewTypes() {
        return supportedViewTypes;
    }

    public boolean finishWhenDisabled() {
        return finishWhenDisabled;
    }

    /** Whether a disabled stream's table is watched for a new stream to read next. */
    public boolean followNewStream() {
        return followNewStream;
    }

    public double describeStreamCallsPerSecond() {
        return describeStreamCallsPerSecond;
    }

    public long retryInitialBackoffMillis() {
        return retryInitialBackoffMillis;
    }

    public long retryGiveUpAfterMillis() {
        return retryGiveUpAfterMillis;
    }

    public long retryMaxBackoffMillis() {
        return retryMaxBackoffMillis;
    }
}
