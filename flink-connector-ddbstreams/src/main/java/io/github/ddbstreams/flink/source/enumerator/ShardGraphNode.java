package io.github.ddbstreams.flink.source.enumerator;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;

/** The mutable shard record; identity equality keeps the age-ordered set consistent. */
final class ShardGraphNode {
    final String shardId;
    @Nullable String parentShardId;
    long creationTimeMillis;
    ShardStatus status = ShardStatus.UNASSIGNED;
    int owner = -1;
    boolean parentTrimmed;

    /** Whether the node is registered with its parent (or as an orphan of it). */
    boolean linked;

    final List<ShardGraphNode> children = new ArrayList<>(2);

    ShardGraphNode(String shardId, @Nullable String parentShardId, long creationTimeMillis) {
        this.shardId = shardId;
        this.parentShardId = parentShardId;
        this.creationTimeMillis = creationTimeMillis;
    }
}
