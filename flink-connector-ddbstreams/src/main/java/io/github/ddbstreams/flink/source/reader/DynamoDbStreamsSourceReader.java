package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.DynamoDbSplitState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SourceReaderBase;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.core.io.InputStatus;

/**
 * The source reader of one subtask. Besides what {@link SourceReaderBase} does (with one fetcher
 * thread for shards and one for Scan segments), it keeps the enumerator's view of finished shards
 * safe across failures:
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
        extends SourceReaderBase<ShardElement, T, DynamoDbSplit, DynamoDbSplitState> {

    /** Finished shards not yet acknowledged by a completed enumerator checkpoint. Task thread. */
    private final Map<String, DynamoDbSplit> finishedMarkers = new LinkedHashMap<>();

    /**
     * A reader whose shards and Scan segments are each read in a fetcher thread of their own (see
     * {@link DynamoDbFetcherManager}).
     */
    public DynamoDbStreamsSourceReader(
            Supplier<SplitReader<ShardElement, DynamoDbSplit>> shardReaders,
            Supplier<SplitReader<ShardElement, DynamoDbSplit>> segmentReaders,
            ShardRecordEmitter<T> emitter,
            Configuration config,
            SourceReaderContext context) {
        super(
                new DynamoDbFetcherManager(shardReaders, segmentReaders, config),
                emitter,
                config,
                context);
    }

    /** A reader of shards only, for tests. */
    public DynamoDbStreamsSourceReader(
            Supplier<SplitReader<ShardElement, DynamoDbSplit>> shardReaders,
            ShardRecordEmitter<T> emitter,
            Configuration config,
            SourceReaderContext context) {
        this(
                shardReaders,
                () -> {
                    throw new IllegalStateException("This reader reads no Scan segments");
                },
                emitter,
                config,
                context);
    }

    /** Whether the reader's output was marked idle since it last held a split. Task thread. */
    private boolean markedIdle;

    /**
     * Marks the output idle while the reader holds no split (more subtasks than shards, or a
     * subtask whose Scan segments are all read): Flink would otherwise keep its watermark where its
     * last split left it and hold back event time downstream. Its next split makes it active again,
     * and so does the end of a bounded read.
     */
    @Override
    public InputStatus pollNext(ReaderOutput<T> output) throws Exception {
        InputStatus status = super.pollNext(output);
        if (status == InputStatus.END_OF_INPUT) {
            // Flink drops watermarks of an idle output, the final one of a bounded read too:
            // active again, so that the end of input reaches event-time operators downstream.
            output.markActive();
        } else if (getNumberOfCurrentlyAssignedSplits() > 0) {
            markedIdle = false;
        } else if (status == InputStatus.NOTHING_AVAILABLE && !markedIdle) {
            output.markIdle();
            markedIdle = true;
        }
        return status;
    }

    @Override
    public void addSplits(List<DynamoDbSplit> splits) {
        List<DynamoDbSplit> toRead = new ArrayList<>(splits.size());
        List<String> restoredFinished = new ArrayList<>();
        for (DynamoDbSplit split : splits) {
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
    protected void onSplitFinished(Map<String, DynamoDbSplitState> finishedSplitIds) {
        List<String> ids = new ArrayList<>(finishedSplitIds.size());
        for (DynamoDbSplitState state : finishedSplitIds.values()) {
            DynamoDbSplit split = state.toSplit();
            finishedMarkers.put(split.splitId(), split.asFinishedMarker());
            ids.add(split.splitId());
        }
        context.sendSourceEventToCoordinator(new FinishesReportedEvent(ids));
    }

    @Override
    public List<DynamoDbSplit> snapshotState(long checkpointId) {
        List<DynamoDbSplit> splits = new ArrayList<>(super.snapshotState(checkpointId));
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
    protected DynamoDbSplitState initializedState(DynamoDbSplit split) {
        return DynamoDbSplitState.of(split);
    }

    @Override
    protected DynamoDbSplit toSplitType(String splitId, DynamoDbSplitState state) {
        return state.toSplit();
    }

    /** Finished shards still carried in checkpoints; for tests. */
    int finishedMarkerCount() {
        return finishedMarkers.size();
    }
}
