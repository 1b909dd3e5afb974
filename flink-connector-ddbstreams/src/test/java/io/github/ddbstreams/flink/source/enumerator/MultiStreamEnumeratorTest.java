package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One enumerator over two streams whose fakes share a clock, so their shard ids coincide: splits
 * must still be told apart, lineages kept per stream, and load balanced over both.
 */
class MultiStreamEnumeratorTest {

    private static final String ORDERS = MultiStreamFakeClient.arnOf("orders");
    private static final String CUSTOMERS = MultiStreamFakeClient.arnOf("customers");

    private final FakeStreamsClient orders = new FakeStreamsClient(ORDERS);
    private final FakeStreamsClient customers = new FakeStreamsClient(CUSTOMERS);
    private final MultiStreamFakeClient client =
            new MultiStreamFakeClient(Map.of(ORDERS, orders, CUSTOMERS, customers));
    private final List<MockSplitEnumeratorContext<DynamoDbSplit>> contexts = new ArrayList<>();
    private MockSplitEnumeratorContext<DynamoDbSplit> context;
    private DynamoDbStreamsSourceEnumerator enumerator;

    @AfterEach
    void close() throws Exception {
        for (MockSplitEnumeratorContext<DynamoDbSplit> c : contexts) {
            c.close();
        }
    }

    private void start(
            int parallelism,
            Map<String, StartingPosition> streams,
            boolean bounded,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        context = new MockSplitEnumeratorContext<>(parallelism);
        contexts.add(context);
        enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        client,
                        streams,
                        Map.of(),
                        new EnumeratorSettings(
                                StartingPosition.trimHorizon(), new Configuration(), bounded),
                        new LineageAffinityAssigner(),
                        restored,
                        DescribeStreamPacer.Clock.SYSTEM);
        enumerator.start();
    }

    private void startBoth(int parallelism) {
        start(parallelism, both(StartingPosition.trimHorizon()), false, null);
    }

    private static Map<String, StartingPosition> both(StartingPosition start) {
        Map<String, StartingPosition> streams = new LinkedHashMap<>();
        streams.put(ORDERS, start);
        streams.put(CUSTOMERS, start);
        return streams;
    }

    private void register(int... subtasks) {
        for (int subtask : subtasks) {
            context.registerReader(new ReaderInfo(subtask, "host-" + subtask));
            enumerator.addReader(subtask);
        }
    }

    private void runOneTimeCallables() throws Throwable {
        while (!context.getOneTimeCallables().isEmpty()) {
            context.runNextOneTimeCallable();
        }
    }

    private void finish(int subtask, String streamArn, String shardId) throws Throwable {
        enumerator.handleSourceEvent(
                subtask, new FinishesReportedEvent(List.of(ShardSplit.idOf(streamArn, shardId))));
        runOneTimeCallables(); // the child lookups
    }

    /** Every assigned split id with its subtask, in assignment order. */
    private Map<String, Integer> subtaskBySplit() {
        Map<String, Integer> owners = new LinkedHashMap<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            assignment
                    .assignment()
                    .forEach(
                            (subtask, splits) ->
                                    splits.forEach(split -> owners.put(split.splitId(), subtask)));
        }
        return owners;
    }

    private List<ShardSplit> assignedSplits() {
        List<ShardSplit> all = new ArrayList<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            assignment.assignment().values().forEach(s -> all.addAll(Splits.shards(s)));
        }
        return all;
    }

    @Test
    void fakesOfBothStreamsMakeTheSameShardIds() {
        assertThat(orders.addShard(null)).isEqualTo(customers.addShard(null));
    }

    @Test
    void shardsOfAllStreamsAreBalancedOverTheSubtasksTogether() throws Throwable {
        List<String> orderShards =
                List.of(orders.addShard(null), orders.addShard(null), orders.addShard(null));
        String customerShard = customers.addShard(null);
        startBoth(2);
        register(0, 1);
        runOneTimeCallables();

        Map<String, Integer> owners = subtaskBySplit();
        assertThat(owners).hasSize(4);
        // Counted per stream, subtask 0 would get the first order shard and the customer shard.
        assertThat(owners.values()).containsExactlyInAnyOrder(0, 0, 1, 1);
        assertThat(owners)
                .containsKeys(
                        ShardSplit.idOf(ORDERS, orderShards.get(0)),
                        ShardSplit.idOf(CUSTOMERS, customerShard));
    }

    @Test
    void aShardIdInTwoStreamsIsTwoSplitsWithTheirOwnLineage() throws Throwable {
        String root = orders.addShard(null);
        customers.addShard(null);
        String orderChild = orders.rollover(root);
        String customerChild = customers.rollover(root);
        assertThat(customerChild).isEqualTo(orderChild);
        startBoth(2);
        register(0, 1);
        runOneTimeCallables();
        assertThat(subtaskBySplit())
                .containsOnlyKeys(ShardSplit.idOf(ORDERS, root), ShardSplit.idOf(CUSTOMERS, root));

        int ordersOwner = subtaskBySplit().get(ShardSplit.idOf(ORDERS, root));
        finish(ordersOwner, ORDERS, root);

        // Only the orders child is ready: the customers root of the same id is still being read.
        assertThat(subtaskBySplit())
                .containsOnlyKeys(
                        ShardSplit.idOf(ORDERS, root),
                        ShardSplit.idOf(CUSTOMERS, root),
                        ShardSplit.idOf(ORDERS, orderChild));
        assertThat(subtaskBySplit().get(ShardSplit.idOf(ORDERS, orderChild)))
                .isEqualTo(ordersOwner);
        ShardSplit child = assignedSplits().get(2);
        assertThat(child.getStreamArn()).isEqualTo(ORDERS);
        assertThat(child.getParentShardId()).isEqualTo(root);

        enumerator.snapshotState(1);
        enumerator.notifyCheckpointComplete(1);
        assertThat(context.getSentSourceEvent().get(ordersOwner))
                .singleElement()
                .isInstanceOfSatisfying(
                        FinishesConfirmedEvent.class,
                        e ->
                                assertThat(e.splitIds())
                                        .containsExactly(ShardSplit.idOf(ORDERS, root)));
    }

    @Test
    void eachStreamStartsAtItsOwnPosition() throws Throwable {
        String orderRoot = orders.addShard(null);
        String orderOpen = orders.rollover(orderRoot);
        String customerRoot = customers.addShard(null);
        customers.rollover(customerRoot);
        Map<String, StartingPosition> streams = new LinkedHashMap<>();
        streams.put(ORDERS, StartingPosition.latest());
        streams.put(CUSTOMERS, StartingPosition.trimHorizon());
        start(1, streams, false, null);
        register(0);
        runOneTimeCallables();

        // orders from LATEST: its closed root is skipped, its open shard starts at the job's
        // LATEST point; customers from TRIM_HORIZON: its root is read first, from the start.
        assertThat(assignedSplits())
                .extracting(ShardSplit::getStreamArn, ShardSplit::getShardId)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple(ORDERS, orderOpen),
                        org.assertj.core.groups.Tuple.tuple(CUSTOMERS, customerRoot));
        for (ShardSplit split : assignedSplits()) {
            assertThat(split.getPosition().getKind())
                    .as(split.splitId())
                    .isEqualTo(
                            split.getStreamArn().equals(ORDERS)
                                    ? ShardPosition.Kind.LATEST_ITERATOR
                                    : ShardPosition.Kind.TRIM_HORIZON);
        }
    }

    @Test
    void aCheckpointHoldsEveryStreamAndRestoresThem() throws Throwable {
        String orderRoot = orders.addShard(null);
        String orderChild = orders.rollover(orderRoot);
        String customerRoot = customers.addShard(null);
        String customerChild = customers.rollover(customerRoot);
        startBoth(1);
        register(0);
        runOneTimeCallables();
        finish(0, ORDERS, orderRoot);
        DynamoDbStreamsSourceEnumStateSerializer serializer =
                new DynamoDbStreamsSourceEnumStateSerializer();
        DynamoDbStreamsSourceEnumState state =
                serializer.deserialize(
                        serializer.getVersion(), serializer.serialize(enumerator.snapshotState(1)));
        assertThat(state.getStreams())
                .extracting(StreamEnumState::getStreamArn)
                .containsExactly(ORDERS, CUSTOMERS);

        start(1, both(StartingPosition.trimHorizon()), false, state);
        register(0);
        context.runPeriodicCallable(0);
        context.runPeriodicCallable(1);
        assertThat(assignedSplits())
                .as("assigned and finished shards stay with the restored readers")
                .isEmpty();

        finish(0, CUSTOMERS, customerRoot);
        assertThat(subtaskBySplit()).containsOnlyKeys(ShardSplit.idOf(CUSTOMERS, customerChild));
        assertThat(orderChild).isEqualTo(customerChild);
    }

    @Test
    void aStreamAddedToARestoredSingleStreamJobIsReadFromItsStartingPosition() throws Throwable {
        String orderRoot = orders.addShard(null);
        String customerRoot = customers.addShard(null);
        start(1, Map.of(ORDERS, StartingPosition.trimHorizon()), false, null);
        register(0);
        runOneTimeCallables();
        DynamoDbStreamsSourceEnumState ordersOnly = enumerator.snapshotState(1);
        assertThat(ordersOnly.getStreams()).hasSize(1);

        start(1, both(StartingPosition.trimHorizon()), false, ordersOnly);
        register(0);
        runOneTimeCallables();

        assertThat(subtaskBySplit()).containsOnlyKeys(ShardSplit.idOf(CUSTOMERS, customerRoot));
        assertThat(enumerator.snapshotState(2).getStreams())
                .extracting(StreamEnumState::getStreamArn)
                .containsExactly(ORDERS, CUSTOMERS);
        assertThat(orderRoot).isEqualTo(customerRoot);
    }

    @Test
    void aFailedSubtaskGivesEachSplitBackToItsOwnStream() throws Throwable {
        String root = orders.addShard(null);
        customers.addShard(null);
        startBoth(2);
        register(0, 1);
        runOneTimeCallables();
        ShardSplit orderSplit = assignedSplits().get(0);
        ShardSplit customerSplit = assignedSplits().get(1);
        assertThat(orderSplit.getStreamArn()).isEqualTo(ORDERS);
        assertThat(customerSplit.getStreamArn()).isEqualTo(CUSTOMERS);
        int failed = subtaskBySplit().get(customerSplit.splitId());

        context.unregisterReader(failed);
        ShardSplit progressed =
                customerSplit.withPosition(
                        ShardPosition.afterSequenceNumber("000000000000000000123"));
        enumerator.addSplitsBack(List.of(progressed), failed);
        register(failed);

        List<ShardSplit> all = assignedSplits();
        assertThat(all).hasSize(3);
        assertThat(all.get(2)).isEqualTo(progressed);
        assertThat(all.get(2).getShardId()).isEqualTo(root);
    }

    @Test
    void aBoundedReadEndsOnlyOnceEveryStreamIsRead() throws Throwable {
        String orderRoot = orders.addShard(null);
        String customerRoot = customers.addShard(null);
        String customerChild = customers.rollover(customerRoot);
        start(1, both(StartingPosition.trimHorizon()), true, null);
        register(0);
        runOneTimeCallables();

        finish(0, ORDERS, orderRoot);
        assertThat(context.hasNoMoreSplits(0)).as("customers is not read yet").isFalse();
        finish(0, CUSTOMERS, customerRoot);
        assertThat(context.hasNoMoreSplits(0)).isFalse();
        finish(0, CUSTOMERS, customerChild);
        assertThat(context.hasNoMoreSplits(0)).isTrue();
    }
}
