package io.github.ddbstreams.flink.source.enumerator.assign;

import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.BASE_MILLIS;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.HOUR;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.id;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.SnapshotEnumState;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardListing;
import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * The planner with a snapshot: a table's Scan segments, handed out once the stream's first listing
 * fixed its positions, finished, given back by a failed subtask and restored from a checkpoint.
 * Events in, decisions out, as in {@link SplitPlannerTest}.
 */
class SplitPlannerSnapshotTest {

    private static final String ARN = MultiStreamFakeClient.arnOf("orders");
    private static final long NOW = BASE_MILLIS + HOUR;
    private static final String SHARD = id(BASE_MILLIS, 1);

    private final SplitPlannerTest.TestReaders readers = new SplitPlannerTest.TestReaders(2);

    @Test
    void segmentsGoOutOnlyOnceTheStreamsPositionsAreFixedSpreadOverTheReaders() {
        SplitPlanner planner = planner(true, null);
        assertThat(readerAdded(planner, 0).assignments()).isEmpty();
        assertThat(readerAdded(planner, 1).assignments()).isEmpty(); // nothing listed yet
        assertThat(planner.takesSnapshot(ARN)).isTrue();

        Decisions listed = planner.initialListing(ARN, latest(open(SHARD)), 4, NOW);

        assertThat(segmentNumbers(listed, 0)).containsExactly(0, 2);
        assertThat(segmentNumbers(listed, 1)).containsExactly(1, 3);
        assertThat(shardsIn(listed)).isEmpty(); // a bounded snapshot reads no shard
        assertThat(planner.snapshots())
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.getTableName()).isEqualTo("orders");
                            assertThat(s.getTotalSegments()).isEqualTo(4);
                        });
    }

    @Test
    void unboundedTheStreamIsReadFromItsFixedPositionsBesideTheSegments() {
        SplitPlanner planner = planner(false, null);
        readerAdded(planner, 0);
        readerAdded(planner, 1);
        ShardPosition fixed = ShardPosition.latestIterator("iterator-at-start", NOW);

        Decisions listed =
                planner.initialListing(
                        ARN,
                        new InitialListing(listing(open(SHARD)), Map.of(SHARD, fixed)),
                        2,
                        NOW);

        assertThat(shardsIn(listed))
                .singleElement()
                .satisfies(
                        split -> {
                            assertThat(split.getShardId()).isEqualTo(SHARD);
                            assertThat(split.getPosition()).isEqualTo(fixed);
                        });
        assertThat(segmentNumbers(listed, 0)).hasSize(1);
        assertThat(segmentNumbers(listed, 1)).hasSize(1);
        for (int segment = 0; segment < 2; segment++) {
            assertThat(
                            planner.shardsFinished(segment, List.of(segmentId(segment, 2)))
                                    .noMoreSplits())
                    .isEmpty(); // the stream goes on after the snapshot
        }
    }

    @Test
    void aBoundedSnapshotEndsTheReadersOnceEverySegmentIsRead() {
        SplitPlanner planner = planner(true, null);
        readerAdded(planner, 0);
        readerAdded(planner, 1);
        planner.initialListing(ARN, latest(open(SHARD)), 3, NOW);

        assertThat(planner.shardsFinished(0, List.of(segmentId(0, 3))).noMoreSplits()).isEmpty();
        assertThat(planner.shardsFinished(1, List.of(segmentId(1, 3))).noMoreSplits()).isEmpty();
        Decisions last = planner.shardsFinished(0, List.of(segmentId(2, 3)));

        assertThat(last.noMoreSplits()).containsExactly(0, 1);
        assertThat(last.childLookups()).isEmpty(); // a segment is no shard
    }

    @Test
    void aFailedSubtasksSegmentsGoBackWithTheirProgressAndItsUnconfirmedFinishesAreUndone() {
        SplitPlanner planner = planner(true, null);
        readerAdded(planner, 0);
        readerAdded(planner, 1);
        Decisions listed = planner.initialListing(ARN, latest(open(SHARD)), 4, NOW);
        assertThat(segmentNumbers(listed, 0)).containsExactly(0, 2);
        planner.snapshot(1);
        planner.shardsFinished(0, List.of(segmentId(0, 4))); // not in checkpoint 1
        planner.shardsFinished(1, List.of(segmentId(1, 4), segmentId(3, 4)));

        // Subtask 0 fails and restarts from checkpoint 1: segment 2 comes back part read.
        readers.registered.remove(0);
        ScanSegmentSplit partRead =
                ScanSegmentSplit.unread(ARN, "orders", 2, 4)
                        .after(Map.of("pk", AttributeValue.fromS("item-17")));
        Decisions back = planner.splitsBack(0, List.of(partRead), false);

        assertThat(back.assignments().get(1)).containsExactly(partRead); // with its progress
        assertThat(back.noMoreSplits()).isEmpty();
        // Segment 0's finish was undone: the restored subtask 0 holds it again and re-reports.
        readerAdded(planner, 0);
        assertThat(planner.shardsFinished(1, List.of(segmentId(2, 4))).noMoreSplits()).isEmpty();
        Decisions reReported = planner.shardsFinished(0, List.of(segmentId(0, 4)));
        assertThat(reReported.noMoreSplits()).containsExactlyInAnyOrder(0, 1);
    }

    @Test
    void aCheckpointRestoresPendingAndReadSegmentsAndNoSecondSnapshotStarts() {
        SplitPlanner planner = planner(true, null);
        readerAdded(planner, 0);
        readerAdded(planner, 1);
        planner.initialListing(ARN, latest(open(SHARD)), 4, NOW);
        planner.shardsFinished(0, List.of(segmentId(0, 4)));
        ScanSegmentSplit partRead =
                ScanSegmentSplit.unread(ARN, "orders", 3, 4)
                        .after(Map.of("pk", AttributeValue.fromS("item-9")));
        readers.registered.clear(); // both fail: no reader to take it now
        planner.splitsBack(1, List.of(partRead), false);
        DynamoDbStreamsSourceEnumState state = planner.snapshot(2);

        SnapshotEnumState snapshot = state.getSnapshots().get(0);
        assertThat(snapshot.getPending()).containsExactly(partRead);
        assertThat(snapshot.getReadSegments()).containsExactly(0);

        readers.registered.clear();
        SplitPlanner restored = planner(true, state);
        assertThat(restored.snapshot(3)).isEqualTo(state);
        readerAdded(restored, 0);
        Decisions both = readerAdded(restored, 1);
        // Only the pending segment: 1 and 2 are in their readers' checkpoints.
        assertThat(both.assignments().values().stream().flatMap(List::stream))
                .containsExactly(partRead);
        assertThat(restored.streams())
                .extracting(Decisions.NewStream::initialListingDone)
                .containsExactly(true);
    }

    @Test
    void aSegmentCountIsNeededToStartASnapshot() {
        SplitPlanner planner = planner(true, null);
        assertThatThrownBy(() -> planner.initialListing(ARN, latest(open(SHARD)), NOW))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(ARN)
                .hasMessageContaining("no segment count");
    }

    // ------------------------------------------------------------------ helpers

    private SplitPlanner planner(boolean bounded, @Nullable DynamoDbStreamsSourceEnumState state) {
        return new SplitPlanner(
                Map.of(ARN, StartingPosition.initialSnapshot()),
                Map.of(),
                new EnumeratorSettings(
                        StartingPosition.initialSnapshot(), new Configuration(), bounded),
                new LineageAffinityAssigner(),
                readers,
                () -> 0L,
                state);
    }

    private Decisions readerAdded(SplitPlanner planner, int subtask) {
        readers.registered.add(subtask);
        return planner.readerAdded(subtask);
    }

    private static InitialListing latest(DiscoveredShard... shards) {
        return new InitialListing(listing(shards), Map.of());
    }

    private static ShardListing listing(DiscoveredShard... shards) {
        return new ShardListing(List.of(shards), true, StreamStatus.ENABLED, null, 0);
    }

    private static DiscoveredShard open(String shardId) {
        return DiscoveredShard.of(shardId, null, false);
    }

    private static String segmentId(int segment, int total) {
        return ScanSegmentSplit.unread(ARN, "orders", segment, total).splitId();
    }

    private static List<Integer> segmentNumbers(Decisions decisions, int subtask) {
        List<Integer> segments = new ArrayList<>();
        for (DynamoDbSplit split : decisions.assignments().getOrDefault(subtask, List.of())) {
            if (split instanceof ScanSegmentSplit segment) {
                segments.add(segment.getSegment());
            }
        }
        return segments;
    }

    private static List<ShardSplit> shardsIn(Decisions decisions) {
        List<ShardSplit> shards = new ArrayList<>();
        decisions
                .assignments()
                .values()
                .forEach(
                        splits ->
                                splits.stream()
                                        .filter(ShardSplit.class::isInstance)
                                        .forEach(s -> shards.add((ShardSplit) s)));
        return shards;
    }
}
