package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/** A shard as a stream listing reports it, the input of {@link ShardGraph#addShards}. Immutable. */
@Internal
public final class DiscoveredShard {

    private final String shardId;
    @Nullable private final String parentShardId;
    private final boolean closed;
    private final long creationTimeMillis;

    /**
     * @param closed the listing gave the shard an ending sequence number
     * @param creationTimeMillis epoch millis, -1 if unknown
     */
    public DiscoveredShard(
            String shardId,
            @Nullable String parentShardId,
            boolean closed,
            long creationTimeMillis) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        if (shardId.equals(parentShardId)) {
            throw new IllegalArgumentException("Shard " + shardId + " names itself as its parent");
        }
        this.parentShardId = parentShardId;
        this.closed = closed;
        this.creationTimeMillis = creationTimeMillis < 0 ? -1 : creationTimeMillis;
    }

    /**
     * A shard whose creation time is taken from its id (see {@link
     * ShardIds#creationTimeFromShardId}).
     */
    public static DiscoveredShard of(
            String shardId, @Nullable String parentShardId, boolean closed) {
        return new DiscoveredShard(
                shardId, parentShardId, closed, ShardIds.creationTimeFromShardId(shardId));
    }

    public String getShardId() {
        return shardId;
    }

    @Nullable
    public String getParentShardId() {
        return parentShardId;
    }

    public boolean isClosed() {
        return closed;
    }

    public long getCreationTimeMillis() {
        return creationTimeMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DiscoveredShard)) {
            return false;
        }
        DiscoveredShard that = (DiscoveredShard) o;
        return closed == that.closed
                && creationTimeMillis == that.creationTimeMillis
                && shardId.equals(that.shardId)
                && Objects.equals(parentShardId, that.parentShardId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(shardId, parentShardId, closed, creationTimeMillis);
    }

    @Override
    public String toString() {
        return "DiscoveredShard{"
                + shardId
                + (parentShardId == null ? "" : ", parent=" + parentShardId)
                + (closed ? ", closed" : "")
                + "}";
    }
}
