package io.github.ddbstreams.flink.source.client;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.annotation.VisibleForTesting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DescribeStreamRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsRequest;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardFilter;
import software.amazon.awssdk.services.dynamodb.model.ShardFilterType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamDescription;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The {@link StreamsClient} that talks to AWS (or DynamoDB Local) through the AWS SDK v2, over the
 * SDK's Apache HttpClient 5 client. Thread-safe: the SDK clients are.
 *
 * <p>The SDK makes at most {@value #SDK_MAX_ATTEMPTS} attempts per call: throttling and network
 * errors that outlast them surface to the connector, which backs off on its own terms instead of
 * blocking a reader thread inside the SDK.
 */
@Internal
public final class SdkStreamsClient implements StreamsClient {
    private static final Logger LOG = LoggerFactory.getLogger(SdkStreamsClient.class);

    /** DynamoDB Streams' own page size limit for {@code DescribeStream}. */
    static final int DESCRIBE_STREAM_PAGE_SIZE = 100;

    static final int SDK_MAX_ATTEMPTS = 3;

    private final DynamoDbStreamsClient streams;
    private final DynamoDbClient dynamoDb;
    @Nullable private final AwsCredentialsProvider credentialsProvider;

    @VisibleForTesting
    SdkStreamsClient(
            DynamoDbStreamsClient streams,
            DynamoDbClient dynamoDb,
            @Nullable AwsCredentialsProvider credentialsProvider) {
        this.streams = Objects.requireNonNull(streams);
        this.dynamoDb = Objects.requireNonNull(dynamoDb);
        this.credentialsProvider = credentialsProvider;
    }

    /** Builds both SDK clients from the configuration; close the result to release them. */
    public static SdkStreamsClient create(AwsConfig config) {
        Objects.requireNonNull(config, "awsConfig must not be null");
        Region region = resolveRegion(config);
        // The same region for STS: assume-role and web identity sessions are regional.
        AwsCredentialsProvider credentials = config.createCredentialsProvider(region);
        DynamoDbStreamsClient streams = null;
        try {
            streams = configure(DynamoDbStreamsClient.builder(), config, region, credentials);
            DynamoDbClient dynamoDb =
                    configure(DynamoDbClient.builder(), config, region, credentials);
            return new SdkStreamsClient(streams, dynamoDb, credentials);
        } catch (RuntimeException e) {
            closeQuietly(streams);
            closeCredentials(credentials);
            throw e;
        }
    }

    private static <B extends AwsClientBuilder<B, C> & AwsSyncClientBuilder<B, C>, C> C configure(
            B builder, AwsConfig config, Region region, AwsCredentialsProvider credentials) {
        builder.region(region)
                .credentialsProvider(credentials)
                // Chosen explicitly: several HTTP clients may sit on a user's classpath, and the
                // SDK refuses to guess between them.
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(
                        o -> {
                            o.retryStrategy(
                                    AwsRetryStrategy.standardRetryStrategy().toBuilder()
                                            .maxAttempts(SDK_MAX_ATTEMPTS)
                                            .build());
                            // A timed-out attempt is an SdkClientException: retried like a
                            // connection reset, by the SDK and then by the source.
                            config.getApiCallAttemptTimeout().ifPresent(o::apiCallAttemptTimeout);
                        });
        config.getEndpointOverride().ifPresent(builder::endpointOverride);
        return builder.build();
    }

    private static Region resolveRegion(AwsConfig config) {
        if (config.getRegion().isPresent()) {
            return Region.of(config.getRegion().get());
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (SdkClientException e) {
            throw new IllegalArgumentException(
                    "awsConfig.region is not set and the AWS SDK's default region provider chain"
                            + " found none (AWS_REGION, aws.region, profile file); set it with"
                            + " AwsConfig.builder().region(...)",
                    e);
        }
    }

    @Override
    public String resolveLatestStreamArn(String tableName) {
        TableDescription table = describeTable(tableName);
        StreamSpecification spec = table.streamSpecification();
        boolean enabled = spec != null && Boolean.TRUE.equals(spec.streamEnabled());
        if (table.latestStreamArn() == null || !enabled) {
            throw new IllegalArgumentException(
                    "DynamoDB table '"
                            + tableName
                            + "' has no stream enabled"
                            + (table.latestStreamArn() == null
                                    ? ""
                                    : " (its last stream " + table.latestStreamArn() + " is off)")
                            + ". Enable one with UpdateTable StreamSpecification"
                            + "{StreamEnabled=true, StreamViewType=NEW_AND_OLD_IMAGES}, e.g."
                            + " 'aws dynamodb update-table --table-name "
                            + tableName
                            + " --stream-specification"
                            + " StreamEnabled=true,StreamViewType=NEW_AND_OLD_IMAGES'");
        }
        return table.latestStreamArn();
    }

    @Override
    public StreamPage describeStream(String streamArn, @Nullable String exclusiveStartShardId) {
        StreamDescription description =
                streams.describeStream(
                                DescribeStreamRequest.builder()
                                        .streamArn(streamArn)
                                        .exclusiveStartShardId(exclusiveStartShardId)
                                        .limit(DESCRIBE_STREAM_PAGE_SIZE)
                                        .build())
                        .streamDescription();
        return new StreamPage(
                description.streamStatus(),
                description.streamViewType(),
                description.shards(),
                description.lastEvaluatedShardId());
    }

    @Override
    public List<Shard> listChildShards(String streamArn, String parentShardId) {
        // A shard has at most two children, so one page always holds them all.
        return streams.describeStream(
                        DescribeStreamRequest.builder()
                                .streamArn(streamArn)
                                .shardFilter(
                                        ShardFilter.builder()
                                                .type(ShardFilterType.CHILD_SHARDS)
                                                .shardId(parentShardId)
                                                .build())
                                .build())
                .streamDescription()
                .shards();
    }

    @Override
    public String getShardIterator(
            String streamArn,
            String shardId,
            ShardIteratorType type,
            @Nullable String sequenceNumber) {
        boolean needsSequenceNumber =
                type == ShardIteratorType.AT_SEQUENCE_NUMBER
                        || type == ShardIteratorType.AFTER_SEQUENCE_NUMBER;
        if (needsSequenceNumber != (sequenceNumber != null)) {
            throw new IllegalArgumentException(
                    "A "
                            + type
                            + " iterator for shard "
                            + shardId
                            + (needsSequenceNumber
                                    ? " needs a sequence number"
                                    : " takes no sequence number"));
        }
        return streams.getShardIterator(
                        GetShardIteratorRequest.builder()
                                .streamArn(streamArn)
                                .shardId(shardId)
                                .shardIteratorType(type)
                                .sequenceNumber(sequenceNumber)
                                .build())
                .shardIterator();
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        return streams.getRecords(
                GetRecordsRequest.builder().shardIterator(shardIterator).limit(limit).build());
    }

    @Override
    public TableDescription describeTable(String tableName) {
        return dynamoDb.describeTable(r -> r.tableName(tableName)).table();
    }

    @Override
    public ScanResponse scan(ScanRequest request) {
        return dynamoDb.scan(request);
    }

    @Override
    public void close() {
        closeQuietly(streams);
        closeQuietly(dynamoDb);
        closeCredentials(credentialsProvider);
    }

    private static void closeCredentials(@Nullable AwsCredentialsProvider provider) {
        // Profile and default-chain providers may hold refresh threads, and assume-role or web
        // identity ones own an STS client; static ones hold nothing.
        if (provider instanceof SdkAutoCloseable) {
            closeQuietly((SdkAutoCloseable) provider);
        }
    }

    private static void closeQuietly(@Nullable SdkAutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (RuntimeException e) {
            // Closing is best effort: a failure to release an HTTP pool must not hide the
            // error that made the caller close, nor stop the other resources from closing.
            LOG.debug("Ignoring failure while closing {}", closeable, e);
        }
    }
}
