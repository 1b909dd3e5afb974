package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import javax.annotation.Nullable;

/**
 * The mutable shard record; identity equality keeps the age-ordered set consistent. Kept small (a
 * graph may hold 100,000 of them): no boxed fields, no list object for the children, and the parent
 * id shares the parent's own id string once the parent is known.
 */
final class MutableShardNode {
    private static final MutableShardNode[] NO_CHILDREN = new MutableShardNode[0];

    /** Creation time, then id (for DynamoDB's ids that is id order), comparing the number first. */
    static final Comparator<MutableShardNode> BY_CREATION_TIME =
            Comparator.comparingLong((MutableShardNode n) -> n.creationTimeMillis)
                    .thenComparing(n -> n.shardId);

    final String shardId;
    @Nullable String parentShardId;
    long creationTimeMillis;
    ShardStatus status = ShardStatus.UNASSIGNED;
    int owner = -1;
    boolean parentTrimmed;

    /** Whether the node is registered with its parent (or as an orphan of it). */
    boolean linked;

    /** Number of the last complete listing that returned the shard; 0 for none since restore. */
    int listedIn;

    /** Known children: one after a rollover, two after a split, so an exact-size array. */
    MutableShardNode[] children = NO_CHILDREN;

    MutableShardNode(String shardId, @Nullable String parentShardId, long creationTimeMillis) {
        this.shardId = shardId;
        this.parentShardId = parentShardId;
        this.creationTimeMillis = creationTimeMillis;
    }

    /** A node as a listing reported it; not yet linked. */
    static MutableShardNode discovered(DiscoveredShard shard) {
        return new MutableShardNode(
                shard.getShardId(), shard.getParentShardId(), shard.getCreationTimeMillis());
    }

    /** A node as checkpointed; not yet linked. */
    static MutableShardNode restored(ShardNode s) {
        MutableShardNode node =
                new MutableShardNode(
                        s.getShardId(), s.getParentShardId(), s.getCreationTimeMillis());
        node.status = s.getStatus();
        node.owner = s.getOwnerSubtask();
        node.parentTrimmed = s.isParentTrimmed();
        return node;
    }

    /** The node as checkpointed. */
    ShardNode toShardNode() {
        return new ShardNode(
                shardId, parentShardId, status, owner, creationTimeMillis, parentTrimmed);
    }

    /** The known children's ids, ordered by shard id. */
    List<String> childIds() {
        List<String> ids = new ArrayList<>(children.length);
        for (MutableShardNode child : children) {
            ids.add(child.shardId);
        }
        Collections.sort(ids);
        return ids;
    }

    void addChild(MutableShardNode child) {
        children = Arrays.copyOf(children, children.length + 1);
        children[children.length - 1] = child;
    }

    void removeChild(MutableShardNode child) {
        for (int i = 0; i < children.length; i++) {
            if (children[i] == child) {
                MutableShardNode[] fewer = new MutableShardNode[children.length - 1];
                System.arraycopy(children, 0, fewer, 0, i);
                System.arraycopy(children, i + 1, fewer, i, children.length - i - 1);
                children = fewer.length == 0 ? NO_CHILDREN : fewer;
                return;
            }
        }
    }
}
