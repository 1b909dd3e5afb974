package io.github.ddbstreams.flink.source.enumerator.lineage;

import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.BASE_MILLIS;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.HOUR;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.RETENTION;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.id;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How the {@link ShardGraph} forgets shards that can no longer matter, and never reads them again.
 */
class ShardGraphForgettingTest {

    /** Old enough for the retention rule: created 30 h before {@link #NOW}. */
    private static final long NOW = BASE_MILLIS + 30 * HOUR;

    private final String root = id(BASE_MILLIS, 1);
    private final String child = id(BASE_MILLIS + 4 * HOUR, 2);
    private final String grandchild = id(BASE_MILLIS + 8 * HOUR, 3);

    /** root (FINISHED, subtask 0) -> child (ASSIGNED) -> grandchild (UNASSIGNED). */
    private ShardGraph readRootAndAssignChild() {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(
                List.of(
                        DiscoveredShard.of(root, null, true),
                        DiscoveredShard.of(child, root, true),
                        DiscoveredShard.of(grandchild, child, false)),
                true,
                NOW);
        graph.markAssigned(root, 0);
        graph.markFinished(root, 0);
        graph.markAssigned(child, 0);
        return graph;
    }

    @Test
    void forgetsAFinishedShardOnceTheStreamNoLongerListsItAndKeepsItsChildReady() throws Exception {
        ShardGraph graph = readRootAndAssignChild();

        int forgotten = graph.forgetExpired(NOW, id -> false); // root still listed
        assertThat(forgotten).isZero();
        graph.addShards(unlisting(root, child, grandchild), true, NOW);
        forgotten = graph.forgetExpired(NOW, id -> false);

        assertThat(forgotten).isEqualTo(1);
        assertThat(graph.contains(root)).isFalse();
        assertThat(graph.wasForgotten(root)).isTrue();
        assertThat(graph.forgottenUpToMillis()).isEqualTo(BASE_MILLIS);
        assertThat(graph.count(ShardStatus.FINISHED)).isZero();
        // The child's reader fails: it must be assignable again though its parent is gone.
        graph.markUnassigned(child);
        assertThat(graph.readyShards()).containsExactly(child);

        ShardGraph restored =
                ShardGraph.restore(graph.snapshot(), graph.forgottenUpToMillis(), RETENTION);
        assertThat(restored.readyShards()).containsExactly(child);
        assertThat(restored.snapshot()).isEqualTo(graph.snapshot());
    }

    @Test
    void keepsShardsThatMayStillMatter() {
        ShardGraph graph = readRootAndAssignChild();
        graph.markUnassigned(child); // root's only child waits to be read
        graph.addShards(unlisting(root, child, grandchild), true, NOW);
        assertThat(graph.forgetExpired(NOW, id -> false)).as("child unassigned").isZero();

        graph.markAssigned(child, 1);
        assertThat(graph.forgetExpired(NOW, root::equals)).as("finish unconfirmed").isZero();
        long young = BASE_MILLIS + RETENTION + ShardGraph.FORGET_MARGIN_MILLIS;
        assertThat(graph.forgetExpired(young, id -> false)).as("not old enough").isZero();
        // Open or assigned shards are never forgotten, however old and unlisted.
        assertThat(graph.forgetExpired(NOW + 100 * HOUR, id -> false)).isEqualTo(1);
        assertThat(graph.contains(child)).isTrue();
        assertThat(graph.contains(grandchild)).isTrue();
    }

    @Test
    void restoredGraphForgetsNothingBeforeItsFirstCompleteListing() {
        ShardGraph graph = readRootAndAssignChild();
        ShardGraph restored = ShardGraph.restore(graph.snapshot(), -1, RETENTION);

        assertThat(restored.forgetExpired(NOW, id -> false)).isZero();
        restored.addShards(List.of(DiscoveredShard.of(root, null, true)), true, NOW);
        assertThat(restored.forgetExpired(NOW, id -> false)).isZero();
        restored.addShards(List.of(), true, NOW);
        assertThat(restored.forgetExpired(NOW, id -> false)).isEqualTo(1);
    }

    @Test
    void aForgottenShardThatALaggingListingReturnsIsNeverReadAgain() {
        ShardGraph graph = readRootAndAssignChild();
        graph.addShards(unlisting(root, child, grandchild), true, NOW);
        graph.forgetExpired(NOW, id -> false);

        List<String> added =
                graph.addShards(List.of(DiscoveredShard.of(root, null, true)), true, NOW);
        ShardGraph restored =
                ShardGraph.restore(graph.snapshot(), graph.forgottenUpToMillis(), RETENTION);
        List<String> addedAfterRestore =
                restored.addShards(List.of(DiscoveredShard.of(root, null, true)), true, NOW);

        assertThat(added).isEmpty();
        assertThat(addedAfterRestore).isEmpty();
        assertThat(graph.forgottenRelistedCount()).isEqualTo(1);
        assertThat(graph.readyShards()).doesNotContain(root);
        assertThat(restored.readyShards()).doesNotContain(root);
        // A reader re-reporting it does not bring it back either.
        assertThat(graph.markFinished(root, 0)).isEmpty();
        assertThat(graph.contains(root)).isFalse();
    }

    @Test
    void newShardsAfterTheHorizonAreStillAddedAndAChildOfAForgottenShardNeedNotWait() {
        ShardGraph graph = readRootAndAssignChild();
        graph.addShards(unlisting(root, child, grandchild), true, NOW);
        graph.forgetExpired(NOW, id -> false);
        // A sibling of root's lineage listed late, created after the newest forgotten shard.
        String lateRoot = id(BASE_MILLIS + 1, 9);
        // A child of the forgotten root that the graph never saw before.
        String lateChild = id(BASE_MILLIS + 4 * HOUR + 5, 10);

        List<String> added =
                graph.addShards(
                        List.of(
                                DiscoveredShard.of(lateRoot, null, false),
                                DiscoveredShard.of(lateChild, root, false)),
                        false,
                        NOW);

        assertThat(added).containsExactly(lateRoot, lateChild);
        assertThat(graph.readyShards()).contains(lateRoot, lateChild);
    }

    /**
     * A week of 4-hourly rollovers of 1,000 shards, listed completely every 2 hours, with the
     * stream dropping shards 24 h after they closed: the graph holds about a day of shards, not a
     * week, and every shard is read exactly once, parents first.
     */
    @Test
    void aWeekOfRolloversOnAThousandShardsKeepsTheGraphBounded() {
        int width = 1_000;
        ShardGraph graph = new ShardGraph(RETENTION);
        Map<String, String> parentOf = new HashMap<>();
        Map<String, Long> closedAt = new HashMap<>();
        List<String> open = new ArrayList<>();
        List<String> inStream = new ArrayList<>();
        int counter = 0;
        for (int i = 0; i < width; i++) {
            String shard = id(BASE_MILLIS + i, counter++);
            open.add(shard);
            inStream.add(shard);
            parentOf.put(shard, null);
        }
        Set<String> read = new HashSet<>();
        int maxSize = 0;
        for (int step = 1; step <= 7 * 12; step++) {
            long now = BASE_MILLIS + step * 2 * HOUR;
            for (int i = step % 2; i < width; i += 2) { // half of the shards roll every 2 h
                String parent = open.get(i);
                String next = id(now + i, counter++);
                closedAt.put(parent, now);
                parentOf.put(next, parent);
                open.set(i, next);
                inStream.add(next);
                if (graph.status(parent) == ShardStatus.ASSIGNED) {
                    readToTheEnd(graph, parent, read);
                }
            }
            inStream.removeIf(s -> closedAt.getOrDefault(s, Long.MAX_VALUE) < now - RETENTION);
            List<DiscoveredShard> listing = new ArrayList<>(inStream.size());
            for (String s : inStream) {
                listing.add(DiscoveredShard.of(s, parentOf.get(s), closedAt.containsKey(s)));
            }
            graph.addShards(listing, true, now);
            graph.forgetExpired(now, id -> false);
            // Readers take every ready shard and read a closed one to its end at once.
            while (graph.readyCount() > 0) {
                for (String ready : graph.readyShards()) {
                    String parent = parentOf.get(ready);
                    if (parent != null && !read.contains(parent)) {
                        throw new AssertionError(ready + " ready before its parent " + parent);
                    }
                    graph.markAssigned(ready, ready.hashCode() & 3);
                    if (closedAt.containsKey(ready)) {
                        readToTheEnd(graph, ready, read);
                    }
                }
            }
            maxSize = Math.max(maxSize, graph.size());
        }

        System.out.printf(
                "a week of rollovers: %d shards in all, graph at most %d, at the end %d%n",
                counter, maxSize, graph.size());
        assertThat(counter).isGreaterThan(40 * width);
        // Open shards + about 7 generations (24 h listed after closing, 4 h life, 1 h margin).
        assertThat(maxSize).isLessThan(9 * width);
        assertThat(graph.count(ShardStatus.FINISHED)).isLessThan(8 * width);
        assertThat(read).hasSize(closedAt.size());
        assertThat(graph.forgottenRelistedCount()).isZero();
    }

    private static void readToTheEnd(ShardGraph graph, String shard, Set<String> read) {
        graph.markFinished(shard, graph.preferredSubtask(shard));
        if (!read.add(shard)) {
            throw new AssertionError("read twice: " + shard);
        }
    }

    /** A complete listing that returns only {@code listed}. */
    private static List<DiscoveredShard> unlisting(String gone, String... listed) {
        List<DiscoveredShard> shards = new ArrayList<>();
        String parent = gone;
        for (String s : listed) {
            if (!s.equals(gone)) {
                shards.add(DiscoveredShard.of(s, parent, true));
                parent = s;
            }
        }
        return shards;
    }
}
