package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which shards of a {@link ShardGraph} are ready to be read (the rule is on {@link ShardGraph}),
 * and the parent links that decide it. Kept incrementally: the graph calls {@link #refresh} for
 * each node whose status or parent changed, never scans. Works on the graph's own node map and
 * orphans, which it shares. Not thread-safe, like the graph.
 */
final class ShardReadiness {

    private final Map<String, MutableShardNode> nodes;
    private final OrphanShards orphans;
    private final ShardForgetting forgetting;
    private final long retentionMillis;

    /** Sorted so that callers assign in a stable order (by shard id). */
    private final TreeSet<String> ready = new TreeSet<>();

    ShardReadiness(
            Map<String, MutableShardNode> nodes,
            OrphanShards orphans,
            ShardForgetting forgetting,
            long retentionMillis) {
        this.nodes = nodes;
        this.orphans = orphans;
        this.forgetting = forgetting;
        this.retentionMillis = retentionMillis;
    }

    List<String> readyShards() {
        return new ArrayList<>(ready);
    }

    int readyCount() {
        return ready.size();
    }

    boolean isReady(String shardId) {
        return ready.contains(shardId);
    }

    /** The shard left UNASSIGNED. */
    void remove(String shardId) {
        ready.remove(shardId);
    }

    /** The shard was read to its end: it no longer waits, for its parent or to be assigned. */
    void finished(MutableShardNode node) {
        ready.remove(node.shardId);
        orphans.stopWaiting(node);
    }

    /**
     * Stops orphans waiting for a parent that is gone: all of them after a complete listing, else
     * those older than the retention period at {@code nowMillis}.
     */
    void releaseOrphans(boolean completeListing, long nowMillis) {
        List<MutableShardNode> released =
                completeListing
                        ? orphans.releaseAll()
                        : orphans.releaseOlderThan(nowMillis - retentionMillis);
        for (MutableShardNode node : released) {
            refresh(node);
        }
    }

    /** Connects a node to its parent and to children that were listed before it. */
    void link(MutableShardNode node) {
        for (MutableShardNode child : orphans.takeChildrenOf(node.shardId)) {
            child.parentShardId = node.shardId; // one string instance per id
            node.addChild(child);
            refresh(child);
        }
        if (node.parentShardId == null || node.linked) {
            return;
        }
        node.linked = true;
        MutableShardNode parent = nodes.get(node.parentShardId);
        if (parent != null) {
            node.parentShardId = parent.shardId;
            parent.addChild(node);
            return;
        }
        if (forgetting.wasForgotten(
                node.parentShardId, ShardIds.creationTimeFromShardId(node.parentShardId))) {
            // Forgotten shards were finished; the parent never comes back (addShards ignores it).
            node.parentTrimmed = true;
        }
        orphans.add(node);
    }

    void refresh(MutableShardNode node) {
        if (node.status == ShardStatus.UNASSIGNED && parentDone(node)) {
            ready.add(node.shardId);
        } else {
            ready.remove(node.shardId);
        }
    }

    private boolean parentDone(MutableShardNode node) {
        if (node.parentShardId == null) {
            return true;
        }
        MutableShardNode parent = nodes.get(node.parentShardId);
        return parent == null ? node.parentTrimmed : parent.status == ShardStatus.FINISHED;
    }
}
