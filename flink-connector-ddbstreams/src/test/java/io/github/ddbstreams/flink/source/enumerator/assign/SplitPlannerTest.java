package io.github.ddbstreams.flink.source.enumerator.assign;

import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.BASE_MILLIS;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.HOUR;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.id;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardListing;
import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * The planner on its own: events in, decisions out. No Flink context, no callables; the readers and
 * the pacing clock are plain values the test sets.
 */
class SplitPlannerTest {

    private static final String ARN = MultiStreamFakeClient.arnOf("orders");
    private static final String NEW_ARN =
            MultiStreamFakeClient.arnOf("orders", "2026-01-02T00:00:00.000");
    private static final long NOW = BASE_MILLIS + HOUR;

    private final String parent = id(BASE_MILLIS, 1);
    private final String child = id(BASE_MILLIS + 4 * HOUR, 2);
    private final String other = id(BASE_MILLIS + 1, 3);

    private final TestReaders readers = new TestReaders(1);
    private long clockNanos;

    @Test
    void childListedLaterWaitsForItsParentToFinish() {
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(open(parent)), NOW);
        assertThat(shardIds(readerAdded(planner, 0).assignments())).containsExactly(parent);

        Decisions listed =
                planner.listing(ARN, listing(true, closed(parent), childOf(parent)), NOW);
        assertThat(listed.assignments()).isEmpty();
        assertThat(listed.nextListings()).containsKey(ARN);

        Decisions finished = planner.shardsFinished(0, List.of(splitId(parent)));
        assertThat(finished.assignments()).containsOnlyKeys(0);
        ShardSplit split = (ShardSplit) finished.assignments().get(0).get(0);
        assertThat(split.getShardId()).isEqualTo(child);
        assertThat(split.getParentShardId()).isEqualTo(parent);
        assertThat(split.getPosition()).isEqualTo(ShardPosition.trimHorizon());
        assertThat(finished.childLookups()).isEmpty(); // the child is known already
    }

    @Test
    void shardsWaitAtStartForEveryReaderOrTheEndOfTheGracePeriod() {
        readers.parallelism = 2;
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(open(parent), open(other)), NOW);
        assertThat(readerAdded(planner, 0).assignments()).isEmpty();

        Decisions graceOver = planner.registrationGraceOver();
        assertThat(graceOver.assignments()).containsOnlyKeys(0);
        assertThat(shardIds(graceOver.assignments())).containsExactlyInAnyOrder(parent, other);
        assertThat(planner.registrationGraceOver().assignments()).isEmpty(); // once only

        // Once every reader registered, no grace period is waited for.
        SplitPlanner second = planner(new Configuration(), false);
        readers.registered.clear();
        second.initialListing(ARN, initial(open(parent), open(other)), NOW);
        assertThat(readerAdded(second, 1).assignments()).isEmpty();
        Decisions all = readerAdded(second, 0);
        assertThat(all.assignments()).containsOnlyKeys(0, 1);
    }

    @Test
    void aFinishedShardWithNoKnownChildIsLookedUpAndLookedUpAgainWhileTheListingLags() {
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(open(parent)), NOW);
        readerAdded(planner, 0);

        Decisions finished = planner.shardsFinished(0, List.of(splitId(parent)));
        assertThat(finished.childLookups())
                .containsExactly(new Decisions.ChildLookup(ARN, parent, null));

        Decisions nothing = planner.childLookupDone(ARN, parent, listing(false), NOW);
        assertThat(nothing.startChildLookupTick()).isTrue();
        assertThat(planner.childLookupTick().childLookups()).isEmpty(); // not due yet
        clockNanos += Duration.ofMillis(ChildLookupRetries.FIRST_DELAY_MILLIS).toNanos();
        assertThat(planner.childLookupTick().childLookups())
                .extracting(Decisions.ChildLookup::parentShardId)
                .containsExactly(parent);

        Decisions found =
                planner.childLookupDone(ARN, parent, listing(false, childOf(parent)), NOW);
        assertThat(found.startChildLookupTick()).isFalse(); // asked for once only
        assertThat(shardIds(found.assignments())).containsExactly(child);
        clockNanos += Duration.ofHours(1).toNanos();
        assertThat(planner.childLookupTick().childLookups()).isEmpty();
    }

    @Test
    void aFinishIsAcknowledgedOnlyOnceACheckpointThatHoldsItCompletes() {
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(open(parent)), NOW);
        readerAdded(planner, 0);
        planner.snapshot(1); // before the finish
        planner.shardsFinished(0, List.of(splitId(parent)));

        assertThat(planner.checkpointCompleted(1).acks()).isEmpty();
        assertThat(planner.unconfirmedFinishCount()).isEqualTo(1);
        planner.snapshot(2);
        assertThat(planner.checkpointCompleted(2).acks())
                .isEqualTo(Map.of(0, List.of(splitId(parent))));
        assertThat(planner.unconfirmedFinishCount()).isZero();
    }

    @Test
    void splitsBackAfterAFailoverReopenTheUnconfirmedFinishAndTheChildWaitsForIt() {
        readers.parallelism = 2;
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(closed(parent), childOf(parent)), NOW);
        readerAdded(planner, 0);
        readerAdded(planner, 1);
        planner.snapshot(1);
        ShardSplit childSplit =
                (ShardSplit)
                        planner.shardsFinished(0, List.of(splitId(parent)))
                                .assignments()
                                .get(0)
                                .get(0);

        // Subtask 0 fails before checkpoint 1 completes: Flink returns the child's split.
        readers.registered.remove(0);
        Decisions back = planner.splitsBack(0, List.of(childSplit), false);
        assertThat(back.assignments()).isEmpty(); // neither to subtask 1, nor before the parent
        assertThat(planner.unconfirmedFinishCount()).isZero();
        assertThat(readerAdded(planner, 0).assignments()).isEmpty();

        // The restored reader finishes the parent again: now the child goes back to it.
        Decisions refinished = planner.shardsFinished(0, List.of(splitId(parent)));
        assertThat(refinished.assignments()).containsOnlyKeys(0);
        assertThat(shardIds(refinished.assignments())).containsExactly(child);
    }

    @Test
    void aFollowedStreamWaitsUntilTheOldOneIsReadToItsEnd() {
        Configuration config = new Configuration();
        config.set(
                DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED,
                DynamoDbStreamsSourceOptions.OnStreamDisabled.FOLLOW_NEW_STREAM);
        config.set(DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME, Duration.ZERO);
        SplitPlanner planner = planner(config, false);
        planner.initialListing(ARN, initial(open(parent)), NOW);
        readerAdded(planner, 0);

        Decisions disabled =
                planner.listing(ARN, listing(true, StreamStatus.DISABLED, closed(parent)), NOW);
        assertThat(disabled.latestStreamLookups())
                .containsExactly(new Decisions.LatestStreamLookup("orders", ARN));
        Decisions found = planner.latestStreamFound("orders", ARN, NEW_ARN);
        assertThat(found.newStreams())
                .extracting(Decisions.NewStream::streamArn, Decisions.NewStream::followed)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(NEW_ARN, true));
        assertThat(found.newStreams().get(0).startingPosition().getKind())
                .isEqualTo(StartingPosition.Kind.TRIM_HORIZON);

        String newShard = id(BASE_MILLIS + 5 * HOUR, 9);
        assertThat(planner.initialListing(NEW_ARN, initial(open(newShard)), NOW).assignments())
                .isEmpty();
        Decisions oldRead = planner.shardsFinished(0, List.of(splitId(parent)));
        assertThat(oldRead.childLookups()).isEmpty(); // the disabled stream's end is confirmed
        assertThat(oldRead.retiredStreams()).containsExactly(ARN);
        assertThat(oldRead.assignments().get(0))
                .extracting(DynamoDbSplit::splitId)
                .containsExactly(ShardSplit.idOf(NEW_ARN, newShard));
    }

    @Test
    void aBoundedReadEndsTheReadersOnceEveryShardIsFinished() {
        readers.parallelism = 2;
        SplitPlanner planner = planner(new Configuration(), true);
        planner.initialListing(ARN, initial(open(parent)), NOW);
        readerAdded(planner, 0);
        Decisions second = readerAdded(planner, 1);
        assertThat(second.noMoreSplits()).isEmpty();

        Decisions finished = planner.shardsFinished(0, List.of(splitId(parent)));
        assertThat(finished.childLookups())
                .extracting(Decisions.ChildLookup::parentShardId)
                .containsExactly(parent);
        assertThat(finished.noMoreSplits()).containsExactly(0, 1);
        assertThat(planner.listing(ARN, listing(true, closed(parent)), NOW).noMoreSplits())
                .isEmpty(); // told once
    }

    @Test
    void aSnapshotRestoresToAPlannerThatDecidesTheSame() {
        SplitPlanner planner = planner(new Configuration(), false);
        planner.initialListing(ARN, initial(closed(parent), childOf(parent), open(other)), NOW);
        readerAdded(planner, 0);
        planner.shardsFinished(0, List.of(splitId(parent)));
        DynamoDbStreamsSourceEnumState state = planner.snapshot(1);

        readers.registered.clear();
        SplitPlanner restored =
                new SplitPlanner(
                        Map.of(ARN, StartingPosition.trimHorizon()),
                        Map.of(),
                        settings(new Configuration(), false),
                        new LineageAffinityAssigner(),
                        readers,
                        () -> clockNanos,
                        state);
        assertThat(restored.snapshot(2)).isEqualTo(state);
        assertThat(restored.streams())
                .extracting(Decisions.NewStream::initialListingDone)
                .containsExactly(true);
        assertThat(readerAdded(restored, 0).assignments()).isEmpty(); // held by its reader
        // A restored enumerator's finishes wait for a checkpoint too (it was checkpointing).
        restored.shardsFinished(0, List.of(splitId(child)));
        assertThat(restored.unconfirmedFinishCount()).isEqualTo(1);
        assertThat(restored.snapshot(3).stream(ARN).orElseThrow().getShards())
                .filteredOn(node -> node.getShardId().equals(child))
                .extracting(ShardNode::getStatus)
                .containsExactly(ShardStatus.FINISHED);
    }

    // ------------------------------------------------------------------ helpers

    private SplitPlanner planner(Configuration config, boolean bounded) {
        return new SplitPlanner(
                Map.of(ARN, StartingPosition.trimHorizon()),
                Map.of(),
                settings(config, bounded),
                new LineageAffinityAssigner(),
                readers,
                () -> clockNanos,
                null);
    }

    private static EnumeratorSettings settings(Configuration config, boolean bounded) {
        return new EnumeratorSettings(StartingPosition.trimHorizon(), config, bounded);
    }

    private Decisions readerAdded(SplitPlanner planner, int subtask) {
        readers.registered.add(subtask);
        return planner.readerAdded(subtask);
    }

    private InitialListing initial(DiscoveredShard... shards) {
        return new InitialListing(listing(true, shards), Map.of());
    }

    private ShardListing listing(boolean complete, DiscoveredShard... shards) {
        return listing(complete, complete ? StreamStatus.ENABLED : null, shards);
    }

    private ShardListing listing(
            boolean complete, @Nullable StreamStatus status, DiscoveredShard... shards) {
        return new ShardListing(List.of(shards), complete, status, null, clockNanos);
    }

    private static DiscoveredShard open(String shardId) {
        return DiscoveredShard.of(shardId, null, false);
    }

    private static DiscoveredShard closed(String shardId) {
        return DiscoveredShard.of(shardId, null, true);
    }

    private DiscoveredShard childOf(String parentId) {
        return DiscoveredShard.of(child, parentId, false);
    }

    private static String splitId(String shardId) {
        return ShardSplit.idOf(ARN, shardId);
    }

    private static List<String> shardIds(Map<Integer, List<DynamoDbSplit>> assignments) {
        List<String> ids = new ArrayList<>();
        assignments
                .values()
                .forEach(splits -> Splits.shards(splits).forEach(s -> ids.add(s.getShardId())));
        return ids;
    }

    /** Flink's registered readers, as plain values; the snapshot tests use them too. */
    static final class TestReaders implements SplitPlanner.Readers {
        final TreeSet<Integer> registered = new TreeSet<>();
        int parallelism;

        TestReaders(int parallelism) {
            this.parallelism = parallelism;
        }

        @Override
        public Collection<Integer> registered() {
            return registered;
        }

        @Override
        public int parallelism() {
            return parallelism;
        }
    }
}
