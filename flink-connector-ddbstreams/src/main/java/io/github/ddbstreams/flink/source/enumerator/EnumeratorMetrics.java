package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.enumerator.assign.SnapshotSegments;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardDiscovery;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import java.util.Collection;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/**
 * The enumerator's gauges, in a {@code dynamodbStreams} group of its metric group. Shard counts are
 * published by the coordinator thread after each change ({@link #update}), because the metric
 * reporter thread must not read the (not thread-safe) shard graph. A source that reads several
 * streams publishes totals over all of them (discovery duration: the longest of the last listings;
 * throttled DescribeStream calls: those of the pacer all streams share).
 */
final class EnumeratorMetrics {
    private volatile int shardsAssigned;
    private volatile int shardsReady;
    private volatile int shardsPendingOnParent;
    private volatile int shardsFinished;
    private volatile long streamsFollowed;
    private volatile int snapshotSegmentsTotal;
    private volatile int snapshotSegmentsFinished;
    private volatile long snapshotTableItems;
    private final DescribeStreamPacer pacer;

    /**
     * @param pacer the one pacer of all the discoveries' DescribeStream calls
     */
    EnumeratorMetrics(
            MetricGroup parent, Collection<ShardDiscovery> discoveries, DescribeStreamPacer pacer) {
        this.pacer = pacer;
        MetricGroup group = parent.addGroup("dynamodbStreams");
        group.gauge("shardsAssigned", () -> shardsAssigned);
        group.gauge("shardsReady", () -> shardsReady);
        group.gauge("shardsPendingOnParent", () -> shardsPendingOnParent);
        group.gauge("shardsFinished", () -> shardsFinished);
        group.gauge(
                "discoveryDurationMillis",
                () ->
                        discoveries.stream()
                                .mapToLong(ShardDiscovery::lastListingDurationMillis)
                                .max()
                                .orElse(0));
        group.gauge(
                "describeStreamCalls",
                () -> discoveries.stream().mapToLong(ShardDiscovery::describeStreamCalls).sum());
        // From the shared pacer itself: a sum over the discoveries would count it once per stream.
        group.gauge("describeStreamThrottled", pacer::throttledCalls);
        group.gauge("streamsFollowed", () -> streamsFollowed);
        group.gauge("snapshotSegmentsTotal", () -> snapshotSegmentsTotal);
        group.gauge("snapshotSegmentsFinished", () -> snapshotSegmentsFinished);
        group.gauge("snapshotTableItems", () -> snapshotTableItems);
    }

    /** The snapshots' segment counts, published like the shard counts (coordinator thread). */
    void updateSnapshots(Collection<SnapshotSegments> snapshots) {
        int total = 0;
        int finished = 0;
        for (SnapshotSegments snapshot : snapshots) {
            total += snapshot.getTotalSegments();
            finished += snapshot.readCount();
        }
        snapshotSegmentsTotal = total;
        snapshotSegmentsFinished = finished;
    }

    /**
     * A snapshot's table holds about {@code items} items (DescribeTable's ItemCount, which AWS
     * refreshes about every 6 hours): added to the gauge (coordinator thread).
     */
    void snapshotTableItems(long items) {
        snapshotTableItems += items;
    }

    long snapshotTableItems() {
        return snapshotTableItems;
    }

    int snapshotSegmentsTotal() {
        return snapshotSegmentsTotal;
    }

    int snapshotSegmentsFinished() {
        return snapshotSegmentsFinished;
    }

    /** A disabled stream's table got a new stream, now read too (coordinator thread). */
    void streamFollowed() {
        streamsFollowed++;
    }

    long streamsFollowed() {
        return streamsFollowed;
    }

    void update(ShardGraph graph) {
        update(List.of(graph));
    }

    void update(Collection<ShardGraph> graphs) {
        int assigned = 0;
        int ready = 0;
        int unassigned = 0;
        int finished = 0;
        for (ShardGraph graph : graphs) {
            assigned += graph.count(ShardStatus.ASSIGNED);
            ready += graph.readyCount();
            unassigned += graph.count(ShardStatus.UNASSIGNED);
            finished += graph.count(ShardStatus.FINISHED);
        }
        shardsAssigned = assigned;
        shardsReady = ready;
        shardsPendingOnParent = unassigned - ready;
        shardsFinished = finished;
    }

    int shardsAssigned() {
        return shardsAssigned;
    }

    int shardsReady() {
        return shardsReady;
    }

    int shardsPendingOnParent() {
        return shardsPendingOnParent;
    }

    int shardsFinished() {
        return shardsFinished;
    }

    long describeStreamThrottled() {
        return pacer.throttledCalls();
    }
}
