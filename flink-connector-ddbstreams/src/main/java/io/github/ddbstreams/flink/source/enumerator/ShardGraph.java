package io.github.ddbstreams.flink.source.enumerator;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
 * <p>Plain Java with no Flink runtime types. Not thread-safe: only the enumerator's coordinator
 * thread may use it.
 */
@Internal
public final class ShardGraph {

    private final long retentionMillis;
    private final Map<String, Node> nodes = new HashMap<>();

    /** Sorted so that callers assign in a stable order (by shard id). */
    private final TreeSet<String> ready = new TreeSet<>();

    /** Children whose parent is not in the graph, by the missing parent's id. */
    private final Map<String, List<Node>> orphansByParent = new HashMap<>();

    /** Orphans not yet known to have a trimmed parent, oldest first, for the retention rule. */
    private final TreeSet<Node> waitingByAge =
            new TreeSet<>(
                    Comparator.comparingLong((Node n) -> n.creationTimeMillis)
                            .thenComparing(n -> n.shardId));

    /** Waiting orphans of unknown age: only a complete listing releases them. */
    private final Set<Node> waitingUndated = new LinkedHashSet<>();

    private final Map<ShardStatus, Integer> statusCounts = new EnumMap<>(ShardStatus.class);
    private final Map<Integer, Integer> assignedPerSubtask = new HashMap<>();
    @Nullable private String maxShardId;

    /**
     * @param retentionMillis how long the stream keeps records (24 h on DynamoDB Streams); a shard
     *     older than this no longer waits for a parent that was never seen
     */
    public ShardGraph(long retentionMillis) {
        if (retentionMillis <= 0) {
            throw new IllegalArgumentException("retentionMillis must be positive");
        }
        this.retentionMillis = retentionMillis;
        for (ShardStatus status : ShardStatus.values()) {
            statusCounts.put(status, 0);
        }
    }

    /**
     * Rebuilds a graph from a {@link #snapshot()}. The retention rule is applied again on the next
     * {@link #addShards} call.
     */
    public static ShardGraph restore(Collection<ShardNode> snapshot, long retentionMillis) {
        ShardGraph graph = new ShardGraph(retentionMillis);
        for (ShardNode s : snapshot) {
            Node node = new Node(s.getShardId(), s.getParentShardId(), s.getCreationTimeMillis());
            node.status = s.getStatus();
            node.owner = s.getOwnerSubtask();
            node.parentTrimmed = s.isParentTrimmed();
            if (graph.nodes.putIfAbsent(node.shardId, node) != null) {
                throw new IllegalArgumentException("Shard " + node.shardId + " restored twice");
            }
            graph.countStatus(node, 1);
            graph.updateMaxShardId(node.shardId);
        }
        for (Node node : graph.nodes.values()) {
            graph.link(node);
        }
        for (Node node : graph.nodes.values()) {
            graph.refreshReady(node);
        }
        return graph;
    }

    /**
     * Adds the shards of one listing; shards already known are kept as they are (only a missing
     * parent id is filled in). Also applies the retention rule at {@code nowMillis}, so calling it
     * with no shards releases orphans that have become old enough.
     *
     * @param completeListing the listing covered the whole stream, so a parent still missing after
     *     it is gone from the stream and its children need not wait for it
     * @return the ids of the shards that were not known before, in input order
     */
    public List<String> addShards(
            Collection<DiscoveredShard> shards, boolean completeListing, long nowMillis) {
        List<Node> added = new ArrayList<>();
        for (DiscoveredShard shard : shards) {
            Node existing = nodes.get(shard.getShardId());
            if (existing != null) {
                enrich(existing, shard);
                continue;
            }
            Node node =
                    new Node(
                            shard.getShardId(),
                            shard.getParentShardId(),
                            shard.getCreationTimeMillis());
            nodes.put(node.shardId, node);
            countStatus(node, 1);
            updateMaxShardId(node.shardId);
            added.add(node);
        }
        // Link only once the whole batch is in, so a parent listed after its child is not missed.
        List<String> addedIds = new ArrayList<>(added.size());
        for (Node node : added) {
            link(node);
            Node parent = node.parentShardId == null ? null : nodes.get(node.parentShardId);
            if (parent != null && parent.status != ShardStatus.UNASSIGNED) {
                // Keep a lineage on the subtask that read (or is reading) the parent.
                node.owner = parent.owner;
            }
            refreshReady(node);
            addedIds.add(node.shardId);
        }
        if (completeListing) {
            releaseAll(waitingUndated);
            releaseAll(waitingByAge);
        } else {
            releaseOlderThan(nowMillis - retentionMillis);
        }
        return addedIds;
    }

    /** Shards that may be assigned now, ordered by shard id. */
    public List<String> readyShards() {
        return new ArrayList<>(ready);
    }

    public boolean isReady(String shardId) {
        return ready.contains(shardId);
    }

    /** Records that {@code subtask} now reads the shard; it must be ready. */
    public void markAssigned(String shardId, int subtask) {
        if (subtask < 0) {
            throw new IllegalArgumentException("Invalid subtask " + subtask);
        }
        Node node = require(shardId, "assign");
        if (!ready.contains(shardId)) {
            throw new IllegalStateException(
                    "Cannot assign shard "
                            + shardId
                            + " in status "
                            + node.status
                            + (node.status == ShardStatus.UNASSIGNED
                                    ? " (not ready: parent " + node.parentShardId + " not finished)"
                                    : ""));
        }
        setStatus(node, ShardStatus.ASSIGNED, subtask);
        ready.remove(shardId);
    }

    /**
     * Takes an ASSIGNED shard back (its reader failed); the old owner stays its preferred subtask.
     * A no-op for an UNASSIGNED shard.
     */
    public void markUnassigned(String shardId) {
        Node node = require(shardId, "unassign");
        if (node.status == ShardStatus.FINISHED) {
            throw new IllegalStateException(
                    "Cannot unassign shard " + shardId + " in status FINISHED");
        }
        setStatus(node, ShardStatus.UNASSIGNED, node.owner);
        refreshReady(node);
    }

    /**
     * Records that {@code finishingSubtask} read the shard to its end, and makes it the preferred
     * subtask of the shard's unassigned children, so a lineage stays on one subtask and per-key
     * order holds downstream. Idempotent; a shard never seen is recorded as FINISHED (a reader may
     * re-report a shard after a restore).
     *
     * @return the shard's known children, ordered by shard id
     */
    public List<String> markFinished(String shardId, int finishingSubtask) {
        Node node = nodes.get(shardId);
        if (node == null) {
            node = new Node(shardId, null, ShardIds.creationTimeFromShardId(shardId));
            nodes.put(shardId, node);
            countStatus(node, 1);
            link(node);
        }
        setStatus(
                node, ShardStatus.FINISHED, finishingSubtask >= 0 ? finishingSubtask : node.owner);
        ready.remove(shardId);
        removeWaiting(node);
        List<String> children = new ArrayList<>(node.children.size());
        for (Node child : node.children) {
            if (child.status == ShardStatus.UNASSIGNED && node.owner >= 0) {
                child.owner = node.owner;
            }
            refreshReady(child);
            children.add(child.shardId);
        }
        Collections.sort(children);
        return children;
    }

    /**
     * Undoes a finish: {@code subtask} restores a checkpoint taken before it read the shard to its
     * end, so it reads the shard again and the shard is ASSIGNED to it. Children that are not
     * assigned wait for the shard again.
     *
     * @return the shard's children that are already assigned to, or finished by, another subtask:
     *     their records may now arrive before the parent's last ones
     */
    public List<String> reopen(String shardId, int subtask) {
        Node node = require(shardId, "reopen");
        if (node.status != ShardStatus.FINISHED) {
            throw new IllegalStateException(
                    "Cannot reopen shard " + shardId + " in status " + node.status);
        }
        setStatus(node, ShardStatus.ASSIGNED, subtask);
        ready.remove(shardId);
        List<String> elsewhere = new ArrayList<>();
        for (Node child : node.children) {
            refreshReady(child);
            if (child.status != ShardStatus.UNASSIGNED && child.owner != subtask) {
                elsewhere.add(child.shardId);
            }
        }
        Collections.sort(elsewhere);
        return elsewhere;
    }

    /** The shard's known children, ordered by shard id; empty if none or unknown. */
    public List<String> children(String shardId) {
        Node node = nodes.get(shardId);
        if (node == null) {
            return Collections.emptyList();
        }
        List<String> ids = new ArrayList<>(node.children.size());
        for (Node child : node.children) {
            ids.add(child.shardId);
        }
        Collections.sort(ids);
        return ids;
    }

    /** The parent's id (known or not), or null if the shard has no parent or is unknown. */
    @Nullable
    public String parent(String shardId) {
        Node node = nodes.get(shardId);
        return node == null ? null : node.parentShardId;
    }

    /** The shard's status, or null if the shard is unknown. */
    @Nullable
    public ShardStatus status(String shardId) {
        Node node = nodes.get(shardId);
        return node == null ? null : node.status;
    }

    /** Owner, preferred or finishing subtask (see {@link ShardNode#getOwnerSubtask()}), or -1. */
    public int preferredSubtask(String shardId) {
        Node node = nodes.get(shardId);
        return node == null ? -1 : node.owner;
    }

    /** The shard's creation time (from its id), or -1 if unknown. */
    public long creationTimeMillis(String shardId) {
        Node node = nodes.get(shardId);
        return node == null ? -1 : node.creationTimeMillis;
    }

    public boolean contains(String shardId) {
        return nodes.containsKey(shardId);
    }

    public int size() {
        return nodes.size();
    }

    public int count(ShardStatus status) {
        return statusCounts.get(status);
    }

    /** How many shards {@code subtask} holds (ASSIGNED) now. */
    public int assignedCount(int subtask) {
        return assignedPerSubtask.getOrDefault(subtask, 0);
    }

    /**
     * The highest shard id a listing reported (or restored), to continue a paged listing with only
     * newer shards; null if none. Shards known only from a finish report do not count: their
     * siblings may not have been listed yet.
     */
    @Nullable
    public String maxShardId() {
        return maxShardId;
    }

    /** Every shard, ordered by shard id: the enumerator's checkpoint. */
    public List<ShardNode> snapshot() {
        List<ShardNode> result = new ArrayList<>(nodes.size());
        for (Node n : nodes.values()) {
            result.add(
                    new ShardNode(
                            n.shardId,
                            n.parentShardId,
                            n.status,
                            n.owner,
                            n.creationTimeMillis,
                            n.parentTrimmed));
        }
        result.sort(Comparator.comparing(ShardNode::getShardId));
        return result;
    }

    @Override
    public String toString() {
        return "ShardGraph{" + statusCounts + ", ready=" + ready.size() + "}";
    }

    // ------------------------------------------------------------------------------------------

    private Node require(String shardId, String action) {
        Node node = nodes.get(shardId);
        if (node == null) {
            throw new IllegalStateException("Cannot " + action + " unknown shard " + shardId);
        }
        return node;
    }

    private void enrich(Node node, DiscoveredShard shard) {
        if (node.parentShardId == null && shard.getParentShardId() != null) {
            // Known so far only from a finish report: learn its lineage now.
            node.parentShardId = shard.getParentShardId();
        }
        updateMaxShardId(node.shardId);
        link(node);
    }

    /** Connects a node to its parent and to children that were listed before it. */
    private void link(Node node) {
        List<Node> earlyChildren = orphansByParent.remove(node.shardId);
        if (earlyChildren != null) {
            for (Node child : earlyChildren) {
                removeWaiting(child);
                child.parentTrimmed = false;
                node.children.add(child);
                refreshReady(child);
            }
        }
        if (node.parentShardId == null || node.linked) {
            return;
        }
        node.linked = true;
        Node parent = nodes.get(node.parentShardId);
        if (parent != null) {
            parent.children.add(node);
            return;
        }
        orphansByParent.computeIfAbsent(node.parentShardId, k -> new ArrayList<>()).add(node);
        if (!node.parentTrimmed && node.status != ShardStatus.FINISHED) {
            (node.creationTimeMillis < 0 ? waitingUndated : waitingByAge).add(node);
        }
    }

    private void removeWaiting(Node node) {
        if (node.creationTimeMillis < 0) {
            waitingUndated.remove(node);
        } else {
            waitingByAge.remove(node);
        }
    }

    private void releaseAll(Collection<Node> waiting) {
        for (Node node : waiting) {
            node.parentTrimmed = true;
            refreshReady(node);
        }
        waiting.clear();
    }

    private void releaseOlderThan(long cutoffMillis) {
        while (!waitingByAge.isEmpty() && waitingByAge.first().creationTimeMillis < cutoffMillis) {
            Node node = waitingByAge.pollFirst();
            node.parentTrimmed = true;
            refreshReady(node);
        }
    }

    private void refreshReady(Node node) {
        if (node.status == ShardStatus.UNASSIGNED && parentDone(node)) {
            ready.add(node.shardId);
        } else {
            ready.remove(node.shardId);
        }
    }

    private boolean parentDone(Node node) {
        if (node.parentShardId == null) {
            return true;
        }
        Node parent = nodes.get(node.parentShardId);
        return parent == null ? node.parentTrimmed : parent.status == ShardStatus.FINISHED;
    }

    private void setStatus(Node node, ShardStatus status, int owner) {
        countStatus(node, -1);
        node.status = status;
        node.owner = owner;
        countStatus(node, 1);
    }

    private void countStatus(Node node, int delta) {
        statusCounts.merge(node.status, delta, Integer::sum);
        if (node.status == ShardStatus.ASSIGNED) {
            assignedPerSubtask.merge(node.owner, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }

    private void updateMaxShardId(String shardId) {
        if (maxShardId == null || shardId.compareTo(maxShardId) > 0) {
            maxShardId = shardId;
        }
    }

    /** The mutable shard record; identity equality keeps the age-ordered set consistent. */
    private static final class Node {
        final String shardId;
        @Nullable String parentShardId;
        long creationTimeMillis;
        ShardStatus status = ShardStatus.UNASSIGNED;
        int owner = -1;
        boolean parentTrimmed;

        /** Whether the node is registered with its parent (or as an orphan of it). */
        boolean linked;

        final List<Node> children = new ArrayList<>(2);

        Node(String shardId, @Nullable String parentShardId, long creationTimeMillis) {
            this.shardId = shardId;
            this.parentShardId = parentShardId;
            this.creationTimeMillis = creationTimeMillis;
        }
    }
}
