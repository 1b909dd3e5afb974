package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The forgetting rule of a {@link ShardGraph} and its horizon: which finished shards can be dropped
 * from the graph, and how a dropped shard is recognised when a lagging listing returns it again, so
 * it is never read twice. The rule is on {@link ShardGraph#forgetExpired}.
 *
 * <p>Why a forgotten shard is never read again: {@link #forgottenUpToMillis()} (checkpointed) is
 * the newest creation time of a forgotten shard, and {@link ShardGraph#addShards} ignores any
 * unknown shard created at or before it. A shard that unknown and that old can only be a forgotten
 * one that a lagging listing returned once more: any other shard of that age existed through a day
 * of complete listings, so the graph would know it. The age rule keeps the horizon a day in the
 * past, so a new shard that a listing shows late is never mistaken for a forgotten one.
 *
 * <p>Kept apart from the graph because it is its own invariant (the checkpointed horizon) with its
 * own state (the complete-listing count each node is stamped with); it works on the graph's own
 * node map, orphans and counts, which it shares. Not thread-safe, like the graph.
 */
final class ShardForgetting {

    private final Map<String, MutableShardNode> nodes;
    private final OrphanShards orphans;
    private final ShardStatusCounts counts;
    private final long retentionMillis;

    /** How many complete listings were applied since the graph was created or restored. */
    private int completeListings;

    /**
     * Every forgotten shard was created at or before this time (epoch millis); -1 if none was
     * forgotten. Part of the checkpoint.
     */
    private long forgottenUpToMillis;

    /** Listed shards ignored because they had been forgotten. */
    private long forgottenRelisted;

    ShardForgetting(
            Map<String, MutableShardNode> nodes,
            OrphanShards orphans,
            ShardStatusCounts counts,
            long retentionMillis,
            long forgottenUpToMillis) {
        this.nodes = nodes;
        this.orphans = orphans;
        this.counts = counts;
        this.retentionMillis = retentionMillis;
        this.forgottenUpToMillis = Math.max(-1, forgottenUpToMillis);
    }

    /**
     * Records that a listing is being applied.
     *
     * @return the number a node listed in it is stamped with: the count of complete listings if it
     *     is complete, else 0 (a partial listing says nothing about what the stream still lists)
     */
    int listingApplied(boolean completeListing) {
        if (completeListing) {
            completeListings++;
            return completeListings;
        }
        return 0;
    }

    /**
     * Whether a listed shard unknown to the graph is a forgotten one, to be ignored; counts it if
     * so.
     */
    boolean ignoreRelisted(String shardId, long creationTimeMillis) {
        if (wasForgotten(shardId, creationTimeMillis)) {
            forgottenRelisted++;
            return true;
        }
        return false;
    }

    boolean wasForgotten(String shardId, long creationTimeMillis) {
        return creationTimeMillis >= 0
                && creationTimeMillis <= forgottenUpToMillis
                && !nodes.containsKey(shardId);
    }

    long forgottenUpToMillis() {
        return forgottenUpToMillis;
    }

    long forgottenRelistedCount() {
        return forgottenRelisted;
    }

    /** See {@link ShardGraph#forgetExpired}. */
    int forgetExpired(long nowMillis, Predicate<String> mustKeep) {
        if (completeListings == 0) {
            return 0; // restored: nothing says yet which shards the stream still lists
        }
        long cutoff = nowMillis - retentionMillis - ShardGraph.FORGET_MARGIN_MILLIS;
        List<MutableShardNode> expired = new ArrayList<>();
        for (MutableShardNode node : nodes.values()) {
            if (node.status == ShardStatus.FINISHED
                    && node.listedIn < completeListings
                    && node.creationTimeMillis >= 0
                    && node.creationTimeMillis < cutoff
                    && noChildWaits(node)
                    && !mustKeep.test(node.shardId)) {
                expired.add(node);
            }
        }
        for (MutableShardNode node : expired) {
            forget(node);
        }
        return expired.size();
    }

    private static boolean noChildWaits(MutableShardNode node) {
        for (MutableShardNode child : node.children) {
            if (child.status == ShardStatus.UNASSIGNED) {
                return false;
            }
        }
        return true;
    }

    private void forget(MutableShardNode node) {
        nodes.remove(node.shardId);
        counts.remove(node);
        for (MutableShardNode child : node.children) {
            child.parentTrimmed = true;
        }
        MutableShardNode parent = node.parentShardId == null ? null : nodes.get(node.parentShardId);
        if (parent != null) {
            parent.removeChild(node);
        } else if (node.parentShardId != null) {
            orphans.forget(node);
        }
        forgottenUpToMillis = Math.max(forgottenUpToMillis, node.creationTimeMillis);
    }
}
