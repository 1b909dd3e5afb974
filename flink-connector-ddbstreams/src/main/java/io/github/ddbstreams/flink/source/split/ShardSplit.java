package io.github.ddbstreams.flink.source.split;

import io.github.ddbstreams.flink.arn.StreamArns;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * One shard of a stream, with the position to (re)start reading it. Immutable; the reader's mutable
 * progress lives in {@link ShardSplitState}.
 *
 * <p>A split with {@link #isFinishedMarker()} set is not read: it is carried in a reader's
 * checkpoint to remember that the shard was read to its end until the enumerator has acknowledged
 * it in one of its own completed checkpoints (see {@code DynamoDbStreamsSourceReader}).
 */
@Internal
public final class ShardSplit implements DynamoDbSplit {

    private static final char SPLIT_ID_SEPARATOR = '/';

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

    /**
     * The split id: {@code STREAM_ARN/SHARD_ID} (see {@link #idOf}). Shard ids are unique only
     * within a stream, and one source may read several streams.
     */
    @Override
    public String splitId() {
        return idOf(streamArn, shardId);
    }

    /**
     * The split id of a shard of a stream. Shard ids contain no '/', so the last '/' separates the
     * stream ARN from the shard id; the id reads as the shard's resource path.
     */
    public static String idOf(String streamArn, String shardId) {
        return streamArn + SPLIT_ID_SEPARATOR + shardId;
    }

    /** The shard id part of a {@link #splitId()}. */
    public static String shardIdOf(String splitId) {
        return splitId.substring(splitId.lastIndexOf(SPLIT_ID_SEPARATOR) + 1);
    }

    /** The stream ARN part of a {@link #splitId()}, or "" if it has none. */
    public static String streamArnOf(String splitId) {
        int separator = splitId.lastIndexOf(SPLIT_ID_SEPARATOR);
        return separator < 0 ? "" : splitId.substring(0, separator);
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

    @Override
    public boolean isFinishedMarker() {
        return finishedMarker;
    }

    public ShardSplit withPosition(ShardPosition newPosition) {
        return new ShardSplit(streamArn, shardId, parentShardId, newPosition, finishedMarker);
    }

    @Override
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
                + StreamArns.tableName(streamArn)
                + "/"
                + shardId
                + (parentShardId == null ? "" : ", parent=" + parentShardId)
                + ", "
                + position
                + (finishedMarker ? ", FINISHED" : "")
                + "}";
    }
}
