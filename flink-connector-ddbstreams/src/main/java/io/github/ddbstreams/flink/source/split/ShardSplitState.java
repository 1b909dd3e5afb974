package io.github.ddbstreams.flink.source.split;

import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * The reader's mutable progress in one shard, beside the immutable {@link ShardSplit} it started
 * from. The record emitter advances it after each emitted record; a checkpoint turns it back into a
 * split with {@link #toSplit()}. Used by one reader thread only; not thread-safe.
 */
@Internal
public final class ShardSplitState implements DynamoDbSplitState {

    private final ShardSplit split;
    private ShardPosition position;

    public ShardSplitState(ShardSplit split) {
        this.split = Objects.requireNonNull(split, "split");
        this.position = split.getPosition();
    }

    /** The split this state was created from (with its original position). */
    public ShardSplit getSplit() {
        return split;
    }

    public String getShardId() {
        return split.getShardId();
    }

    public ShardPosition getPosition() {
        return position;
    }

    /** Records that the record with this sequence number was emitted: restart after it. */
    public void setLastSequenceNumber(String sequenceNumber) {
        position = ShardPosition.afterSequenceNumber(sequenceNumber);
    }

    /**
     * Replaces the {@code LATEST} iterator kept as the position by a newer one from the same shard,
     * keeping the job start time, so that a restore resumes from the point polled so far instead of
     * from an expired iterator. Ignored once a record has been emitted (the sequence number is then
     * the position) or for any other kind of position.
     *
     * @return whether the position was changed
     */
    public boolean refreshLatestIterator(String iterator) {
        Objects.requireNonNull(iterator, "iterator");
        if (position.getKind() != ShardPosition.Kind.LATEST_ITERATOR) {
            return false;
        }
        position = ShardPosition.latestIterator(iterator, position.getTimestampMillis());
        return true;
    }

    /** The immutable split with the current position, as it goes into a checkpoint. */
    @Override
    public ShardSplit toSplit() {
        return split.withPosition(position);
    }

    @Override
    public String toString() {
        return "ShardSplitState{" + split.splitId() + ", " + position + "}";
    }
}
