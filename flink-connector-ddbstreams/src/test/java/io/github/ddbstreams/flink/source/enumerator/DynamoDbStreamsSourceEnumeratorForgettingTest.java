package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.time.Duration;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/** The enumerator forgets expired shards after complete listings, and only confirmed ones. */
class DynamoDbStreamsSourceEnumeratorForgettingTest {

    private static final long DAY = Duration.ofDays(1).toMillis();

    @Test
    void forgetsAConfirmedFinishedShardTheStreamDroppedAndKeepsItsChildReadable() throws Throwable {
        FakeStreamsClient fake = new FakeStreamsClient();
        long now = System.currentTimeMillis(); // the enumerator judges age by the wall clock
        fake.setClock(now - 3 * DAY);
        String old = fake.addShard(null);
        fake.setClock(now);
        Configuration config = new Configuration();
        // Every periodic listing is a complete one.
        config.set(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL, Duration.ofMillis(1));
        EnumeratorSettings settings =
                EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false);
        EnumeratorHarness h = EnumeratorHarness.started(fake, 1, settings, null);
        h.register(0);
        h.runInitialDiscovery();
        String child = fake.rollover(old);
        h.finish(0, old);
        h.runNextOneTimeCallable(); // child lookup
        assertThat(h.assignedShardIds()).containsExactly(old, child);
        fake.removeShard(old); // the stream drops it a day after it closed

        Thread.sleep(5);
        h.runPeriodicDiscovery();
        assertThat(h.checkpoint(1).getStreams().get(0).getShards())
                .as("the finish is in no completed checkpoint yet: it may be taken back")
                .extracting(ShardNode::getShardId)
                .contains(old);
        h.enumerator.notifyCheckpointComplete(1);
        Thread.sleep(5);
        h.runPeriodicDiscovery();
        DynamoDbStreamsSourceEnumState state = h.checkpoint(2);
        h.close();

        StreamEnumState stream = state.stream(FakeStreamsClient.STREAM_ARN).orElseThrow();
        assertThat(stream.getShards()).extracting(ShardNode::getShardId).containsExactly(child);
        assertThat(stream.getShards().get(0).isParentTrimmed()).isTrue();
        assertThat(stream.getForgottenUpToMillis())
                .isEqualTo(ShardIds.creationTimeFromShardId(old));

        // Restored, the child's reader fails: the child is assigned again without its parent,
        // and a re-reported finish of the forgotten parent changes nothing.
        EnumeratorHarness restored = EnumeratorHarness.started(fake, 1, settings, state);
        restored.register(0);
        restored.finish(0, old);
        assertThat(restored.pendingOneTimeCallables()).as("no child lookup").isZero();
        restored.enumerator.addSplitsBack(java.util.List.of(h.split(child)), 0);
        assertThat(restored.assignedShardIds()).containsExactly(child);
        assertThat(restored.checkpoint(3).getStreams().get(0).getShards())
                .extracting(ShardNode::getShardId)
                .containsExactly(child);
        restored.close();
    }
}
