package io.github.ddbstreams.flink.source.event;

import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to reader: a completed checkpoint of the enumerator records these shards as finished,
 * so the reader may stop carrying them in its own checkpoints.
 */
@Internal
public final class FinishedShardsCheckpointedEvent implements SourceEvent {
    private static final long serialVersionUID = 1L;

    private final List<String> shardIds;

    public FinishedShardsCheckpointedEvent(List<String> shardIds) {
        this.shardIds = List.copyOf(shardIds);
    }

    public List<String> shardIds() {
        return shardIds;
    }

    @Override
    public String toString() {
        return "FinishedShardsCheckpointedEvent" + shardIds;
    }
}
