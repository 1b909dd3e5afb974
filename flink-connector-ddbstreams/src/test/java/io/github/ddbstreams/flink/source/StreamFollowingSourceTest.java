package io.github.ddbstreams.flink.source;

import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.assigned;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.runOneTimeCallables;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions.OnStreamDisabled;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.StreamEnumState;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * {@code FOLLOW_NEW_STREAM} from the source's side: only with table names, and a job restored
 * mid-follow reads the streams of its checkpoint rather than resolving the table again.
 */
class StreamFollowingSourceTest {

    private static final String OLD = MultiStreamFakeClient.arnOf("orders");
    private static final String NEW =
            MultiStreamFakeClient.arnOf("orders", "2026-01-02T00:00:00.000");

    private final FakeStreamsClient old = new FakeStreamsClient(OLD);
    private final FakeStreamsClient neu = new FakeStreamsClient(NEW);
    private final MultiStreamFakeClient client = new MultiStreamFakeClient(Map.of(OLD, old));

    @AfterEach
    void forgetClient() {
        FakeStreamsClients.remove(client);
    }

    private DynamoDbStreamsSourceBuilder<ChangeEvent> following() {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .setConfig(
                        DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED,
                        OnStreamDisabled.FOLLOW_NEW_STREAM)
                .shardDiscoveryInterval(Duration.ofMillis(1))
                .setConfig(
                        DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME,
                        Duration.ofMillis(1))
                .streamsClientFactory(FakeStreamsClients.factoryFor(client));
    }

    @Test
    void followingNeedsTableNames() {
        assertThatThrownBy(() -> following().streamArn(OLD).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.on-stream-disabled")
                .hasMessageContaining("FOLLOW_NEW_STREAM")
                .hasMessageContaining("tableName")
                .hasMessageContaining(OLD);
        assertThat(following().tableNames("orders", "customers").build()).isNotNull();
    }

    @Test
    void aJobRestoredMidFollowReadsBothStreamsOfItsCheckpoint() throws Throwable {
        String oldShard = old.addShard(null);
        String newShard = neu.addShard(null);
        DynamoDbStreamsSource<ChangeEvent> source =
                InstantiationUtil.clone(following().tableName("orders").build());
        SimpleVersionedSerializer<DynamoDbStreamsSourceEnumState> serializer =
                source.getEnumeratorCheckpointSerializer();
        byte[] checkpoint;
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);
            old.setStatus(StreamStatus.DISABLED);
            client.addStream(NEW, neu);
            Thread.sleep(3); // past the discovery interval that paces the look-ups
            // 1: the table's stream is known only once looked up, after the registration grace
            // period (0) was scheduled.
            context.runPeriodicCallable(1);
            runOneTimeCallables(context);
            checkpoint = serializer.serialize(enumerator.snapshotState(1));
        }
        assertThat(client.resolveCalls).hasValue(2); // the job's start, then the follow

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.restoreEnumerator(
                                context,
                                serializer.deserialize(serializer.getVersion(), checkpoint))) {
            start(context, enumerator);
            assertThat(client.resolveCalls).as("the table is not resolved again").hasValue(2);
            assertThat(enumerator.snapshotState(2).getStreams())
                    .extracting(StreamEnumState::getStreamArn)
                    .containsExactly(OLD, NEW);
            assertThat(assigned(context)).as("the old shard is still being read").isEmpty();

            enumerator.handleSourceEvent(
                    0, new FinishesReportedEvent(List.of(ShardSplit.idOf(OLD, oldShard))));
            runOneTimeCallables(context);
            // Restored, the old stream is seen disabled again: a complete listing after the
            // settle time shows it has no shard left to list.
            Thread.sleep(3);
            context.runPeriodicCallable(0);
            runOneTimeCallables(context);
            assertThat(assigned(context)).as("until a checkpoint holds the finish").isEmpty();
            enumerator.snapshotState(3);
            enumerator.notifyCheckpointComplete(3);
            assertThat(assigned(context))
                    .extracting(ShardSplit::splitId)
                    .containsExactly(ShardSplit.idOf(NEW, newShard));
        }
    }
}
