package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

/**
 * The source reader of one subtask. Besides what {@link SingleThreadMultiplexSourceReaderBase}
 * does, it keeps the enumerator's view of finished shards safe across failures:
 *
 * <p>A shard read to its end leaves the reader's checkpoints, and the enumerator learns of it by a
 * {@link FinishesReportedEvent}. If that event reached the enumerator after the enumerator's part
 * of a checkpoint was taken, restoring that checkpoint would lose the finish, and the shard's
 * children would never be read. So the reader keeps a <em>finished marker</em> split in its own
 * checkpoints until the enumerator reports, with {@link FinishesConfirmedEvent}, that one of its
 * completed checkpoints holds the finish. A restored marker is reported again, never read.
 */
@Internal
public final class DynamoDbStreamsSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                ShardElement, T, ShardSplit, ShardSplitState> {

    /** Finished shards not yet acknowledged by a completed enumerator checkpoint. Task thread. */
    private final Map<String, ShardSplit> finishedMarkers = new LinkedHashMap<>();

    public DynamoDbStreamsSourceReader(
            Supplier<SplitReader<ShardElement, ShardSplit>> splitReaderSupplier,
            ShardRecordEmitter<T> emitter,
            Configuration config,
            SourceReaderContext context) {
        super(splitReaderSupplier, emitter, config, context);
    }

    @Override
    public void addSplits(List<ShardSplit> splits) {
        List<ShardSplit> toRead = new ArrayList<>(splits.size());
        List<String> restoredFinished = new ArrayList<>();
        for (ShardSplit split : splits) {
            if (split.isFinishedMarker()) {
                finishedMarkers.put(split.splitId(), split);
                restoredFinished.add(split.splitId());
            } else {
                toRead.add(split);
            }
        }
        if (!restoredFinished.isEmpty()) {
            context.sendSourceEventToCoordinator(new FinishesReportedEvent(restoredFinished));
        }
        super.addSplits(toRead);
    }

    @Override
    protected void onSplitFinished(Map<String, ShardSplitState> finishedSplitIds) {
        List<String> ids = new ArrayList<>(finishedSplitIds.size());
        for (ShardSplitState state : finishedSplitIds.values()) {
            ShardSplit split = state.toSplit();
            finishedMarkers.put(split.splitId(), split.asFinishedMarker());
            ids.add(split.splitId());
        }
        context.sendSourceEventToCoordinator(new FinishesReportedEvent(ids));
    }

    @Override
    public List<ShardSplit> snapshotState(long checkpointId) {
        List<ShardSplit> splits = new ArrayList<>(super.snapshotState(checkpointId));
        splits.addAll(finishedMarkers.values());
        return splits;
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof FinishesConfirmedEvent) {
            for (String splitId : ((FinishesConfirmedEvent) event).splitIds()) {
                finishedMarkers.remove(splitId);
            }
        } else {
            super.handleSourceEvents(event);
        }
    }

    @Override
    protected ShardSplitState initializedState(ShardSplit split) {
        return new ShardSplitState(split);
    }

    @Override
    protected ShardSplit toSplitType(String splitId, ShardSplitState state) {
        return state.toSplit();
    }

    /** Finished shards still carried in checkpoints; for tests. */
    int finishedMarkerCount() {
        return finishedMarkers.size();
    }
}
