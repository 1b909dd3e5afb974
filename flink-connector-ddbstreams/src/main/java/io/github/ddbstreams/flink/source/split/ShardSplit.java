package io.github.ddbstreams.flink.source.split;

import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * One shard of a stream, with the position to (re)start reading it. Immutable; the reader's mutable
 * progress lives in {@link ShardSplitState}.
 *
 * <p>A split with {@link #isFinishedMarker()} set is not read: it is carried in a reader's
 * checkpoint to remember that the shard was read to its end until the enumerator has acknowledged
 * it in one of its own completed checkpoints (see {@code DynamoDbStreamsSourceReader}).
 */
@Internal
public final class ShardSplit implements SourceSplit {

    private final String streamArn;
    private final String shardId;
    @Nullable private final String parentShardId;
    private final ShardPosition position;
    private final boolean finishedMarker;

    public ShardSplit(
            String streamArn,
            String shardId,
            @Nullable String parentShardId,
            ShardPosition position,
            boolean finishedMarker) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.shardId = Objects.requireNonNull(shardId, "shardId");
        this.parentShardId = parentShardId;
        this.position = Objects.requireNonNull(position, "position");
        this.finishedMarker = finishedMarker;
    }

    public ShardSplit(
            String streamArn,
            String shardId,
            @Nullable String parentShardId,
            ShardPosition position) {
        this(streamArn, shardId, parentShardId, position, false);
    }

    /** The split id is the shard id: shard ids are unique within a stream. */
    @Override
    public String splitId() {
        return shardId;
    }

    public String getStreamArn() {
        return streamArn;
    }

    public String getShardId() {
        return shardId;
    }

    @Nullable
    public String getParentShardId() {
        return parentShardId;
    }

    public ShardPosition getPosition() {
        return position;
    }

    public boolean isFinishedMarker() {
        return finishedMarker;
    }

    public ShardSplit withPosition(ShardPosition newPosition) {
        return new ShardSplit(streamArn, shardId, parentShardId, newPosition, finishedMarker);
    }

    public ShardSplit asFinishedMarker() {
        return new ShardSplit(streamArn, shardId, parentShardId, position, true);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShardSplit)) {
            return false;
        }
        ShardSplit that = (ShardSplit) o;
        return finishedMarker == that.finishedMarker
                && streamArn.equals(that.streamArn)
                && shardId.equals(that.shardId)
                && Objects.equals(parentShardId, that.parentShardId)
                && position.equals(that.position);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamArn, shardId, parentShardId, position, finishedMarker);
    }

    @Override
    public String toString() {
        return "ShardSplit{"
                + shardId
                + (parentShardId == null ? "" : ", parent=" + parentShardId)
                + ", "
                + position
                + (finishedMarker ? ", FINISHED" : "")
                + "}";
    }
}
