package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * An immutable snapshot of one shard in the {@link ShardGraph}: what the enumerator checkpoints and
 * restores.
 */
@Internal
public final class ShardNode {

    private final String shardId;
    @Nullable private final String parentShardId;
    private final ShardStatus status;
    private final int ownerSubtask;
    private final long creationTimeMillis;
    private final boolean parentTrimmed;

    /**
     * @param ownerSubtask the subtask holding the shard if ASSIGNED; the subtask it should
     *     preferably go to if UNASSIGNED; the subtask that read it to its end if FINISHED (so
     *     children discovered later still follow their parent); -1 for none
     * @param creationTimeMillis epoch millis, -1 if unknown
     * @param parentTrimmed the parent is not in the graph and is known to be gone from the stream
     *     (absent from a complete listing, or the shard is older than the retention period), so the
     *     shard need not wait for it
     */
    public ShardNode(
            String shardId,
            @Nullable String parentShardId,
            ShardStatus status,
            int ownerSubtask,
            long creationTimeMillis,
            boolean parentTrimmed) {
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.parentShardId = parentShardId;
        this.status = Objects.requireNonNull(status, "status");
        this.ownerSubtask = ownerSubtask < 0 ? -1 : ownerSubtask;
        this.creationTimeMillis = creationTimeMillis < 0 ? -1 : creationTimeMillis;
        this.parentTrimmed = parentTrimmed;
    }

    public String getShardId() {
        return shardId;
    }

    @Nullable
    public String getParentShardId() {
        return parentShardId;
    }

    public ShardStatus getStatus() {
        return status;
    }

    /** See the constructor: owner, preferred subtask or finishing subtask; -1 for none. */
    public int getOwnerSubtask() {
        return ownerSubtask;
    }

    public long getCreationTimeMillis() {
        return creationTimeMillis;
    }

    public boolean isParentTrimmed() {
        return parentTrimmed;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShardNode)) {
            return false;
        }
        ShardNode that = (ShardNode) o;
        return ownerSubtask == that.ownerSubtask
                && creationTimeMillis == that.creationTimeMillis
                && parentTrimmed == that.parentTrimmed
                && shardId.equals(that.shardId)
                && Objects.equals(parentShardId, that.parentShardId)
                && status == that.status;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                shardId, parentShardId, status, ownerSubtask, creationTimeMillis, parentTrimmed);
    }

    @Override
    public String toString() {
        return "ShardNode{"
                + shardId
                + (parentShardId == null ? "" : ", parent=" + parentShardId)
                + (parentTrimmed ? " (trimmed)" : "")
                + ", "
                + status
                + (ownerSubtask < 0 ? "" : ", subtask=" + ownerSubtask)
                + "}";
    }
}
