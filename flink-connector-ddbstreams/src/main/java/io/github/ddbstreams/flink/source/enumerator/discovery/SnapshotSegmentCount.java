package io.github.ddbstreams.flink.source.enumerator.discovery;

import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * How many segments a table's snapshot is read in, when {@code source.snapshot.segments} does not
 * say: enough for every subtask to read several at once (a segment is read by one subtask at a
 * time, and segments differ in size), and enough that no segment holds much more than {@link
 * #BYTES_PER_SEGMENT}, so that a failed subtask's segment goes back to a reader with little left.
 */
@Internal
public final class SnapshotSegmentCount {
    private static final Logger LOG = LoggerFactory.getLogger(SnapshotSegmentCount.class);

    /** Segments per subtask at least. */
    static final int SEGMENTS_PER_SUBTASK = 4;

    /** At most this much of the table per segment, by DescribeTable's size. */
    static final long BYTES_PER_SEGMENT = 256L << 20;

    /** Scan's TotalSegments limit. */
    static final int MAX_SEGMENTS = 1_000_000;

    private SnapshotSegmentCount() {}

    /** A snapshot's segment count, and the table's item count by DescribeTable (-1 unknown). */
    public record Plan(int segments, long tableItems) {}

    /**
     * The plan of a table's snapshot. With a configured segment count, DescribeTable only tells the
     * item count (for the progress gauge): if it fails (no dynamodb:DescribeTable permission, say)
     * the count stays unknown and the snapshot goes on. Without one, it also sizes the segments,
     * and its failure propagates (the caller retries).
     */
    public static Plan plan(
            int configured, java.util.function.Supplier<TableDescription> table, int parallelism) {
        if (configured > 0) {
            long items;
            try {
                Long count = table.get().itemCount();
                items = count == null ? -1 : count;
            } catch (RuntimeException e) {
                LOG.info(
                        "DescribeTable failed ({}): the snapshot's table item count is unknown",
                        e.toString());
                items = -1;
            }
            return new Plan(configured, items);
        }
        TableDescription description = table.get();
        Long count = description.itemCount();
        return new Plan(of(0, () -> description, parallelism), count == null ? -1 : count);
    }

    /**
     * @param configured {@code source.snapshot.segments}; 0 if unset
     * @param table DescribeTable's answer, read only if {@code configured} is 0
     */
    public static int of(
            int configured, java.util.function.Supplier<TableDescription> table, int parallelism) {
        if (configured > 0) {
            return configured;
        }
        Long size = table.get().tableSizeBytes();
        long bySize = size == null ? 1 : (size + BYTES_PER_SEGMENT - 1) / BYTES_PER_SEGMENT;
        long segments = Math.max((long) SEGMENTS_PER_SUBTASK * Math.max(1, parallelism), bySize);
        return (int) Math.min(MAX_SEGMENTS, segments);
    }
}
