package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.enumerator.SnapshotEnumState;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;

/**
 * The segments of one table's snapshot (a parallel Scan of {@code totalSegments} segments): which
 * wait to be handed out (with their progress, if a reader gave one back), which readers hold, and
 * which were read to their end. The snapshot's counterpart of a stream's shard graph, free of
 * Flink.
 *
 * <pre>
 *   PENDING ──handOut──> HELD by a subtask ──finished──> READ
 *      ^                        │
 *      └────────givenBack───────┘   (a failed subtask's segments, with their progress)
 * </pre>
 *
 * <p>Its checkpoint is what {@link #pending()} and {@link #read()} return: every other segment is
 * held by a reader, whose own checkpoint holds it.
 */
@Internal
public final class SnapshotSegments {

    private final String streamArn;
    private final String tableName;
    private final int totalSegments;
    private final Map<Integer, ScanSegmentSplit> pending = new TreeMap<>();
    private final Map<Integer, Integer> holders = new HashMap<>();
    private final Set<Integer> read = new TreeSet<>();
    private final Map<String, Integer> segmentsById = new HashMap<>();

    /** A snapshot not started: every segment pending and unread. */
    public SnapshotSegments(String streamArn, String tableName, int totalSegments) {
        this(streamArn, tableName, totalSegments, allUnread(streamArn, tableName, totalSegments));
    }

    private SnapshotSegments(
            String streamArn,
            String tableName,
            int totalSegments,
            Collection<ScanSegmentSplit> pendingSegments) {
        this.streamArn = streamArn;
        this.tableName = tableName;
        this.totalSegments = totalSegments;
        for (int segment = 0; segment < totalSegments; segment++) {
            segmentsById.put(
                    ScanSegmentSplit.unread(streamArn, tableName, segment, totalSegments).splitId(),
                    segment);
        }
        for (ScanSegmentSplit split : pendingSegments) {
            check(split);
            pending.put(split.getSegment(), split);
        }
    }

    /**
     * The snapshot as a checkpoint left it: the segments not in {@code pendingSegments} nor in
     * {@code readSegments} are held by readers (subtask unknown until they report).
     */
    public static SnapshotSegments restore(
            String streamArn,
            String tableName,
            int totalSegments,
            Collection<ScanSegmentSplit> pendingSegments,
            Collection<Integer> readSegments) {
        SnapshotSegments segments =
                new SnapshotSegments(streamArn, tableName, totalSegments, pendingSegments);
        for (int segment : readSegments) {
            if (segment < 0 || segment >= totalSegments || segments.pending.containsKey(segment)) {
                throw new IllegalArgumentException(
                        "Snapshot of table "
                                + tableName
                                + ": segment "
                                + segment
                                + " cannot be read (of "
                                + totalSegments
                                + ", pending "
                                + segments.pending.keySet()
                                + ")");
            }
            segments.read.add(segment);
        }
        return segments;
    }

    /** The snapshot as a checkpoint recorded it. */
    public static SnapshotSegments restore(SnapshotEnumState state) {
        return restore(
                state.getStreamArn(),
                state.getTableName(),
                state.getTotalSegments(),
                state.getPending(),
                state.getReadSegments());
    }

    /** What a checkpoint keeps of the snapshot: segments held by readers are in theirs. */
    public SnapshotEnumState snapshot() {
        return new SnapshotEnumState(streamArn, tableName, totalSegments, pending(), read);
    }

    /**
     * Hands every pending segment to {@code readers} (subtask ids), the one holding fewest segments
     * first, so that the Scan spreads over the subtasks.
     *
     * @return the segments each subtask gets, in segment order per subtask
     */
    public Map<Integer, List<ScanSegmentSplit>> handOut(Collection<Integer> readers) {
        Map<Integer, List<ScanSegmentSplit>> out = new TreeMap<>();
        if (readers.isEmpty() || pending.isEmpty()) {
            return out;
        }
        Map<Integer, Integer> load = new HashMap<>();
        for (int reader : readers) {
            load.put(reader, 0);
        }
        for (int holder : holders.values()) {
            load.computeIfPresent(holder, (subtask, n) -> n + 1);
        }
        Comparator<Integer> leastLoaded =
                Comparator.<Integer>comparingInt(load::get)
                        .thenComparing(Comparator.naturalOrder());
        for (ScanSegmentSplit split : pending.values()) {
            int reader = readers.stream().min(leastLoaded).orElseThrow();
            load.merge(reader, 1, Integer::sum);
            holders.put(split.getSegment(), reader);
            out.computeIfAbsent(reader, r -> new ArrayList<>()).add(split);
        }
        pending.clear();
        return out;
    }

    /**
     * A reader read the segment named by {@code splitId} to its end.
     *
     * @return whether the split id names a segment of this snapshot
     */
    public boolean finished(String splitId) {
        Integer segment = segmentsById.get(splitId);
        if (segment == null) {
            return false;
        }
        pending.remove(segment);
        holders.remove(segment);
        read.add(segment);
        return true;
    }

    /**
     * A reported finish of the segment named by {@code splitId} was undone: its reader failed
     * before a checkpoint held the finish, and the restored reader holds the segment again (it
     * reads on from its checkpointed progress, or reports the finish again).
     *
     * @return whether the split id names a segment of this snapshot
     */
    public boolean finishUndone(String splitId, int subtask) {
        Integer segment = segmentsById.get(splitId);
        if (segment == null) {
            return false;
        }
        if (read.remove(segment)) {
            holders.put(segment, subtask);
        }
        return true;
    }

    /** How many segments were read to their end. */
    public int readCount() {
        return read.size();
    }

    /**
     * A reader gave back a segment (its subtask failed): it is pending again, with its progress.
     */
    public void givenBack(ScanSegmentSplit split) {
        check(split);
        if (split.isDone()) {
            finished(split.splitId());
            return;
        }
        if (read.contains(split.getSegment())) {
            return;
        }
        holders.remove(split.getSegment());
        pending.put(split.getSegment(), split);
    }

    /** Whether every segment was read to its end. */
    public boolean allRead() {
        return read.size() == totalSegments;
    }

    /** The segments waiting to be handed out, in segment order. */
    public List<ScanSegmentSplit> pending() {
        return List.copyOf(pending.values());
    }

    /** The segments read to their end. */
    public Set<Integer> read() {
        return Set.copyOf(read);
    }

    public String getStreamArn() {
        return streamArn;
    }

    public String getTableName() {
        return tableName;
    }

    public int getTotalSegments() {
        return totalSegments;
    }

    private void check(ScanSegmentSplit split) {
        if (!split.getStreamArn().equals(streamArn)
                || !split.getTableName().equals(tableName)
                || split.getTotalSegments() != totalSegments) {
            throw new IllegalArgumentException(
                    "Segment "
                            + split
                            + " is not one of the "
                            + totalSegments
                            + " segments of table "
                            + tableName);
        }
    }

    private static List<ScanSegmentSplit> allUnread(
            String streamArn, String tableName, int totalSegments) {
        List<ScanSegmentSplit> all = new ArrayList<>(totalSegments);
        for (int segment = 0; segment < totalSegments; segment++) {
            all.add(ScanSegmentSplit.unread(streamArn, tableName, segment, totalSegments));
        }
        return all;
    }
}
