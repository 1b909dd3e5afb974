package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.StreamEnumState;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The builder's several-stream settings, through to the enumerator a (serialized) source makes. */
class MultiStreamSourceTest {

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

    private static DynamoDbStreamsSourceBuilder<ChangeEvent> builder() {
        return DynamoDbStreamsSource.builder();
    }

    @Test
    void rejectsAStartingPositionForAStreamNotRead() {
        assertThatThrownBy(
                        () ->
                                builder()
                                        .tableNames("orders", "customers")
                                        .startingPosition("invoices", StartingPosition.latest())
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'invoices'")
                .hasMessageContaining("[orders, customers]");
    }

    @Test
    void rejectsAStreamSetTwice() {
        assertThatThrownBy(() -> builder().streamArns(ORDERS, ORDERS).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(ORDERS)
                .hasMessageContaining("twice");
    }

    @Test
    void rejectsArnsAndTablesTogether() {
        assertThatThrownBy(() -> builder().streamArns(ORDERS).tableNames("customers").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("only one kind");
    }

    @Test
    void checksEveryArnAndTable() {
        assertThatThrownBy(() -> builder().streamArns(ORDERS, "not-an-arn").build())
                .hasMessageContaining("'not-an-arn'");
        assertThatThrownBy(() -> builder().tableNames("orders", "x").build())
                .hasMessageContaining("'x'");
    }

    @Test
    void theSingleStreamSettersReplaceTheLists() {
        DynamoDbStreamsSource<ChangeEvent> source =
                builder().streamArns(ORDERS, CUSTOMERS).streamArn(ORDERS).build();
        assertThat(source.toString()).contains(ORDERS).doesNotContain(CUSTOMERS);
    }

    @Test
    void aSerializedSourceResolvesEveryTableWithItsOwnStartingPosition() throws Throwable {
        String orderShard = orders.addShard(null);
        String customerShard = customers.addShard(null);
        Instant since = Instant.ofEpochMilli(1_700_000_000_000L);
        DynamoDbStreamsSource<ChangeEvent> source =
                InstantiationUtil.clone(
                        builder()
                                .tableNames("orders", "customers")
                                .startingPosition(StartingPosition.trimHorizon())
                                .startingPosition("customers", StartingPosition.atTimestamp(since))
                                .streamsClientFactory(FakeStreamsClients.factoryFor(client))
                                .build());

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(2);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);

            assertThat(assigned(context))
                    .extracting(
                            ShardSplit::getStreamArn, ShardSplit::getShardId, s -> s.getPosition())
                    .containsExactlyInAnyOrder(
                            tuple(ORDERS, orderShard, ShardPosition.trimHorizon()),
                            tuple(
                                    CUSTOMERS,
                                    customerShard,
                                    ShardPosition.atTimestamp(since.toEpochMilli())));
        }
    }

    @Test
    void aRestoredSourceKeepsItsStreamsAndAddsTablesConfiguredSince() throws Throwable {
        orders.addShard(null);
        String customerShard = customers.addShard(null);
        DynamoDbStreamsSourceEnumState ordersOnly;
        DynamoDbStreamsSource<ChangeEvent> before =
                builder()
                        .tableName("orders")
                        .startingPosition(StartingPosition.trimHorizon())
                        .streamsClientFactory(FakeStreamsClients.factoryFor(client))
                        .build();
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        before.createEnumerator(context)) {
            start(context, enumerator);
            ordersOnly = enumerator.snapshotState(1);
        }

        DynamoDbStreamsSource<ChangeEvent> after =
                builder()
                        .tableNames("orders", "customers")
                        .startingPosition(StartingPosition.trimHorizon())
                        .streamsClientFactory(FakeStreamsClients.factoryFor(client))
                        .build();
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        after.restoreEnumerator(context, ordersOnly)) {
            start(context, enumerator);

            assertThat(assigned(context))
                    .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                    .containsExactly(tuple(CUSTOMERS, customerShard));
            assertThat(enumerator.snapshotState(2).getStreams())
                    .extracting(StreamEnumState::getStreamArn)
                    .containsExactly(ORDERS, CUSTOMERS);
        }
    }

    private static void start(
            MockSplitEnumeratorContext<DynamoDbSplit> context,
            SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator)
            throws Throwable {
        enumerator.start();
        for (int subtask = 0; subtask < context.currentParallelism(); subtask++) {
            context.registerReader(new ReaderInfo(subtask, "host"));
            enumerator.addReader(subtask);
        }
        while (!context.getOneTimeCallables().isEmpty()) {
            context.runNextOneTimeCallable();
        }
    }

    private static List<ShardSplit> assigned(MockSplitEnumeratorContext<DynamoDbSplit> context) {
        List<ShardSplit> all = new ArrayList<>();
        context.getSplitsAssignmentSequence()
                .forEach(a -> a.assignment().values().forEach(s -> all.addAll(Splits.shards(s))));
        return all;
    }
}
