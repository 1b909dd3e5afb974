package io.github.ddbstreams.flink.source.enumerator.lineage;

import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.BASE_MILLIS;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.HOUR;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.RETENTION;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.id;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.lineages;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.parents;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ShardGraphTest {

    private static final long NOW = BASE_MILLIS + HOUR;

    private final String root = id(BASE_MILLIS, 1);
    private final String child = id(BASE_MILLIS + 10, 2);
    private final String left = id(BASE_MILLIS + 20, 3);
    private final String right = id(BASE_MILLIS + 20, 4);

    @Test
    void readsLargeLineageParentsFirstAndEveryShardOnce() {
        List<DiscoveredShard> shards = lineages(200, 20);
        assertThat(shards).hasSizeGreaterThan(4_000);
        ShardGraph graph = new ShardGraph(RETENTION);

        assertThat(graph.addShards(shards, true, NOW)).hasSize(shards.size());
        assertThat(graph.readyShards()).hasSize(200);

        List<String> order = readAll(graph, parents(shards), 7, 42);
        assertThat(order).hasSize(shards.size());
        assertThat(new HashSet<>(order)).hasSize(shards.size());
        assertThat(graph.count(ShardStatus.FINISHED)).isEqualTo(shards.size());
        assertThat(graph.count(ShardStatus.ASSIGNED)).isZero();
        assertThat(graph.count(ShardStatus.UNASSIGNED)).isZero();
    }

    @Test
    void discoveryInShuffledBatchesKeepsChildrenWaitingForLateParents() {
        List<DiscoveredShard> shards = new ArrayList<>(lineages(50, 20));
        Map<String, String> parents = parents(shards);
        Collections.shuffle(shards, new Random(7));
        ShardGraph graph = new ShardGraph(RETENTION);
        List<String> order = new ArrayList<>();
        for (int from = 0; from < shards.size(); from += 97) {
            List<DiscoveredShard> batch = shards.subList(from, Math.min(shards.size(), from + 97));
            graph.addShards(batch, false, BASE_MILLIS);
            for (String ready : graph.readyShards()) {
                String parent = parents.get(ready);
                assertThat(parent == null || graph.status(parent) == ShardStatus.FINISHED)
                        .as("%s ready before its parent %s finished", ready, parent)
                        .isTrue();
            }
            order.addAll(readAll(graph, parents, 3, from));
        }
        assertThat(order).hasSize(shards.size());
        assertThat(new HashSet<>(order)).hasSize(shards.size());
        assertThat(graph.count(ShardStatus.FINISHED)).isEqualTo(shards.size());
    }

    @Test
    void reopeningAnUnconfirmedFinishMakesUnassignedChildrenWaitAgain() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(left, root, false),
                        DiscoveredShard.of(right, root, false)),
                true,
                NOW);
        graph.markAssigned(root, 1);
        graph.markFinished(root, 1);
        graph.markAssigned(left, 1);
        assertThat(graph.readyShards()).containsExactly(right);

        graph.reopenFinished(root, 1);
        assertThat(graph.status(root)).isEqualTo(ShardStatus.ASSIGNED);
        assertThat(graph.assignedCount(1)).isEqualTo(2);
        assertThat(graph.readyShards()).isEmpty();
        graph.reopenFinished(left, 1); // not finished: a no-op
        assertThat(graph.status(left)).isEqualTo(ShardStatus.ASSIGNED);

        assertThat(graph.markFinished(root, 1)).containsExactly(left, right);
        assertThat(graph.readyShards()).containsExactly(right);
        assertThat(graph.preferredSubtask(right)).isEqualTo(1);
    }

    @Test
    void childListedBeforeItsParentWaitsForIt() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), false, NOW);
        assertThat(graph.readyShards()).isEmpty();

        assertThat(graph.addShards(List.of(DiscoveredShard.of(root, null, true)), false, NOW))
                .containsExactly(root);
        assertThat(graph.readyShards()).containsExactly(root);
        assertThat(graph.children(root)).containsExactly(child);

        graph.markAssigned(root, 0);
        assertThat(graph.markFinished(root, 0)).containsExactly(child);
        assertThat(graph.readyShards()).containsExactly(child);
    }

    @Test
    void parentShowingUpAfterCompleteListingMakesUnassignedChildWaitAgain() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), true, NOW);
        assertThat(graph.readyShards()).containsExactly(child);

        graph.addShards(List.of(DiscoveredShard.of(root, null, true)), false, NOW);

        assertThat(graph.isReady(child)).isFalse();
        assertThat(graph.readyShards()).containsExactly(root);
    }

    @Test
    void completeListingWithoutTheParentReleasesWaitingChildren() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), false, NOW);
        assertThat(graph.readyShards()).isEmpty();

        graph.addShards(List.of(), false, NOW);
        assertThat(graph.readyShards()).as("an incomplete listing proves nothing").isEmpty();

        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), true, NOW);
        assertThat(graph.readyShards()).containsExactly(child);
        assertThat(graph.snapshot()).singleElement().matches(ShardNode::isParentTrimmed);
    }

    @Test
    void childOlderThanRetentionNeedNotWaitForAnUnseenParent() {
        ShardGraph graph = new ShardGraph(RETENTION);
        long created = ShardIds.creationTimeFromShardId(child);
        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), false, created);

        graph.addShards(List.of(), false, created + RETENTION);
        assertThat(graph.readyShards()).isEmpty();

        graph.addShards(List.of(), false, created + RETENTION + 1);
        assertThat(graph.readyShards()).containsExactly(child);
    }

    @Test
    void childOfUnknownAgeWaitsForACompleteListing() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(DiscoveredShard.of("legacy-child", "legacy-parent", false)), false, NOW);
        graph.addShards(List.of(), false, NOW + 100 * RETENTION);
        assertThat(graph.readyShards()).isEmpty();

        graph.addShards(List.of(), true, NOW + 100 * RETENTION);
        assertThat(graph.readyShards()).containsExactly("legacy-child");
    }

    @Test
    void finishedParentSendsChildrenToTheSubtaskThatReadIt() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(left, root, false)),
                true,
                NOW);
        graph.markAssigned(root, 4);

        assertThat(graph.markFinished(root, 4)).containsExactly(left);
        assertThat(graph.preferredSubtask(left)).isEqualTo(4);

        // A child listed only after its parent finished follows it too.
        graph.addShards(List.of(DiscoveredShard.of(right, root, false)), false, NOW);
        assertThat(graph.preferredSubtask(right)).isEqualTo(4);
        assertThat(graph.readyShards()).containsExactly(left, right);
        assertThat(graph.children(root)).containsExactly(left, right);
        assertThat(graph.parent(right)).isEqualTo(root);
    }

    @Test
    void duplicateFinishReportIsHarmless() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(child, root, false)),
                true,
                NOW);
        graph.markAssigned(root, 1);
        graph.markFinished(root, 1);
        graph.markAssigned(child, 1);

        assertThat(graph.markFinished(root, 1)).containsExactly(child);

        assertThat(graph.status(child)).isEqualTo(ShardStatus.ASSIGNED);
        assertThat(graph.readyShards()).isEmpty();
        assertThat(graph.count(ShardStatus.FINISHED)).isEqualTo(1);
        assertThat(graph.count(ShardStatus.ASSIGNED)).isEqualTo(1);
        assertThat(graph.assignedCount(1)).isEqualTo(1);
    }

    @Test
    void finishReportForUnknownShardIsRecordedAndNeverReadAgain() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(List.of(DiscoveredShard.of(child, root, false)), false, NOW);

        assertThat(graph.markFinished(root, 2)).containsExactly(child);
        assertThat(graph.status(root)).isEqualTo(ShardStatus.FINISHED);
        assertThat(graph.readyShards()).containsExactly(child);
        assertThat(graph.preferredSubtask(child)).isEqualTo(2);
        assertThat(graph.maxShardId()).as("known from a report only").isEqualTo(child);

        assertThat(graph.addShards(List.of(DiscoveredShard.of(root, null, true)), true, NOW))
                .isEmpty();
        assertThat(graph.status(root)).isEqualTo(ShardStatus.FINISHED);
        assertThat(graph.readyShards()).containsExactly(child);
        assertThat(graph.size()).isEqualTo(2);
    }

    @Test
    void unassignedShardKeepsItsOldOwnerAsPreferredSubtask() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(List.of(DiscoveredShard.of(root, null, false)), true, NOW);
        graph.markAssigned(root, 3);
        assertThat(graph.assignedCount(3)).isEqualTo(1);

        graph.markUnassigned(root);

        assertThat(graph.status(root)).isEqualTo(ShardStatus.UNASSIGNED);
        assertThat(graph.preferredSubtask(root)).isEqualTo(3);
        assertThat(graph.assignedCount(3)).isZero();
        assertThat(graph.readyShards()).containsExactly(root);
        graph.markUnassigned(root);
        assertThat(graph.count(ShardStatus.UNASSIGNED)).isEqualTo(1);
    }

    @Test
    void illegalTransitionsNameTheShardAndItsStatus() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(child, root, false)),
                true,
                NOW);

        assertThatThrownBy(() -> graph.markAssigned(child, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(child)
                .hasMessageContaining("UNASSIGNED");
        assertThatThrownBy(() -> graph.markAssigned("shardId-unknown", 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shardId-unknown");
        graph.markAssigned(root, 0);
        assertThatThrownBy(() -> graph.markAssigned(root, 1))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(root)
                .hasMessageContaining("ASSIGNED");
        graph.markFinished(root, 0);
        assertThatThrownBy(() -> graph.markAssigned(root, 0))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("FINISHED");
        assertThatThrownBy(() -> graph.markUnassigned(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(root)
                .hasMessageContaining("FINISHED");
        assertThatThrownBy(() -> graph.markUnassigned("shardId-unknown"))
                .isInstanceOf(IllegalStateException.class);
        assertThat(graph.status(root)).isEqualTo(ShardStatus.FINISHED);
    }

    @Test
    void countsAndMaxShardIdFollowTheGraph() {
        ShardGraph graph = new ShardGraph(RETENTION);
        assertThat(graph.maxShardId()).isNull();
        graph.addShards(
                List.of(
                        DiscoveredShard.of(right, child, false),
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(child, root, true)),
                true,
                NOW);
        graph.markAssigned(root, 5);

        assertThat(graph.maxShardId()).isEqualTo(right);
        assertThat(graph.size()).isEqualTo(3);
        assertThat(graph.contains(child)).isTrue();
        assertThat(graph.contains(left)).isFalse();
        assertThat(graph.count(ShardStatus.ASSIGNED)).isEqualTo(1);
        assertThat(graph.count(ShardStatus.UNASSIGNED)).isEqualTo(2);
        assertThat(graph.assignedCount(5)).isEqualTo(1);
        assertThat(graph.assignedCount(0)).isZero();
    }

    @Test
    void restoredGraphContinuesExactlyLikeTheOriginal() {
        List<DiscoveredShard> shards = lineages(40, 10);
        Map<String, String> parents = parents(shards);
        ShardGraph original = new ShardGraph(RETENTION);
        // Half the shards listed, a few children of unlisted parents among them.
        original.addShards(shards.subList(0, shards.size() / 2), false, BASE_MILLIS);
        original.addShards(List.of(DiscoveredShard.of(child, "shardId-gone", false)), true, NOW);
        original.addShards(List.of(DiscoveredShard.of(left, "shardId-late", false)), false, NOW);
        List<String> ready = original.readyShards();
        for (int i = 0; i < ready.size(); i++) {
            original.markAssigned(ready.get(i), i % 3);
            if (i % 2 == 0) {
                original.markFinished(ready.get(i), i % 3);
            }
        }

        ShardGraph restored = ShardGraph.restore(original.snapshot(), RETENTION);

        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        assertThat(restored.readyShards()).isEqualTo(original.readyShards());
        assertThat(restored.maxShardId()).isEqualTo(original.maxShardId());
        for (ShardStatus status : ShardStatus.values()) {
            assertThat(restored.count(status)).isEqualTo(original.count(status));
        }
        for (int subtask = 0; subtask < 3; subtask++) {
            assertThat(restored.assignedCount(subtask)).isEqualTo(original.assignedCount(subtask));
        }
        List<DiscoveredShard> rest = shards.subList(shards.size() / 2, shards.size());
        for (ShardGraph graph : List.of(original, restored)) {
            graph.addShards(rest, false, BASE_MILLIS);
        }
        parents.put(child, "shardId-gone");
        parents.put(left, "shardId-late");
        assertThat(readAll(restored, parents, 3, 11)).isEqualTo(readAll(original, parents, 3, 11));
        assertThat(restored.snapshot()).isEqualTo(original.snapshot());
        assertThat(restored.status(left)).isEqualTo(ShardStatus.UNASSIGNED);
    }

    @Test
    void thirtyThousandShardsAreListedAndReadWellUnderASecond() {
        List<DiscoveredShard> shards = lineages(500, 19);
        assertThat(shards).hasSizeGreaterThan(30_000);
        Map<String, String> parents = parents(shards);

        long start = System.nanoTime();
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(shards, true, NOW);
        int read = 0;
        for (List<String> ready = graph.readyShards();
                !ready.isEmpty();
                ready = graph.readyShards()) {
            for (String shard : ready) {
                graph.markAssigned(shard, read % 16);
                graph.markFinished(shard, read % 16);
                read++;
            }
        }
        List<ShardNode> snapshot = graph.snapshot();
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("%d shards listed, read and snapshotted in %d ms%n", read, millis);

        assertThat(read).isEqualTo(shards.size());
        assertThat(snapshot).hasSize(shards.size());
        assertThat(parents).hasSize(shards.size());
    }

    @Test
    void creationTimeIsParsedFromDynamoDbShardIds() {
        assertThat(ShardIds.creationTimeFromShardId("shardId-00000001700000000000-1a2b3c4d"))
                .isEqualTo(1_700_000_000_000L);
        assertThat(ShardIds.creationTimeFromShardId("shardId-00000001536341813396-4e37b4b1"))
                .isEqualTo(1_536_341_813_396L);
        assertThat(ShardIds.creationTimeFromShardId("shardId-00000001700000000000"))
                .isEqualTo(1_700_000_000_000L);
        assertThat(ShardIds.creationTimeFromShardId("shardId-abc-1a2b3c4d")).isEqualTo(-1);
        assertThat(ShardIds.creationTimeFromShardId("shardId--1a2b3c4d")).isEqualTo(-1);
        assertThat(ShardIds.creationTimeFromShardId("shardId-99999999999999999999-1"))
                .isEqualTo(-1);
        assertThat(ShardIds.creationTimeFromShardId("other-00000001700000000000-1")).isEqualTo(-1);
    }
}
