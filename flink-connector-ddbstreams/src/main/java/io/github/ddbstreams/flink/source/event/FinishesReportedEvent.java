package io.github.ddbstreams.flink.source.event;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Reader to enumerator: these shards were read to their end. Sent again after a restore until
 * acknowledged by a {@link FinishesConfirmedEvent}, so the enumerator must treat repeats as
 * harmless.
 */
@Internal
public final class FinishesReportedEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    /** Split ids ({@link io.github.ddbstreams.flink.source.split.ShardSplit#splitId()}). */
    private final List<String> splitIds;

    public FinishesReportedEvent(List<String> splitIds) {
        this.splitIds = List.copyOf(splitIds);
    }

    public List<String> splitIds() {
        return splitIds;
    }

    @Override
    public String toString() {
        return "FinishesReportedEvent" + splitIds;
    }
}
