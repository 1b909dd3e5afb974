package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardIds;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import io.github.ddbstreams.flink.testutils.TimedListingClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The enumerator's scale features with several streams: one DescribeStream pace for all streams
 * (the limit is per account), forgetting and its horizon per stream, the view type checked per
 * stream.
 */
class MultiStreamScaleTest {

    private static final String ORDERS = MultiStreamFakeClient.arnOf("orders");
    private static final String CUSTOMERS = MultiStreamFakeClient.arnOf("customers");
    private static final long DAY = Duration.ofDays(1).toMillis();

    private final FakeStreamsClient orders = new FakeStreamsClient(ORDERS);
    private final FakeStreamsClient customers = new FakeStreamsClient(CUSTOMERS);
    private final MultiStreamFakeClient fakes =
            new MultiStreamFakeClient(Map.of(ORDERS, orders, CUSTOMERS, customers));
    private final SimulatedClock pacingClock = new SimulatedClock();
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
            StreamsClient client,
            EnumeratorSettings settings,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        context = new MockSplitEnumeratorContext<>(1);
        contexts.add(context);
        Map<String, StartingPosition> streams = new LinkedHashMap<>();
        streams.put(ORDERS, StartingPosition.trimHorizon());
        streams.put(CUSTOMERS, StartingPosition.trimHorizon());
        enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        client,
                        streams,
                        Map.of(),
                        settings,
                        new LineageAffinityAssigner(),
                        restored,
                        pacingClock);
        enumerator.start();
        context.registerReader(new ReaderInfo(0, "host-0"));
        enumerator.addReader(0);
    }

    private static EnumeratorSettings settings(Configuration config) {
        return new EnumeratorSettings(StartingPosition.trimHorizon(), config, false);
    }

    @Test
    void oneDescribeStreamPaceForAllStreams() throws Throwable {
        for (int i = 0; i < 250; i++) {
            orders.addShard(null);
            customers.addShard(null);
        }
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND, 2.0);
        TimedListingClient timed = new TimedListingClient(fakes, pacingClock::millis);
        start(timed, settings(config), null);
        customers.throttleNextCalls(2);

        context.runNextOneTimeCallable(); // orders: 3 pages
        context.runNextOneTimeCallable(); // customers: 3 pages, 2 throttled

        assertThat(
                        context.getSplitsAssignmentSequence().stream()
                                .mapToInt(a -> a.assignment().get(0).size())
                                .sum())
                .isEqualTo(500);
        assertThat(timed.callMillis()).hasSize(8);
        // Each stream alone keeps 2/s; only one pace for both keeps their sum there too.
        assertThat(timed.callsPerSecond().values()).allMatch(n -> n <= 2);
        assertThat(enumerator.metrics().describeStreamThrottled())
                .as("counted once, not once per stream")
                .isEqualTo(2);
    }

    @Test
    void forgetsPerStreamWithAHorizonPerStreamThatSurvivesARestore() throws Throwable {
        long now = System.currentTimeMillis(); // the enumerator judges age by the wall clock
        orders.setClock(now - 3 * DAY);
        String old = orders.addShard(null);
        orders.setClock(now);
        customers.setClock(now - 3 * DAY);
        String customersOld = customers.addShard(null);
        customers.setClock(now);
        Configuration config = new Configuration();
        // Every periodic listing is a complete one.
        config.set(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL, Duration.ofMillis(1));
        start(fakes, settings(config), null);
        context.runNextOneTimeCallable();
        context.runNextOneTimeCallable();
        checkpoint(0); // the job checkpoints
        String child = orders.rollover(old);
        String customersChild = customers.rollover(customersOld);
        enumerator.handleSourceEvent(
                0,
                new FinishesReportedEvent(
                        List.of(
                                ShardSplit.idOf(ORDERS, old),
                                ShardSplit.idOf(CUSTOMERS, customersOld))));
        context.runNextOneTimeCallable(); // child lookups
        context.runNextOneTimeCallable();
        orders.removeShard(old);
        customers.removeShard(customersOld);

        Thread.sleep(5);
        context.runPeriodicCallable(0); // orders
        assertThat(checkpoint(1).stream(ORDERS).orElseThrow().getShards())
                .as("the finish is in no completed checkpoint yet: it may be taken back")
                .extracting(ShardNode::getShardId)
                .contains(old);
        enumerator.notifyCheckpointComplete(1);
        Thread.sleep(5);
        context.runPeriodicCallable(0); // orders only: customers' graph has no complete listing
        DynamoDbStreamsSourceEnumState state = checkpoint(2);

        StreamEnumState ordersState = state.stream(ORDERS).orElseThrow();
        StreamEnumState customersState = state.stream(CUSTOMERS).orElseThrow();
        assertThat(ordersState.getShards())
                .extracting(ShardNode::getShardId)
                .containsExactly(child);
        assertThat(ordersState.getForgottenUpToMillis())
                .isEqualTo(ShardIds.creationTimeFromShardId(old));
        assertThat(customersState.getShards())
                .extracting(ShardNode::getShardId)
                .containsExactly(customersOld, customersChild);
        assertThat(customersState.getForgottenUpToMillis()).isEqualTo(-1);

        start(fakes, settings(config), state);
        assertThat(checkpoint(3)).as("restored as checkpointed").isEqualTo(state);
    }

    @Test
    void checksTheViewTypeOfEachStream() throws Throwable {
        orders.addShard(null);
        customers.addShard(null);
        customers.setViewType(StreamViewType.KEYS_ONLY);
        start(
                fakes,
                new EnumeratorSettings(
                        StartingPosition.trimHorizon(),
                        new Configuration(),
                        false,
                        Set.of(StreamViewType.NEW_AND_OLD_IMAGES)),
                null);

        context.runNextOneTimeCallable(); // orders: NEW_AND_OLD_IMAGES
        assertThatThrownBy(context::runNextOneTimeCallable)
                .hasMessageContaining(CUSTOMERS)
                .hasMessageContaining("KEYS_ONLY")
                .hasMessageContaining("NEW_AND_OLD_IMAGES");
    }

    /** A snapshot taken through the state serializer, as a real checkpoint stores it. */
    private DynamoDbStreamsSourceEnumState checkpoint(long checkpointId) throws IOException {
        DynamoDbStreamsSourceEnumStateSerializer serializer =
                new DynamoDbStreamsSourceEnumStateSerializer();
        return serializer.deserialize(
                serializer.getVersion(),
                serializer.serialize(enumerator.snapshotState(checkpointId)));
    }
}
