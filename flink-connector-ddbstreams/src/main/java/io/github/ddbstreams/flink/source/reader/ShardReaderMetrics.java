package io.github.ddbstreams.flink.source.reader;

import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Counters of one reader's AWS traffic and of the faults it absorbed, in the reader's metric group.
 * Incremented by the polling threads and, for deserialization errors, the task thread.
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
        getRecordsCalls = g.counter("getRecordsCalls", new ThreadSafeSimpleCounter());
        emptyPolls = g.counter("emptyPolls", new ThreadSafeSimpleCounter());
        retriedErrors = g.counter("retriedErrors", new ThreadSafeSimpleCounter());
        expiredIterators = g.counter("expiredIterators", new ThreadSafeSimpleCounter());
        trimmedDataSkips = g.counter("trimmedDataSkips", new ThreadSafeSimpleCounter());
        shardsGone = g.counter("shardsGone", new ThreadSafeSimpleCounter());
        deserializationErrors = g.counter("deserializationErrors", new ThreadSafeSimpleCounter());
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
