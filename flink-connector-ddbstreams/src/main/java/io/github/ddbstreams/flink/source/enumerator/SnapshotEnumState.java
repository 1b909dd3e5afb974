package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import org.apache.flink.annotation.Internal;

/**
 * The checkpointed state of one table's snapshot (a parallel Scan of {@code totalSegments}
 * segments), beside its stream's {@link StreamEnumState}. Immutable.
 *
 * <ul>
 *   <li>{@code streamArn}: the stream the snapshot goes with (its rows carry that ARN).
 *   <li>{@code tableName}: the table scanned.
 *   <li>{@code pending}: segments no reader holds, with their progress (a failed reader gave them
 *       back part read, or none was handed out yet).
 *   <li>{@code readSegments}: segments read to their end, in ascending order.
 * </ul>
 *
 * Every other segment is held by a reader, whose own checkpoint holds its progress.
 */
@Internal
public final class SnapshotEnumState {

    private final String streamArn;
    private final String tableName;
    private final int totalSegments;
    private final List<ScanSegmentSplit> pending;
    private final List<Integer> readSegments;

    public SnapshotEnumState(
            String streamArn,
            String tableName,
            int totalSegments,
            List<ScanSegmentSplit> pending,
            Iterable<Integer> readSegments) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.tableName = Objects.requireNonNull(tableName, "tableName");
        this.totalSegments = totalSegments;
        this.pending = List.copyOf(pending);
        TreeSet<Integer> sorted = new TreeSet<>();
        readSegments.forEach(sorted::add);
        this.readSegments = List.copyOf(sorted);
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

    public List<ScanSegmentSplit> getPending() {
        return pending;
    }

    public List<Integer> getReadSegments() {
        return readSegments;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SnapshotEnumState)) {
            return false;
        }
        SnapshotEnumState that = (SnapshotEnumState) o;
        return totalSegments == that.totalSegments
                && streamArn.equals(that.streamArn)
                && tableName.equals(that.tableName)
                && pending.equals(that.pending)
                && readSegments.equals(that.readSegments);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamArn, tableName, totalSegments, pending, readSegments);
    }

    @Override
    public String toString() {
        return "SnapshotEnumState{table="
                + tableName
                + ", segments="
                + totalSegments
                + ", pending="
                + pending.size()
                + ", read="
                + readSegments.size()
                + "}";
    }
}
