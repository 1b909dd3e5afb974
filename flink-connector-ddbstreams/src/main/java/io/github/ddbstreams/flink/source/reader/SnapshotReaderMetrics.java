package io.github.ddbstreams.flink.source.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Counters of one reader's snapshot (Scan) traffic, in the reader's {@code dynamodbStreams} metric
 * group: {@code snapshotItemsScanned}, {@code snapshotBytesScanned}, {@code snapshotScanCalls},
 * {@code snapshotThrottledScans} and the gauge {@code snapshotReadUnits} (read capacity units the
 * Scans consumed).
 */
@Internal
public final class SnapshotReaderMetrics {
    private final Counter itemsScanned;
    private final Counter scanCalls;
    private final Counter bytesScanned;
    private final Counter throttledScans;
    private volatile double readUnits;

    public SnapshotReaderMetrics(MetricGroup group) {
        MetricGroup g = group.addGroup("dynamodbStreams");
        itemsScanned = g.counter("snapshotItemsScanned", new ThreadSafeSimpleCounter());
        scanCalls = g.counter("snapshotScanCalls", new ThreadSafeSimpleCounter());
        bytesScanned = g.counter("snapshotBytesScanned", new ThreadSafeSimpleCounter());
        throttledScans = g.counter("snapshotThrottledScans", new ThreadSafeSimpleCounter());
        g.gauge("snapshotReadUnits", () -> readUnits);
    }

    /** Metrics registered nowhere, for tests and tools. */
    public static SnapshotReaderMetrics unregistered() {
        return new SnapshotReaderMetrics(new UnregisteredMetricsGroup());
    }

    /**
     * One Scan page read: its items, their size ({@code SizeBytes} of the rows) and the read units
     * it consumed. Fetcher thread only.
     */
    void page(int items, long bytes, double units) {
        scanCalls.inc();
        itemsScanned.inc(items);
        bytesScanned.inc(bytes);
        readUnits += units;
    }

    void throttled() {
        throttledScans.inc();
    }

    long itemsScanned() {
        return itemsScanned.getCount();
    }

    long bytesScanned() {
        return bytesScanned.getCount();
    }

    long throttledScans() {
        return throttledScans.getCount();
    }

    double readUnits() {
        return readUnits;
    }
}
