package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * The lineage of every shard the enumerator knows: parent, children, {@link ShardStatus}, and which
 * shards are ready to be read.
 *
 * <p>DynamoDB Streams keeps each item's changes in order only along a lineage, and only if a parent
 * is read to its end before any of its children. So an UNASSIGNED shard is <em>ready</em> iff
 *
 * <ul>
 *   <li>it has no parent, or
 *   <li>its parent is in the graph and FINISHED, or
 *   <li>its parent is not in the graph and is known to be gone (trimmed): a complete listing of the
 *       stream, applied with or after the shard, did not contain it; or the shard was created more
 *       than the retention period ago, so every record of its parent is past retention.
 * </ul>
 *
 * A parent that shows up after its child (listings can be briefly inconsistent) makes a not yet
 * assigned child wait again. Readiness is kept incrementally: each change touches only the shards
 * it affects, so the graph scales to streams with 100,000 shards.
 *
 * <p>Finished shards that can no longer matter are forgotten ({@link #forgetExpired}), so the graph
 * holds about a day of shards, not the stream's whole history. A forgotten shard must never come
 * back as new, or it would be read again: see {@link ShardForgetting} for why it cannot.
 *
 * <p>Plain Java with no Flink runtime types. Not thread-safe: only the enumerator's coordinator
 * thread may use it.
 */
@Internal
public final class ShardGraph {

    /**
     * A shard is forgotten only if it was created at least this long before the retention period
     * ends: a margin for clock skew and for a listing that briefly still shows a trimmed shard.
     */
    static final long FORGET_MARGIN_MILLIS = 60 * 60 * 1000;

    private final Map<String, MutableShardNode> nodes = new HashMap<>();
    private final ShardStatusCounts counts = new ShardStatusCounts();
    private final ShardForgetting forgetting;
    private final ShardReadiness readiness;
    private final ListingCursor listingCursor = new ListingCursor();

    /**
     * @param retentionMillis how long the stream keeps records (24 h on DynamoDB Streams); a shard
     *     older than this no longer waits for a parent that was never seen
     */
    public ShardGraph(long retentionMillis) {
        this(retentionMillis, -1);
    }

    private ShardGraph(long retentionMillis, long forgottenUpToMillis) {
        if (retentionMillis <= 0) {
            throw new IllegalArgumentException("retentionMillis must be positive");
        }
        // Shards listed before their parent, or whose parent is gone.
        OrphanShards orphans = new OrphanShards();
        this.forgetting =
                new ShardForgetting(nodes, orphans, counts, retentionMillis, forgottenUpToMillis);
        this.readiness = new ShardReadiness(nodes, orphans, forgetting, retentionMillis);
    }

    /**
     * Rebuilds a graph from a {@link #snapshot()}. The retention rule is applied again on the next
     * {@link #addShards} call.
     */
    public static ShardGraph restore(Collection<ShardNode> snapshot, long retentionMillis) {
        return restore(snapshot, -1, retentionMillis);
    }

    /**
     * Rebuilds a graph from a {@link #snapshot()} and its {@link #forgottenUpToMillis()}.
     *
     * @param forgottenUpToMillis see {@link #forgottenUpToMillis()}; -1 for none
     */
    public static ShardGraph restore(
            Collection<ShardNode> snapshot, long forgottenUpToMillis, long retentionMillis) {
        ShardGraph graph = new ShardGraph(retentionMillis, forgottenUpToMillis);
        for (ShardNode s : snapshot) {
            MutableShardNode node = MutableShardNode.restored(s);
            if (graph.nodes.putIfAbsent(node.shardId, node) != null) {
                throw new IllegalArgumentException("Shard " + node.shardId + " restored twice");
            }
            graph.counts.add(node);
            graph.listingCursor.observe(node.shardId);
        }
        for (MutableShardNode node : graph.nodes.values()) {
            graph.readiness.link(node);
        }
        for (MutableShardNode node : graph.nodes.values()) {
            graph.readiness.refresh(node);
        }
        return graph;
    }

    /**
     * Adds the shards of one listing; shards already known are kept as they are (only a missing
     * parent id is filled in). Also applies the retention rule at {@code nowMillis}, so calling it
     * with no shards releases orphans that have become old enough.
     *
     * <p>A shard that was forgotten (see {@link #forgetExpired}) is ignored, not added again: it
     * was read to its end.
     *
     * @param completeListing the listing covered the whole stream, so a parent still missing after
     *     it is gone from the stream and its children need not wait for it
     * @return the ids of the shards that were not known before, in input order
     */
    public List<String> addShards(
            Collection<DiscoveredShard> shards, boolean completeListing, long nowMillis) {
        int listedIn = forgetting.listingApplied(completeListing);
        List<MutableShardNode> added = new ArrayList<>();
        for (DiscoveredShard shard : shards) {
            MutableShardNode existing = nodes.get(shard.getShardId());
            if (existing != null) {
                enrich(existing, shard);
                existing.listedIn = completeListing ? listedIn : existing.listedIn;
                continue;
            }
            if (forgetting.ignoreRelisted(shard.getShardId(), shard.getCreationTimeMillis())) {
                continue;
            }
            MutableShardNode node = MutableShardNode.discovered(shard);
            node.listedIn = listedIn;
            nodes.put(node.shardId, node);
            counts.add(node);
            listingCursor.observe(node.shardId);
            added.add(node);
        }
        // Link only once the whole batch is in, so a parent listed after its child is not missed.
        List<String> addedIds = new ArrayList<>(added.size());
        for (MutableShardNode node : added) {
            readiness.link(node);
            MutableShardNode parent =
                    node.parentShardId == null ? null : nodes.get(node.parentShardId);
            if (parent != null && parent.status != ShardStatus.UNASSIGNED) {
                // Keep a lineage on the subtask that read (or is reading) the parent.
                node.owner = parent.owner;
            }
            readiness.refresh(node);
            addedIds.add(node.shardId);
        }
        readiness.releaseOrphans(completeListing, nowMillis);
        return addedIds;
    }

    /** Shards that may be assigned now, ordered by shard id. */
    public List<String> readyShards() {
        return readiness.readyShards();
    }

    /** How many shards {@link #readyShards()} would return. */
    public int readyCount() {
        return readiness.readyCount();
    }

    public boolean isReady(String shardId) {
        return readiness.isReady(shardId);
    }

    /** Records that {@code subtask} now reads the shard; it must be ready. */
    public void markAssigned(String shardId, int subtask) {
        if (subtask < 0) {
            throw new IllegalArgumentException("Invalid subtask " + subtask);
        }
        MutableShardNode node = require(shardId, "assign");
        if (!readiness.isReady(shardId)) {
            throw new IllegalStateException(
                    "Cannot assign shard "
                            + shardId
                            + " in status "
                            + node.status
                            + (node.status == ShardStatus.UNASSIGNED
                                    ? " (not ready: parent " + node.parentShardId + " not finished)"
                                    : ""));
        }
        counts.setStatus(node, ShardStatus.ASSIGNED, subtask);
        readiness.remove(shardId);
    }

    /**
     * Takes an ASSIGNED shard back (its reader failed); the old owner stays its preferred subtask.
     * A no-op for an UNASSIGNED shard.
     */
    public void markUnassigned(String shardId) {
        MutableShardNode node = require(shardId, "unassign");
        if (node.status == ShardStatus.FINISHED) {
            throw new IllegalStateException(
                    "Cannot unassign shard " + shardId + " in status FINISHED");
        }
        counts.setStatus(node, ShardStatus.UNASSIGNED, node.owner);
        readiness.refresh(node);
    }

    /**
     * Records that {@code finishingSubtask} read the shard to its end, and makes it the preferred
     * subtask of the shard's unassigned children, so a lineage stays on one subtask and per-key
     * order holds downstream. Idempotent; a shard never seen is recorded as FINISHED (a reader may
     * re-report a shard after a restore), unless it was forgotten, i.e. finished long ago.
     *
     * @return the shard's known children, ordered by shard id
     */
    public List<String> markFinished(String shardId, int finishingSubtask) {
        MutableShardNode node = nodes.get(shardId);
        long created = ShardIds.creationTimeFromShardId(shardId);
        if (node == null && forgetting.wasForgotten(shardId, created)) {
            return Collections.emptyList();
        }
        if (node == null) {
            node = new MutableShardNode(shardId, null, created);
            nodes.put(shardId, node);
            counts.add(node);
            readiness.link(node);
        }
        counts.setStatus(
                node, ShardStatus.FINISHED, finishingSubtask >= 0 ? finishingSubtask : node.owner);
        readiness.finished(node);
        for (MutableShardNode child : node.children) {
            if (child.status == ShardStatus.UNASSIGNED && node.owner >= 0) {
                child.owner = node.owner;
            }
            readiness.refresh(child);
        }
        return node.childIds();
    }

    /**
     * Takes back a finish that no completed checkpoint holds, because the reader that reported it
     * failed and restarts from an earlier checkpoint: the shard is ASSIGNED to {@code subtask}
     * again, whose restored reader reads it to its end or re-reports it, and its unassigned
     * children wait again. A no-op unless the shard is FINISHED.
     */
    public void reopenFinished(String shardId, int subtask) {
        if (subtask < 0) {
            throw new IllegalArgumentException("Invalid subtask " + subtask);
        }
        MutableShardNode node = nodes.get(shardId);
        if (node == null || node.status != ShardStatus.FINISHED) {
            return;
        }
        counts.setStatus(node, ShardStatus.ASSIGNED, subtask);
        for (MutableShardNode child : node.children) {
            readiness.refresh(child);
        }
    }

    /**
     * Forgets the finished shards that can no longer matter; to be called right after a complete
     * listing was applied. A shard is forgotten iff it is FINISHED, none of its known children is
     * UNASSIGNED, {@code mustKeep} does not hold it (a finish that may still be taken back), the
     * last complete listing did not return it (DynamoDB Streams lists a shard until 24 h after it
     * closed), and it was created more than retention + {@link #FORGET_MARGIN_MILLIS} ago. Its
     * children no longer wait for it ({@code parentTrimmed}, kept in the snapshot). {@link
     * ShardForgetting} says why a forgotten shard is never read again.
     *
     * <p>One pass over the graph, as often as complete listings (which cost a pass anyway).
     *
     * @return how many shards were forgotten
     */
    public int forgetExpired(long nowMillis, Predicate<String> mustKeep) {
        return forgetting.forgetExpired(nowMillis, mustKeep);
    }

    /** The shard's known children, ordered by shard id; empty if none or unknown. */
    public List<String> children(String shardId) {
        MutableShardNode node = nodes.get(shardId);
        return node == null ? Collections.emptyList() : node.childIds();
    }

    /** The parent's id (known or not), or null if the shard has no parent or is unknown. */
    @Nullable
    public String parent(String shardId) {
        MutableShardNode node = nodes.get(shardId);
        return node == null ? null : node.parentShardId;
    }

    /** The shard's status, or null if the shard is unknown. */
    @Nullable
    public ShardStatus status(String shardId) {
        MutableShardNode node = nodes.get(shardId);
        return node == null ? null : node.status;
    }

    /** Owner, preferred or finishing subtask (see {@link ShardNode#getOwnerSubtask()}), or -1. */
    public int preferredSubtask(String shardId) {
        MutableShardNode node = nodes.get(shardId);
        return node == null ? -1 : node.owner;
    }

    /** The shard's creation time (from its id), or -1 if unknown. */
    public long creationTimeMillis(String shardId) {
        MutableShardNode node = nodes.get(shardId);
        return node == null ? -1 : node.creationTimeMillis;
    }

    public boolean contains(String shardId) {
        return nodes.containsKey(shardId);
    }

    /**
     * Whether the shard is not in the graph because it was forgotten: it is older than the newest
     * forgotten shard. Such a shard was read to its end, or was gone from the stream before this
     * graph could have known it.
     */
    public boolean wasForgotten(String shardId) {
        return forgetting.wasForgotten(shardId, ShardIds.creationTimeFromShardId(shardId));
    }

    /** Every forgotten shard was created at or before this time (epoch millis); -1 if none. */
    public long forgottenUpToMillis() {
        return forgetting.forgottenUpToMillis();
    }

    /** How many listed shards were ignored because they had been forgotten; for metrics/tests. */
    public long forgottenRelistedCount() {
        return forgetting.forgottenRelistedCount();
    }

    public int size() {
        return nodes.size();
    }

    public int count(ShardStatus status) {
        return counts.count(status);
    }

    /** How many shards {@code subtask} holds (ASSIGNED) now. */
    public int assignedCount(int subtask) {
        return counts.assignedCount(subtask);
    }

    /**
     * The highest shard id a listing reported (or restored), to continue a paged listing with only
     * newer shards; null if none. Shards known only from a finish report do not count: their
     * siblings may not have been listed yet.
     */
    @Nullable
    public String maxShardId() {
        return listingCursor.maxShardId();
    }

    /**
     * Where an incremental listing should start: the newest known shard created at least {@code
     * overlapMillis} before the newest one, or null (list from the start). Listing after {@link
     * #maxShardId()} alone could miss a shard created in the same millisecond as the newest known
     * one, since ids of one millisecond sort by a random suffix. O(shards): once per listing.
     */
    @Nullable
    public String listingCursor(long overlapMillis) {
        return listingCursor.cursor(nodes.values(), overlapMillis);
    }

    /**
     * Every shard, ordered by creation time, then id (for DynamoDB's ids that is id order): the
     * enumerator's checkpoint. Sorting by the number first avoids comparing long id prefixes.
     */
    public List<ShardNode> snapshot() {
        MutableShardNode[] sorted = nodes.values().toArray(new MutableShardNode[0]);
        Arrays.sort(sorted, MutableShardNode.BY_CREATION_TIME);
        List<ShardNode> result = new ArrayList<>(sorted.length);
        for (MutableShardNode n : sorted) {
            result.add(n.toShardNode());
        }
        return result;
    }

    @Override
    public String toString() {
        return "ShardGraph{" + counts + ", ready=" + readiness.readyCount() + "}";
    }

    private MutableShardNode require(String shardId, String action) {
        MutableShardNode node = nodes.get(shardId);
        if (node == null) {
            throw new IllegalStateException("Cannot " + action + " unknown shard " + shardId);
        }
        return node;
    }

    private void enrich(MutableShardNode node, DiscoveredShard shard) {
        if (node.parentShardId == null && shard.getParentShardId() != null) {
            // Known so far only from a finish report: learn its lineage now.
            node.parentShardId = shard.getParentShardId();
        }
        listingCursor.observe(node.shardId);
        readiness.link(node);
    }
}
