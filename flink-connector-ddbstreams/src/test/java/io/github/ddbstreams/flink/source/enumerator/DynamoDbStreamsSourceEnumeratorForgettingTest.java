package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardIds;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * The enumerator forgets expired shards after complete listings: with checkpointing only confirmed
 * ones, without checkpointing (no confirmation ever comes) all of them.
 */
class DynamoDbStreamsSourceEnumeratorForgettingTest {

    private static final long DAY = Duration.ofDays(1).toMillis();

    /** Every periodic listing is a complete one. */
    private static EnumeratorSettings everyListingComplete() {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL, Duration.ofMillis(1));
        return EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false);
    }

    @Test
    void withoutCheckpointingFinishedShardsTheStreamDroppedAreForgottenAllTheSame()
            throws Throwable {
        FakeStreamsClient fake = new FakeStreamsClient();
        long now = System.currentTimeMillis();
        fake.setClock(now - 3 * DAY);
        List<String> roots = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            roots.add(fake.addShard(null));
        }
        fake.setClock(now);
        try (EnumeratorHarness h =
                EnumeratorHarness.started(fake, 1, everyListingComplete(), null)) {
            h.register(0);
            h.runInitialDiscovery();
            // A day of rollovers, each lineage read through; no snapshot is ever taken.
            for (String root : roots) {
                fake.rollover(root);
            }
            h.runPeriodicDiscovery();
            h.finish(0, roots.toArray(new String[0]));
            roots.forEach(fake::removeShard); // the stream drops them a day after they closed
            assertThat(h.enumerator.metrics().shardsFinished()).isEqualTo(roots.size());

            Thread.sleep(5);
            h.runPeriodicDiscovery();

            assertThat(h.enumerator.metrics().shardsFinished())
                    .as("no checkpoint will ever confirm these finishes: nothing to wait for")
                    .isZero();
            assertThat(h.enumerator.metrics().shardsAssigned()).isEqualTo(roots.size());
            assertThat(h.enumerator.unconfirmedFinishCount())
                    .as("nor are their finishes kept for a confirmation")
                    .isZero();
        }
    }

    @Test
    void forgetsAConfirmedFinishedShardTheStreamDroppedAndKeepsItsChildReadable() throws Throwable {
        FakeStreamsClient fake = new FakeStreamsClient();
        long now = System.currentTimeMillis(); // the enumerator judges age by the wall clock
        fake.setClock(now - 3 * DAY);
        String old = fake.addShard(null);
        fake.setClock(now);
        EnumeratorSettings settings = everyListingComplete();
        EnumeratorHarness h = EnumeratorHarness.started(fake, 1, settings, null);
        h.register(0);
        h.runInitialDiscovery();
        h.checkpoint(0); // the job checkpoints
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
