package io.github.ddbstreams.flink.source.split;

import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The reader's progress in one Scan segment: after each emitted row, the key to go on after (the
 * row's own key, or the page's {@code LastEvaluatedKey} after its last row), so that a restore
 * reads no row twice.
 */
@Internal
public final class ScanSegmentSplitState implements DynamoDbSplitState {

    private ScanSegmentSplit progress;

    public ScanSegmentSplitState(ScanSegmentSplit split) {
        this.progress = Objects.requireNonNull(split, "split");
    }

    /** Records that everything up to {@code key} was emitted; null or empty: the whole segment. */
    public void emittedUpTo(@Nullable Map<String, AttributeValue> key) {
        progress = progress.after(key);
    }

    @Override
    public ScanSegmentSplit toSplit() {
        return progress;
    }

    @Override
    public String toString() {
        return "ScanSegmentSplitState{" + progress + "}";
    }
}
