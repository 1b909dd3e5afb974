package io.github.ddbstreams.flink.source.enumerator;

import org.apache.flink.metrics.MetricGroup;

/**
 * The enumerator's gauges, in a {@code dynamodbStreams} group of its metric group. Shard counts are
 * published by the coordinator thread after each change ({@link #update}), because the metric
 * reporter thread must not read the (not thread-safe) shard graph.
 */
final class EnumeratorMetrics {
    private volatile int shardsAssigned;
    private volatile int shardsReady;
    private volatile int shardsPendingOnParent;
    private volatile int shardsFinished;

    EnumeratorMetrics(MetricGroup parent, ShardDiscovery discovery) {
        MetricGroup group = parent.addGroup("dynamodbStreams");
        group.gauge("shardsAssigned", () -> shardsAssigned);
        group.gauge("shardsReady", () -> shardsReady);
        group.gauge("shardsPendingOnParent", () -> shardsPendingOnParent);
        group.gauge("shardsFinished", () -> shardsFinished);
        group.gauge("discoveryDurationMillis", discovery::lastListingDurationMillis);
        group.gauge("describeStreamCalls", discovery::describeStreamCalls);
        group.gauge("describeStreamThrottled", discovery::throttledDescribeStreamCalls);
    }

    void update(ShardGraph graph) {
        shardsAssigned = graph.count(ShardStatus.ASSIGNED);
        shardsReady = graph.readyCount();
        shardsPendingOnParent = graph.count(ShardStatus.UNASSIGNED) - shardsReady;
        shardsFinished = graph.count(ShardStatus.FINISHED);
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
}
