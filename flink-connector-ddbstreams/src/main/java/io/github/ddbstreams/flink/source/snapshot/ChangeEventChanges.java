package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * {@link ItemMerge}'s view of {@link ChangeEvent}s: a change's prior state is its old image (as a
 * SNAPSHOT row of the same item), and a change starts from a row if its old image is the row's
 * item. A change without an old image (a stream of view type NEW_IMAGE) starts from any row: an
 * upsert changelog needs no prior state.
 */
@Internal
public final class ChangeEventChanges implements ItemMerge.Changes<ChangeEvent> {

    @Nullable
    @Override
    public ChangeEvent priorState(ChangeEvent change) {
        if (change.getEventName() == ChangeEvent.EventName.INSERT || !change.hasOldImage()) {
            return null;
        }
        return ChangeEvent.builder()
                .streamArn(change.getStreamArn())
                .shardId(change.getShardId())
                .eventName(ChangeEvent.EventName.SNAPSHOT)
                .approximateCreationTime(change.getApproximateCreationTime())
                .keys(change.getKeys())
                .newImage(change.getOldImage())
                .build();
    }

    @Override
    public boolean startsFrom(ChangeEvent change, ChangeEvent row) {
        if (change.getEventName() == ChangeEvent.EventName.INSERT) {
            return false; // the row's item existed: an insert cannot follow it
        }
        return !change.hasOldImage() || change.getOldImage().equals(row.getNewImage());
    }

    @Override
    public ChangeEvent withPriorState(ChangeEvent change, ChangeEvent row) {
        ChangeEvent.EventName name =
                change.getEventName() == ChangeEvent.EventName.INSERT
                        ? ChangeEvent.EventName.MODIFY
                        : change.getEventName();
        return ChangeEvent.builder()
                .streamArn(change.getStreamArn())
                .shardId(change.getShardId())
                .sequenceNumber(change.getSequenceNumber())
                .eventId(change.getEventId())
                .eventName(name)
                .approximateCreationTime(change.getApproximateCreationTime())
                .sizeBytes(change.getSizeBytes())
                .ttlDelete(change.isTtlDelete())
                .keys(change.getKeys())
                .oldImage(row.getNewImage())
                .newImage(change.hasNewImage() ? change.getNewImage() : null)
                .build();
    }
}
