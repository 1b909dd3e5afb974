package io.github.ddbstreams.flink.source;

import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.assigned;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.runOneTimeCallables;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.FlinkRuntimeException;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * A source given table names resolves them (DescribeTable's LatestStreamArn) in the enumerator's
 * start, on its worker thread, not when Flink creates the enumerator on the coordinator thread; it
 * retries transient errors there as it does the first listing, and fails naming the table when the
 * table is missing or has no stream.
 */
class TableResolvingEnumeratorTest {

    private static final String ORDERS = MultiStreamFakeClient.arnOf("orders");
    private static final String CUSTOMERS = MultiStreamFakeClient.arnOf("customers");

    private final FakeStreamsClient orders = new FakeStreamsClient(ORDERS);
    private final FakeStreamsClient customers = new FakeStreamsClient(CUSTOMERS);
    private final MultiStreamFakeClient client =
            new MultiStreamFakeClient(Map.of(ORDERS, orders, CUSTOMERS, customers));

    @AfterEach
    void forgetClient() {
        FakeStreamsClients.remove(client);
    }

    @Test
    void creatingTheEnumeratorMakesNoAwsCall() throws Throwable {
        String shard = orders.addShard(null);
        DynamoDbStreamsSource<ChangeEvent> source = source("orders", "customers");

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            assertThat(client.resolveCalls).as("DescribeTable calls").hasValue(0);
            assertThat(orders.describeStreamCalls).as("DescribeStream calls").hasValue(0);

            start(context, enumerator);

            assertThat(client.resolveCalls).hasValue(2);
            assertThat(assigned(context))
                    .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                    .containsExactly(tuple(ORDERS, shard));
        }
    }

    @Test
    void restoringTheEnumeratorMakesNoAwsCall() throws Throwable {
        String shard = orders.addShard(null);
        DynamoDbStreamsSource<ChangeEvent> source = source("orders");
        DynamoDbStreamsSourceEnumState empty = new DynamoDbStreamsSourceEnumState(List.of());

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.restoreEnumerator(context, empty)) {
            assertThat(client.resolveCalls).as("DescribeTable calls").hasValue(0);

            start(context, enumerator);

            assertThat(assigned(context))
                    .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                    .containsExactly(tuple(ORDERS, shard));
        }
    }

    @Test
    void transientDescribeTableErrorsAreRetriedThenTheStreamIsRead() throws Throwable {
        String shard = orders.addShard(null);
        client.failNextResolves(
                () ->
                        DynamoDbException.builder()
                                .statusCode(503)
                                .message("Service unavailable")
                                .build(),
                () -> SdkClientException.create("Connection reset"));
        DynamoDbStreamsSource<ChangeEvent> source = source("orders");

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);

            assertThat(client.resolveCalls).as("two failures, then the answer").hasValue(3);
            assertThat(assigned(context))
                    .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                    .containsExactly(tuple(ORDERS, shard));
        }
    }

    @Test
    void aMissingTableFailsNamingTheTableWithoutRetrying() throws Throwable {
        DynamoDbStreamsSource<ChangeEvent> source = source("invoices");

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            assertThatThrownBy(() -> start(context, enumerator))
                    .isInstanceOf(FlinkRuntimeException.class)
                    .hasMessageContaining("table 'invoices'")
                    .hasMessageContaining("does not exist");
            assertThat(client.resolveCalls).as("a missing table is not retried").hasValue(1);
        }
    }

    @Test
    void aTableWithoutAnEnabledStreamFailsNamingTheTable() throws Throwable {
        orders.setStatus(StreamStatus.DISABLED);
        DynamoDbStreamsSource<ChangeEvent> source = source("orders");

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            assertThatThrownBy(() -> start(context, enumerator))
                    .isInstanceOf(FlinkRuntimeException.class)
                    .hasMessageContaining("table 'orders' has no stream enabled");
        }
    }

    @Test
    void aBoundedReadDoesNotEndBeforeItsTablesAreResolved() throws Throwable {
        DynamoDbStreamsSource<ChangeEvent> source =
                builder().tableName("orders").bounded().build(); // the stream has no shard

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            enumerator.start();
            context.registerReader(new ReaderInfo(0, "host"));
            enumerator.addReader(0);
            assertThat(context.hasNoMoreSplits(0)).as("the table is not resolved yet").isFalse();

            runOneTimeCallables(context);
            assertThat(context.hasNoMoreSplits(0)).as("its stream has nothing to read").isTrue();
        }
    }

    @Test
    void aCheckpointTakenBeforeTheTablesAreResolvedRestoresToThem() throws Throwable {
        String shard = orders.addShard(null);
        DynamoDbStreamsSource<ChangeEvent> source = source("orders");
        SimpleVersionedSerializer<DynamoDbStreamsSourceEnumState> serializer =
                source.getEnumeratorCheckpointSerializer();
        byte[] checkpoint;
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            enumerator.start();
            checkpoint = serializer.serialize(enumerator.snapshotState(1));
        }

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.restoreEnumerator(
                                context,
                                serializer.deserialize(serializer.getVersion(), checkpoint))) {
            start(context, enumerator);

            assertThat(assigned(context))
                    .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                    .containsExactly(tuple(ORDERS, shard));
        }
    }

    private DynamoDbStreamsSource<ChangeEvent> source(String... tables) throws Exception {
        return InstantiationUtil.clone(builder().tableNames(tables).build());
    }

    private DynamoDbStreamsSourceBuilder<ChangeEvent> builder() {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .startingPosition(StartingPosition.trimHorizon())
                // Retries without real waiting.
                .setConfig(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1))
                .setConfig(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(2))
                .streamsClientFactory(FakeStreamsClients.factoryFor(client));
    }
}
