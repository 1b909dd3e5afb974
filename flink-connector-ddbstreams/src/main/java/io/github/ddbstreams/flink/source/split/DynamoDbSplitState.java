package io.github.ddbstreams.flink.source.split;

import org.apache.flink.annotation.Internal;

/**
 * A reader's mutable progress in one {@link DynamoDbSplit}, advanced by the record emitter; a
 * checkpoint turns it back into a split with {@link #toSplit()}. Used by one thread only.
 */
@Internal
public sealed interface DynamoDbSplitState permits ShardSplitState, ScanSegmentSplitState {

    /** The immutable split with the progress so far, as it goes into a checkpoint. */
    DynamoDbSplit toSplit();

    /** The state of a split that starts from {@code split}. */
    static DynamoDbSplitState of(DynamoDbSplit split) {
        if (split instanceof ShardSplit shard) {
            return new ShardSplitState(shard);
        }
        return new ScanSegmentSplitState((ScanSegmentSplit) split);
    }
}
