package io.github.ddbstreams.flink.source.event;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to reader: a completed checkpoint of the enumerator records these shards as finished,
 * so the reader may stop carrying them in its own checkpoints.
 */
@Internal
public final class FinishesConfirmedEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    /** Split ids ({@link io.github.ddbstreams.flink.source.split.ShardSplit#splitId()}). */
    private final List<String> splitIds;

    public FinishesConfirmedEvent(List<String> splitIds) {
        this.splitIds = List.copyOf(splitIds);
    }

    public List<String> splitIds() {
        return splitIds;
    }

    @Override
    public String toString() {
        return "FinishesConfirmedEvent" + splitIds;
    }
}
