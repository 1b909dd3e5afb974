package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.SnapshotEnumState;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables' snapshots a {@link SplitPlanner} reads, by the ARN of the stream each goes with: the
 * segment kind's part of the planner, as {@link ShardHandout} is the shards'. A snapshot starts
 * when its stream's first listing fixed the stream's positions, so no change after the Scan's start
 * is missed. Coordinator thread only.
 */
final class TableSnapshots {
    private static final Logger LOG = LoggerFactory.getLogger(TableSnapshots.class);

    private final Map<String, SnapshotSegments> byStream = new LinkedHashMap<>();

    TableSnapshots(@Nullable DynamoDbStreamsSourceEnumState restored) {
        if (restored != null) {
            for (SnapshotEnumState snapshot : restored.getSnapshots()) {
                byStream.put(snapshot.getStreamArn(), SnapshotSegments.restore(snapshot));
            }
        }
    }

    boolean has(String streamArn) {
        return byStream.containsKey(streamArn);
    }

    /** Starts the snapshot of {@code table}, whose stream {@code streamArn} is listed now. */
    void start(String streamArn, @Nullable String table, int segments) {
        if (segments < 1 || table == null) {
            throw new IllegalStateException(
                    "Stream "
                            + streamArn
                            + " starts with a snapshot, but "
                            + (table == null
                                    ? "its ARN names no table"
                                    : "no segment count was given"));
        }
        byStream.put(streamArn, new SnapshotSegments(streamArn, table, segments));
        LOG.info(
                "Table {}: snapshot of its contents starts, {} Scan segments; its stream {} is read"
                        + " from its positions at the start",
                table,
                segments,
                streamArn);
    }

    /**
     * A reader read the segment {@code splitId} to its end.
     *
     * @return whether a snapshot has the segment
     */
    boolean finished(String splitId) {
        for (SnapshotSegments snapshot : byStream.values()) {
            if (snapshot.finished(splitId)) {
                if (snapshot.allRead()) {
                    LOG.info(
                            "Table {}: snapshot read, all {} segments",
                            snapshot.getTableName(),
                            snapshot.getTotalSegments());
                }
                return true;
            }
        }
        return false;
    }

    /** A failover undid a reported finish: {@code subtask} holds the segment again. */
    void finishUndone(String splitId, int subtask) {
        byStream.values().forEach(snapshot -> snapshot.finishUndone(splitId, subtask));
    }

    /** A failed subtask gave {@code segment} back, with its progress. */
    void givenBack(ScanSegmentSplit segment) {
        SnapshotSegments snapshot = byStream.get(segment.getStreamArn());
        if (snapshot == null) {
            throw new IllegalStateException(
                    "Segment " + segment.splitId() + " came back, but no snapshot has it");
        }
        snapshot.givenBack(segment);
    }

    /** Hands every pending segment to {@code registered} readers. */
    void handOut(Collection<Integer> registered, Decisions decisions) {
        for (SnapshotSegments snapshot : byStream.values()) {
            snapshot.handOut(registered)
                    .forEach(
                            (subtask, segments) ->
                                    segments.forEach(
                                            segment -> decisions.assign(subtask, segment)));
        }
    }

    /** Whether every snapshot started is read to its end. */
    boolean allRead() {
        return byStream.values().stream().allMatch(SnapshotSegments::allRead);
    }

    List<SnapshotEnumState> snapshot() {
        List<SnapshotEnumState> states = new ArrayList<>(byStream.size());
        byStream.values().forEach(snapshot -> states.add(snapshot.snapshot()));
        return states;
    }

    Collection<SnapshotSegments> all() {
        return byStream.values();
    }
}
