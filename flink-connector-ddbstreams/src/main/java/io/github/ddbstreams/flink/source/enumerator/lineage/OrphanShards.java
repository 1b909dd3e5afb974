package io.github.ddbstreams.flink.source.enumerator.lineage;

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
    private final Map<String, List<MutableShardNode>> byParent = new HashMap<>();

    /** Orphans not yet known to have a trimmed parent, oldest first, for the retention rule. */
    private final TreeSet<MutableShardNode> waitingByAge =
            new TreeSet<>(
                    Comparator.comparingLong((MutableShardNode n) -> n.creationTimeMillis)
                            .thenComparing(n -> n.shardId));

    /** Waiting orphans of unknown age: only a complete listing releases them. */
    private final Set<MutableShardNode> waitingUndated = new LinkedHashSet<>();

    /** Records a shard whose parent is not in the graph. */
    void add(MutableShardNode node) {
        byParent.computeIfAbsent(node.parentShardId, k -> new ArrayList<>()).add(node);
        if (!node.parentTrimmed && node.status != ShardStatus.FINISHED) {
            (node.creationTimeMillis < 0 ? waitingUndated : waitingByAge).add(node);
        }
    }

    /** The parent has shown up: its early children stop being orphans. */
    List<MutableShardNode> takeChildrenOf(String parentShardId) {
        List<MutableShardNode> children = byParent.remove(parentShardId);
        if (children == null) {
            return List.of();
        }
        for (MutableShardNode child : children) {
            stopWaiting(child);
            child.parentTrimmed = false;
        }
        return children;
    }

    /** The shard no longer waits for its parent (e.g. it was read to its end). */
    void stopWaiting(MutableShardNode node) {
        if (node.creationTimeMillis < 0) {
            waitingUndated.remove(node);
        } else {
            waitingByAge.remove(node);
        }
    }

    /** The shard leaves the graph (it was forgotten). */
    void forget(MutableShardNode node) {
        stopWaiting(node);
        List<MutableShardNode> siblings = byParent.get(node.parentShardId);
        if (siblings != null && siblings.remove(node) && siblings.isEmpty()) {
            byParent.remove(node.parentShardId);
        }
    }

    /** A complete listing did not contain the parents: every waiting orphan's parent is gone. */
    List<MutableShardNode> releaseAll() {
        List<MutableShardNode> released = new ArrayList<>(waitingUndated);
        released.addAll(waitingByAge);
        release(released);
        waitingUndated.clear();
        waitingByAge.clear();
        return released;
    }

    /** Orphans created before {@code cutoffMillis}: their parents are past retention. */
    List<MutableShardNode> releaseOlderThan(long cutoffMillis) {
        List<MutableShardNode> released = new ArrayList<>();
        while (!waitingByAge.isEmpty() && waitingByAge.first().creationTimeMillis < cutoffMillis) {
            released.add(waitingByAge.pollFirst());
        }
        release(released);
        return released;
    }

    private static void release(Collection<MutableShardNode> nodes) {
        for (MutableShardNode node : nodes) {
            node.parentTrimmed = true;
        }
    }
}
