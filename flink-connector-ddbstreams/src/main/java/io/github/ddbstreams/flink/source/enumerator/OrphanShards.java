package io.github.ddbstreams.flink.source.enumerator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Shards of a {@link ShardGraph} whose parent is not in the graph: listed before their parent (a
 * briefly inconsistent listing), or whose parent is gone (trimmed). Those still waiting are
 * released, i.e. their parent is taken as gone, by a complete listing or once they are older than
 * the stream's retention.
 */
final class OrphanShards {

    /** Children whose parent is not in the graph, by the missing parent's id. */
    private final Map<String, List<ShardGraphNode>> byParent = new HashMap<>();

    /** Orphans not yet known to have a trimmed parent, oldest first, for the retention rule. */
    private final TreeSet<ShardGraphNode> waitingByAge =
            new TreeSet<>(
                    Comparator.comparingLong((ShardGraphNode n) -> n.creationTimeMillis)
                            .thenComparing(n -> n.shardId));

    /** Waiting orphans of unknown age: only a complete listing releases them. */
    private final Set<ShardGraphNode> waitingUndated = new LinkedHashSet<>();

    /** Records a shard whose parent is not in the graph. */
    void add(ShardGraphNode node) {
        byParent.computeIfAbsent(node.parentShardId, k -> new ArrayList<>()).add(node);
        if (!node.parentTrimmed && node.status != ShardStatus.FINISHED) {
            (node.creationTimeMillis < 0 ? waitingUndated : waitingByAge).add(node);
        }
    }

    /** The parent has shown up: its early children stop being orphans. */
    List<ShardGraphNode> takeChildrenOf(String parentShardId) {
        List<ShardGraphNode> children = byParent.remove(parentShardId);
        if (children == null) {
            return List.of();
        }
        for (ShardGraphNode child : children) {
            stopWaiting(child);
            child.parentTrimmed = false;
        }
        return children;
    }

    /** The shard no longer waits for its parent (e.g. it was read to its end). */
    void stopWaiting(ShardGraphNode node) {
        if (node.creationTimeMillis < 0) {
            waitingUndated.remove(node);
        } else {
            waitingByAge.remove(node);
        }
    }

    /** The shard leaves the graph (it was forgotten). */
    void forget(ShardGraphNode node) {
        stopWaiting(node);
        List<ShardGraphNode> siblings = byParent.get(node.parentShardId);
        if (siblings != null && siblings.remove(node) && siblings.isEmpty()) {
            byParent.remove(node.parentShardId);
        }
    }

    /** A complete listing did not contain the parents: every waiting orphan's parent is gone. */
    List<ShardGraphNode> releaseAll() {
        List<ShardGraphNode> released = new ArrayList<>(waitingUndated);
        released.addAll(waitingByAge);
        release(released);
        waitingUndated.clear();
        waitingByAge.clear();
        return released;
    }

    /** Orphans created before {@code cutoffMillis}: their parents are past retention. */
    List<ShardGraphNode> releaseOlderThan(long cutoffMillis) {
        List<ShardGraphNode> released = new ArrayList<>();
        while (!waitingByAge.isEmpty() && waitingByAge.first().creationTimeMillis < cutoffMillis) {
            released.add(waitingByAge.pollFirst());
        }
        release(released);
        return released;
    }

    private static void release(Collection<ShardGraphNode> nodes) {
        for (ShardGraphNode node : nodes) {
            node.parentTrimmed = true;
        }
    }
}
