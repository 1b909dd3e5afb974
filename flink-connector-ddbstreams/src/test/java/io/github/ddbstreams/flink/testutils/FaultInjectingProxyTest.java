package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.testutils.FaultInjectingProxy.Fault;
import io.github.ddbstreams.flink.testutils.FaultInjectingProxy.Operation;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.InternalServerErrorException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The proxy against DynamoDB Local: it forwards signed SDK calls unharmed, serves each armed fault
 * exactly as often as armed, and each fault reaches the SDK as the exception AWS's would.
 */
class FaultInjectingProxyTest {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static FaultInjectingProxy proxy;
    private static String streamArn;
    private static String shardId;

    /** One SDK attempt per call, so each fault shows as it is. */
    private static DynamoDbStreamsClient singleAttempt;

    @BeforeAll
    static void start() {
        proxy = FaultInjectingProxy.start(DYNAMODB.endpoint());
        streamArn = DYNAMODB.createTable("proxied", StreamViewType.NEW_AND_OLD_IMAGES);
        DYNAMODB.putItems("proxied", "item-", 5);
        shardId =
                DYNAMODB.streamsClient()
                        .describeStream(r -> r.streamArn(streamArn))
                        .streamDescription()
                        .shards()
                        .get(0)
                        .shardId();
        singleAttempt = client(null);
    }

    @AfterAll
    static void stop() {
        singleAttempt.close();
        proxy.close();
    }

    @AfterEach
    void disarm() {
        proxy.disarm();
    }

    private static DynamoDbStreamsClient client(Duration attemptTimeout) {
        return DynamoDbStreamsClient.builder()
                .region(Region.of(DynamoDbLocal.REGION))
                .endpointOverride(proxy.endpoint())
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(
                                        DynamoDbLocal.ACCESS_KEY_ID,
                                        DynamoDbLocal.SECRET_ACCESS_KEY)))
                .httpClientBuilder(Apache5HttpClient.builder())
                .overrideConfiguration(
                        o -> {
                            o.retryStrategy(b -> b.maxAttempts(1));
                            if (attemptTimeout != null) {
                                o.apiCallAttemptTimeout(attemptTimeout);
                            }
                        })
                .build();
    }

    private static void describeStream(DynamoDbStreamsClient client) {
        client.describeStream(r -> r.streamArn(streamArn));
    }

    @Test
    void forwardsSignedCallsAndCountsThemAsPassed() {
        int before = proxy.passed(Operation.GET_RECORDS);
        String iterator =
                singleAttempt
                        .getShardIterator(
                                r ->
                                        r.streamArn(streamArn)
                                                .shardId(shardId)
                                                .shardIteratorType(ShardIteratorType.TRIM_HORIZON))
                        .shardIterator();
        int records = singleAttempt.getRecords(r -> r.shardIterator(iterator)).records().size();

        assertThat(records).isEqualTo(5);
        assertThat(proxy.passed(Operation.GET_RECORDS)).isEqualTo(before + 1);
        assertThat(proxy.served(Operation.GET_RECORDS)).isZero();
    }

    static Stream<Arguments> faults() {
        return Stream.of(
                // Not throttling to the SDK, so the SDK does not retry it: the connector must.
                fault(
                        "LimitExceededException",
                        Fault::limitExceeded,
                        e -> {
                            assertThat(e).isInstanceOf(LimitExceededException.class);
                            throttling(e, false);
                        }),
                fault(
                        "ThrottlingException",
                        Fault::throttling,
                        e -> {
                            assertThat(e).isExactlyInstanceOf(DynamoDbException.class);
                            throttling(e, true);
                        }),
                fault(
                        "500",
                        Fault::internalServerError,
                        e -> assertThat(e).isInstanceOf(InternalServerErrorException.class)),
                fault(
                        "503",
                        Fault::serviceUnavailable,
                        e -> assertThat(((DynamoDbException) e).statusCode()).isEqualTo(503)),
                fault(
                        "connection reset",
                        Fault::connectionReset,
                        e -> assertThat(e).isInstanceOf(SdkClientException.class)),
                fault(
                        "ExpiredIteratorException",
                        Fault::expiredIterator,
                        e -> assertThat(e).isInstanceOf(ExpiredIteratorException.class)),
                fault(
                        "TrimmedDataAccessException",
                        Fault::trimmedData,
                        e -> assertThat(e).isInstanceOf(TrimmedDataAccessException.class)));
    }

    private static Arguments fault(
            String name, Supplier<Fault> fault, Consumer<Throwable> expected) {
        return Arguments.of(name, fault, expected);
    }

    private static void throttling(Throwable e, boolean expected) {
        assertThat(e).isInstanceOf(DynamoDbException.class);
        assertThat(((DynamoDbException) e).isThrottlingException()).isEqualTo(expected);
        assertThat(((DynamoDbException) e).statusCode()).isEqualTo(400);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("faults")
    void eachFaultReachesTheSdkAsAwsWouldSendIt(
            String name, Supplier<Fault> fault, Consumer<Throwable> expected) {
        int served = proxy.served(Operation.DESCRIBE_STREAM);
        proxy.arm(Operation.DESCRIBE_STREAM, fault.get(), 1);

        Throwable error = catchThrowable(() -> describeStream(singleAttempt));
        expected.accept(error);
        boolean retriedByTheConnector =
                !(error instanceof ExpiredIteratorException)
                        && !(error instanceof TrimmedDataAccessException);
        assertThat(AwsErrors.isRetryable((SdkException) error)).isEqualTo(retriedByTheConnector);
        assertThat(proxy.served(Operation.DESCRIBE_STREAM)).isEqualTo(served + 1);

        describeStream(singleAttempt); // served once only
    }

    @Test
    void servesExactlyAsArmedAfterLettingCallsPass() {
        proxy.arm(Operation.DESCRIBE_STREAM, Fault.serviceUnavailable(), 2, 2);
        proxy.arm(Operation.DESCRIBE_STREAM, Fault.limitExceeded(), 1);
        int served = proxy.served(Operation.DESCRIBE_STREAM);

        describeStream(singleAttempt);
        describeStream(singleAttempt);
        assertThat(catchThrowable(() -> describeStream(singleAttempt)))
                .isNotInstanceOf(LimitExceededException.class)
                .isInstanceOf(DynamoDbException.class);
        assertThat(catchThrowable(() -> describeStream(singleAttempt)))
                .isNotInstanceOf(LimitExceededException.class)
                .isInstanceOf(DynamoDbException.class);
        assertThat(catchThrowable(() -> describeStream(singleAttempt)))
                .isInstanceOf(LimitExceededException.class);
        describeStream(singleAttempt);

        assertThat(proxy.served(Operation.DESCRIBE_STREAM)).isEqualTo(served + 3);
        assertThat(proxy.served(Operation.GET_RECORDS)).isZero();
    }

    @Test
    void theConnectorsClientAbsorbsTwoRetryableFaultsInARowButNotThree() {
        try (SdkStreamsClient connectorClient = SdkStreamsClient.create(proxy.awsConfig())) {
            int served = proxy.served(Operation.DESCRIBE_STREAM);
            proxy.arm(Operation.DESCRIBE_STREAM, Fault.connectionReset(), 2);
            assertThat(connectorClient.describeStream(streamArn, null).shards()).isNotEmpty();

            proxy.arm(Operation.DESCRIBE_STREAM, Fault.internalServerError(), 3);
            assertThat(catchThrowable(() -> connectorClient.describeStream(streamArn, null)))
                    .isInstanceOf(InternalServerErrorException.class);

            // Not throttling to the SDK: the first one reaches the connector.
            proxy.arm(Operation.DESCRIBE_STREAM, Fault.limitExceeded(), 1);
            assertThat(catchThrowable(() -> connectorClient.describeStream(streamArn, null)))
                    .isInstanceOf(LimitExceededException.class);
            assertThat(proxy.served(Operation.DESCRIBE_STREAM)).isEqualTo(served + 6);
        }
    }

    @Test
    void aDelayOutlastsTheClientsAttemptTimeout() {
        try (DynamoDbStreamsClient impatient = client(Duration.ofMillis(300))) {
            proxy.arm(Operation.DESCRIBE_STREAM, Fault.delay(Duration.ofSeconds(2)), 1);

            assertThat(catchThrowable(() -> describeStream(impatient)))
                    .isInstanceOf(ApiCallAttemptTimeoutException.class);
            describeStream(impatient);
        }
    }
}
