package io.github.ddbstreams.flink.source.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Counters of one reader's AWS traffic and of the faults it absorbed, in the reader's metric group.
 * Incremented on the fetcher thread (and, for deserialization errors, the task thread), each
 * counter by one thread only.
 */
@Internal
public final class ShardReaderMetrics {
    final Counter getRecordsCalls;
    final Counter emptyPolls;
    final Counter retriedErrors;
    final Counter expiredIterators;
    final Counter trimmedDataSkips;
    final Counter shardsGone;
    final Counter deserializationErrors;

    public ShardReaderMetrics(MetricGroup group) {
        MetricGroup g = group.addGroup("dynamodbStreams");
        getRecordsCalls = g.counter("getRecordsCalls");
        emptyPolls = g.counter("emptyPolls");
        retriedErrors = g.counter("retriedErrors");
        expiredIterators = g.counter("expiredIterators");
        trimmedDataSkips = g.counter("trimmedDataSkips");
        shardsGone = g.counter("shardsGone");
        deserializationErrors = g.counter("deserializationErrors");
    }

    /** Metrics that go nowhere; for tests that do not look at them. */
    public static ShardReaderMetrics unregistered() {
        return new ShardReaderMetrics(new UnregisteredMetricsGroup());
    }

    public long getRecordsCalls() {
        return getRecordsCalls.getCount();
    }

    public long emptyPolls() {
        return emptyPolls.getCount();
    }

    public long retriedErrors() {
        return retriedErrors.getCount();
    }

    public long expiredIterators() {
        return expiredIterators.getCount();
    }

    public long trimmedDataSkips() {
        return trimmedDataSkips.getCount();
    }

    public long shardsGone() {
        return shardsGone.getCount();
    }

    public long deserializationErrors() {
        return deserializationErrors.getCount();
    }
}
