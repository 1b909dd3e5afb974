package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.typeutils.ChangeEventTypeInfo;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DynamoDbStreamsSourceBuilderTest {

    private static final String ARN = FakeStreamsClient.STREAM_ARN;

    private final FakeStreamsClient fake = new FakeStreamsClient();

    @AfterEach
    void forgetFake() {
        FakeStreamsClients.remove(fake);
    }

    private static DynamoDbStreamsSourceBuilder<ChangeEvent> builder() {
        return DynamoDbStreamsSource.builder();
    }

    @Test
    void requiresAStream() {
        assertThatThrownBy(() -> builder().build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("streamArn(...)")
                .hasMessageContaining("tableName(...)");
    }

    @Test
    void rejectsBothAnArnAndATable() {
        assertThatThrownBy(() -> builder().streamArn(ARN).tableName("orders").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ARN)
                .hasMessageContaining("orders")
                .hasMessageContaining("only one");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
                "arn:aws:kinesis:us-east-1:123456789012:stream/orders",
                "arn:aws:dynamodb:us-east-1:1234:table/orders/stream/2026-01-01T00:00:00.000",
                "orders"
            })
    void rejectsAMalformedArnNamingItAndTheExpectedForm(String arn) {
        assertThatThrownBy(() -> builder().streamArn(arn).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + arn + "'")
                .hasMessageContaining("arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "has space", "slash/name", ""})
    void rejectsABadTableName(String table) {
        assertThatThrownBy(() -> builder().tableName(table).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + table + "'")
                .hasMessageContaining("3 to 255 characters");
    }

    static Stream<Arguments> durationOptions() {
        List<ConfigOption<Duration>> options =
                List.of(
                        DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL,
                        DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL,
                        DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME,
                        DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL,
                        DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF,
                        DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF);
        return options.stream()
                .flatMap(
                        option ->
                                Stream.of(
                                        Arguments.of(option, Duration.ZERO),
                                        Arguments.of(option, Duration.ofSeconds(-1))));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("durationOptions")
    void rejectsDurationsThatAreNotPositive(ConfigOption<Duration> option, Duration value) {
        assertThatThrownBy(() -> builder().streamArn(ARN).setConfig(option, value).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(option.key())
                .hasMessageContaining("positive");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1001, -5})
    void rejectsAGetRecordsLimitOutsideTheServiceRange(int maxRecords) {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .GET_RECORDS_MAX_RECORDS,
                                                maxRecords)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS.key())
                .hasMessageContaining(Integer.toString(maxRecords))
                .hasMessageContaining("1 and 1000");
    }

    @Test
    void anUnboundedInitialSnapshotMustBeAddedWithItsMerge() {
        DynamoDbStreamsSource<ChangeEvent> source =
                builder()
                        .streamArn(ARN)
                        .startingPosition(StartingPosition.initialSnapshot())
                        .build();
        assertThat(source.snapshotThenStream()).isTrue();
        assertThatThrownBy(
                        () ->
                                source.createEnumerator(
                                        new MockSplitEnumeratorContext<DynamoDbSplit>(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("source.addTo(env")
                .hasMessageContaining("env.fromSource");

        DynamoDbStreamsSource<ChangeEvent> perStream =
                builder()
                        .streamArn(ARN)
                        .startingPosition(ARN, StartingPosition.initialSnapshot())
                        .build();
        assertThat(perStream.snapshotThenStream()).isTrue();
        DynamoDbStreamsSource<ChangeEvent> contentsOnly =
                builder()
                        .streamArn(ARN)
                        .startingPosition(StartingPosition.initialSnapshot())
                        .bounded()
                        .build();
        assertThat(contentsOnly.snapshotThenStream()).isFalse();
        assertThat(contentsOnly.getBoundedness())
                .isEqualTo(org.apache.flink.api.connector.source.Boundedness.BOUNDED);
    }

    @Test
    void rejectsANegativeStreamLag() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .SNAPSHOT_MAX_STREAM_LAG,
                                                Duration.ofSeconds(-1))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.snapshot.max-stream-lag");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1_000_001})
    void rejectsASegmentCountOutsideScansRange(int segments) {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS,
                                                segments)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.snapshot.segments")
                .hasMessageContaining(Integer.toString(segments));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -5, Double.NaN, Double.POSITIVE_INFINITY})
    void rejectsAReadUnitBudgetThatIsNotAPositiveRate(double units) {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .SNAPSHOT_READ_UNITS_PER_SECOND,
                                                units)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.snapshot.read-units-per-second")
                .hasMessageContaining("unset for no limit");
    }

    @Test
    void rejectsAnEmptyScanPage() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, 0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.snapshot.page-size");
    }

    @Test
    void acceptsTheLimitsOfTheGetRecordsRange() {
        for (int maxRecords : new int[] {1, 1000}) {
            builder()
                    .streamArn(ARN)
                    .setConfig(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, maxRecords)
                    .build();
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, -1, 10.5, Double.NaN})
    void rejectsADescribeStreamRateOutsideTheAccountLimit(double rate) {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .DESCRIBE_STREAM_MAX_CALLS_PER_SECOND,
                                                rate)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND.key())
                .hasMessageContaining("at most 10");
    }

    @Test
    void acceptsDescribeStreamRatesUpToTheAccountLimit() {
        for (double rate : new double[] {0.1, 10}) {
            builder()
                    .streamArn(ARN)
                    .setConfig(
                            DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND, rate)
                    .build();
        }
    }

    @Test
    void rejectsNoEmptyPollsToFinish() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .bounded()
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .BOUNDED_EMPTY_POLLS_TO_FINISH,
                                                0)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        DynamoDbStreamsSourceOptions.BOUNDED_EMPTY_POLLS_TO_FINISH.key());
    }

    @Test
    void rejectsANegativeIdleTimeToFinish() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .streamArn(ARN)
                                        .bounded()
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions
                                                        .BOUNDED_IDLE_TIME_TO_FINISH,
                                                Duration.ofSeconds(-1))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(
                        DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH.key());
    }

    @Test
    void rejectsANullStartingPosition() {
        assertThatThrownBy(() -> builder().streamArn(ARN).startingPosition(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("startingPosition");
    }

    @Test
    void buildsAnUnboundedOrBoundedSourceOfChangeEvents() {
        DynamoDbStreamsSource<ChangeEvent> unbounded =
                builder()
                        .streamArn(ARN)
                        .idlePollInterval(Duration.ofMillis(250))
                        .shardDiscoveryInterval(Duration.ofSeconds(30))
                        .build();
        assertThat(unbounded.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(unbounded.getProducedType()).isEqualTo(ChangeEventTypeInfo.INSTANCE);

        DynamoDbStreamsSource<ChangeEvent> bounded =
                builder().tableName("orders").bounded().build();
        assertThat(bounded.getBoundedness()).isEqualTo(Boundedness.BOUNDED);
    }

    @Test
    void toStringNamesTheStreamButNeverTheSecretKey() {
        String secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        DynamoDbStreamsSource<ChangeEvent> source =
                builder()
                        .streamArn(ARN)
                        .awsConfig(
                                AwsConfig.builder()
                                        .region("eu-west-1")
                                        .staticCredentials("AKIAIOSFODNN7EXAMPLE", secret)
                                        .build())
                        .build();

        assertThat(source.toString()).contains(ARN).contains("eu-west-1").doesNotContain(secret);
    }

    @Test
    void aSerializedSourceResolvesTheTableStreamAndAssignsItsShards() throws Throwable {
        String shard = fake.addShard(null);
        DynamoDbStreamsSource<ChangeEvent> source =
                InstantiationUtil.clone(
                        builder()
                                .tableName("fake")
                                .startingPosition(StartingPosition.trimHorizon())
                                .streamsClientFactory(FakeStreamsClients.factoryFor(fake))
                                .build());

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            enumerator.start();
            context.registerReader(new ReaderInfo(0, "host"));
            enumerator.addReader(0);
            context.runNextOneTimeCallable(); // DescribeTable
            context.runNextOneTimeCallable(); // the stream's first listing

            assertThat(context.getSplitsAssignmentSequence()).hasSize(1);
            assertThat(context.getSplitsAssignmentSequence().get(0).assignment().get(0))
                    .containsExactly(new ShardSplit(ARN, shard, null, ShardPosition.trimHorizon()));
        }
    }
}
