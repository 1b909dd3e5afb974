package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/** Builds synthetic shard lineages and reads them through a {@link ShardGraph} like readers do. */
public final class ShardLineages {

    public static final long BASE_MILLIS = 1_700_000_000_000L;
    public static final long HOUR = 3_600_000L;
    public static final long RETENTION = 24 * HOUR;

    private ShardLineages() {}

    /** A DynamoDB-shaped shard id created at {@code millis}. */
    public static String id(long millis, int n) {
        return String.format("shardId-%020d-%08x", millis, n);
    }

    /**
     * {@code roots} root shards, each followed by {@code depth} generations: mostly one-child
     * rollovers, with a two-child split now and then (up to 4 open shards per root).
     */
    public static List<DiscoveredShard> lineages(int roots, int depth) {
        List<DiscoveredShard> shards = new ArrayList<>();
        int counter = 0;
        for (int r = 0; r < roots; r++) {
            List<String> open = new ArrayList<>();
            String root = id(BASE_MILLIS + r, counter++);
            shards.add(DiscoveredShard.of(root, null, true));
            open.add(root);
            for (int level = 1; level <= depth; level++) {
                List<String> next = new ArrayList<>();
                long created = BASE_MILLIS + level * 4 * HOUR + r;
                for (String parent : open) {
                    boolean split = (r + level) % 5 == 0 && open.size() < 4;
                    for (int c = 0; c < (split ? 2 : 1); c++) {
                        String child = id(created, counter++);
                        shards.add(DiscoveredShard.of(child, parent, level < depth));
                        next.add(child);
                    }
                }
                open = next;
            }
        }
        return shards;
    }

    /** Parent of each shard id, null for roots. */
    public static Map<String, String> parents(List<DiscoveredShard> shards) {
        Map<String, String> parents = new HashMap<>();
        for (DiscoveredShard s : shards) {
            parents.put(s.getShardId(), s.getParentShardId());
        }
        return parents;
    }

    /**
     * Reads until nothing is ready or in flight: assigns every ready shard round-robin to {@code
     * subtasks} readers and finishes a random part of the shards in flight each round. Asserts that
     * no shard is ever ready before its parent (if known) finished, and that none is read twice.
     *
     * @return the shard ids in the order they were read to their end
     */
    public static List<String> readAll(
            ShardGraph graph, Map<String, String> parents, int subtasks, long seed) {
        Random random = new Random(seed);
        Set<String> finished = new HashSet<>();
        for (ShardNode node : graph.snapshot()) {
            if (node.getStatus() == ShardStatus.FINISHED) {
                finished.add(node.getShardId());
            }
        }
        List<String> inFlight = new ArrayList<>();
        for (ShardNode node : graph.snapshot()) {
            if (node.getStatus() == ShardStatus.ASSIGNED) {
                inFlight.add(node.getShardId());
            }
        }
        Set<String> assigned = new HashSet<>(inFlight);
        List<String> order = new ArrayList<>();
        int next = 0;
        while (true) {
            for (String ready : graph.readyShards()) {
                String parent = parents.get(ready);
                // Plain checks: AssertJ on a set of thousands would make this loop quadratic.
                if (parent != null && parents.containsKey(parent) && !finished.contains(parent)) {
                    throw new AssertionError(ready + " ready before its parent " + parent);
                }
                if (!assigned.add(ready)) {
                    throw new AssertionError("assigned twice: " + ready);
                }
                graph.markAssigned(ready, next++ % subtasks);
                inFlight.add(ready);
            }
            if (inFlight.isEmpty()) {
                return order;
            }
            int toFinish = 1 + random.nextInt(inFlight.size());
            for (int i = 0; i < toFinish; i++) {
                String shard = inFlight.remove(random.nextInt(inFlight.size()));
                int owner = graph.preferredSubtask(shard);
                for (String child : graph.markFinished(shard, owner)) {
                    if (graph.status(child) == ShardStatus.UNASSIGNED
                            && graph.preferredSubtask(child) != owner) {
                        throw new AssertionError(child + " does not prefer its parent's subtask");
                    }
                }
                if (!finished.add(shard)) {
                    throw new AssertionError("finished twice: " + shard);
                }
                order.add(shard);
            }
        }
    }
}
