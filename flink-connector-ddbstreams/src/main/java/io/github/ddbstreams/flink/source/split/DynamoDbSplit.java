package io.github.ddbstreams.flink.source.split;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * A split of the source: one shard of a stream ({@link ShardSplit}), or one segment of a table's
 * snapshot ({@link ScanSegmentSplit}). Both are immutable; the reader's progress lives in a {@link
 * DynamoDbSplitState} beside them.
 */
@Internal
public sealed interface DynamoDbSplit extends SourceSplit permits ShardSplit, ScanSegmentSplit {

    /**
     * Whether the split only marks work done (a shard or segment read to its end), carried in a
     * reader's checkpoints until the enumerator confirms it, and never read.
     */
    boolean isFinishedMarker();

    /** The split as a finished marker. */
    DynamoDbSplit asFinishedMarker();
}
