package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.localstack.LocalStackContainer;
import org.testcontainers.containers.localstack.LocalStackContainer.EnabledService;
import org.testcontainers.utility.DockerImageName;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The connector against a second implementation of the DynamoDB Streams API: LocalStack (services
 * {@code dynamodb} and {@code dynamodbstreams}) in a container. A versioned workload is written,
 * then a Flink job with parallelism 2 reads the stream from the trim horizon and must deliver every
 * change once, in order per item.
 *
 * <p>Needs a Docker engine. Where there is none the test is reported as skipped, with the reason,
 * rather than failing the build. The image can be changed with {@code -Dlocalstack.image=...}.
 */
class LocalStackITCase {

    private static final String DEFAULT_IMAGE = "localstack/localstack:3.8.1";
    private static final String TABLE = "localstack-orders";
    private static final int KEYS = 40;
    private static final int CHANGES = 300;
    private static final String NO_DOCKER =
            "No Docker engine: LocalStack tests need Docker to run LocalStack through"
                    + " Testcontainers (set DOCKER_HOST, or provide /var/run/docker.sock)";

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void everyChangeOnceInOrderFromLocalStack() throws Exception {
        if (!DockerClientFactory.instance().isDockerAvailable()) {
            // The build log shows skips as a count only: say here which test and why.
            System.err.println("SKIPPED LocalStackITCase: " + NO_DOCKER);
        }
        Assumptions.assumeTrue(DockerClientFactory.instance().isDockerAvailable(), NO_DOCKER);
        DockerImageName image =
                DockerImageName.parse(System.getProperty("localstack.image", DEFAULT_IMAGE))
                        .asCompatibleSubstituteFor("localstack/localstack");
        try (LocalStackContainer localStack =
                new LocalStackContainer(image)
                        .withServices(
                                EnabledService.named("dynamodb"),
                                EnabledService.named("dynamodbstreams"))) {
            localStack.start();
            try (DynamoDbClient dynamoDb = dynamoDbClient(localStack)) {
                String streamArn = createTable(dynamoDb);
                VersionedWorkload workload = new VersionedWorkload(dynamoDb, TABLE, KEYS, 7L);
                workload.write(CHANGES);

                List<ChangeEvent> received =
                        read(streamArn, awsConfig(localStack), workload.changes());

                assertThat(workload.verify(received))
                        .as("lost, duplicated or reordered changes")
                        .isEmpty();
                assertThat(received).hasSize(CHANGES);
            }
        }
    }

    /** Reads from the trim horizon until {@code count} changes have arrived, then cancels. */
    private static List<ChangeEvent> read(String streamArn, AwsConfig aws, int count)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(2, conf);
        env.enableCheckpointing(500);
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(streamArn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(aws)
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "localstack-stream")
                .executeAndCollect("ddbstreams-localstack", count);
    }

    private static String createTable(DynamoDbClient dynamoDb) {
        String streamArn =
                dynamoDb.createTable(
                                CreateTableRequest.builder()
                                        .tableName(TABLE)
                                        .attributeDefinitions(
                                                AttributeDefinition.builder()
                                                        .attributeName("pk")
                                                        .attributeType(ScalarAttributeType.S)
                                                        .build())
                                        .keySchema(
                                                KeySchemaElement.builder()
                                                        .attributeName("pk")
                                                        .keyType(KeyType.HASH)
                                                        .build())
                                        .billingMode(BillingMode.PAY_PER_REQUEST)
                                        .streamSpecification(
                                                StreamSpecification.builder()
                                                        .streamEnabled(true)
                                                        .streamViewType(
                                                                StreamViewType.NEW_AND_OLD_IMAGES)
                                                        .build())
                                        .build())
                        .tableDescription()
                        .latestStreamArn();
        dynamoDb.waiter().waitUntilTableExists(r -> r.tableName(TABLE));
        return streamArn;
    }

    private static DynamoDbClient dynamoDbClient(LocalStackContainer localStack) {
        return DynamoDbClient.builder()
                .endpointOverride(localStack.getEndpoint())
                .region(Region.of(localStack.getRegion()))
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        localStack.getAccessKey(), localStack.getSecretKey())))
                .build();
    }

    private static AwsConfig awsConfig(LocalStackContainer localStack) {
        return AwsConfig.builder()
                .region(localStack.getRegion())
                .endpointOverride(localStack.getEndpoint())
                .staticCredentials(localStack.getAccessKey(), localStack.getSecretKey())
                .build();
    }
}
