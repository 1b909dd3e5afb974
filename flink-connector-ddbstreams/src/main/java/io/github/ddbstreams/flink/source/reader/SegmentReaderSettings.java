package io.github.ddbstreams.flink.source.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;

/**
 * How one reader reads its Scan segments: the page size, its share of the snapshot's read-unit
 * budget, and the retry settings it shares with shards.
 */
@Internal
public final class SegmentReaderSettings {

    private final int pageSize;
    private final double readUnitsPerSecond;
    private final ShardReaderSettings retries;

    private SegmentReaderSettings(
            int pageSize, double readUnitsPerSecond, ShardReaderSettings retries) {
        this.pageSize = pageSize;
        this.readUnitsPerSecond = readUnitsPerSecond;
        this.retries = retries;
    }

    /**
     * Settings with the retries of {@code config}, pages of {@code pageSize} items and this
     * reader's share of the read-unit budget ({@code readUnitsPerSecond}; 0 for none).
     */
    public static SegmentReaderSettings of(
            Configuration config, int pageSize, double readUnitsPerSecond) {
        if (pageSize < 1 || readUnitsPerSecond < 0) {
            throw new IllegalArgumentException(
                    "A Scan page holds at least 1 item and a read-unit budget is not negative: "
                            + pageSize
                            + ", "
                            + readUnitsPerSecond);
        }
        return new SegmentReaderSettings(
                pageSize, readUnitsPerSecond, ShardReaderSettings.unbounded(config));
    }

    int pageSize() {
        return pageSize;
    }

    /** This reader's share of the budget; 0: none. */
    double readUnitsPerSecond() {
        return readUnitsPerSecond;
    }

    boolean shouldGiveUp(long failingForNanos) {
        return retries.shouldGiveUp(failingForNanos);
    }

    long backOffNanos(int failures) {
        return retries.backOffNanos(failures);
    }
}
