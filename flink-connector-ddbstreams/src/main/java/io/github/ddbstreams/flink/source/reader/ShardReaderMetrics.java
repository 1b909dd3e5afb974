package io.github.ddbstreams.flink.source.reader;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.runtime.metrics.MetricNames;
import org.apache.flink.runtime.metrics.groups.AbstractMetricGroup;

/**
 * Counters of one reader's AWS traffic and of the faults it absorbed, in the reader's metric group.
 * Incremented by the polling threads and, for deserialization errors, the task thread.
 */
@Internal
public final class ShardReaderMetrics {
    final Counter getRecordsCalls;
    final Counter emptyPolls;
    final Counter retriedErrors;
    final Counter throttledCalls;
    final Counter expiredIterators;
    final Counter trimmedDataSkips;
    final Counter shardsGone;
    final Counter deserializationErrors;
    final Counter caughtUpWatermarks;

    private final MetricGroup group;

    /** Flink's numBytesIn (FLIP-33), fed with the records' SizeBytes; a no-op until set. */
    private volatile Counter numBytesIn = new SimpleCounter();

    /** Flink's numRecordsIn, which counts every element, caught-up ticks too; none until set. */
    private volatile Counter numRecordsIn = new SimpleCounter();

    /** Lag of the last fetched record (FLIP-33 currentFetchEventTimeLag); -1 before any. */
    private volatile long fetchEventTimeLagMillis = -1;

    /** Bytes the current split reader holds; a reader replaced when idle hands over to the next. */
    private volatile LongSupplier bufferedBytes = () -> 0L;

    /** Shards the current split reader holds paused for watermark alignment. */
    private volatile IntSupplier pausedShards = () -> 0;

    /** The shards this reader polls now, for the subtask's millisBehindLatest (their maximum). */
    private final Set<ShardCursor> shards = ConcurrentHashMap.newKeySet();

    /** Each polled shard's own metric group, closed once the shard is finished. */
    private final Map<ShardCursor, MetricGroup> shardGroups = new ConcurrentHashMap<>();

    public ShardReaderMetrics(MetricGroup group) {
        MetricGroup g = group.addGroup("dynamodbStreams");
        this.group = g;
        group.gauge(MetricNames.CURRENT_FETCH_EVENT_TIME_LAG, () -> fetchEventTimeLagMillis);
        g.gauge("millisBehindLatest", this::maxMillisBehindLatest);
        g.gauge("shardsRead", shards::size);
        g.gauge("bufferedBytes", () -> bufferedBytes.getAsLong());
        g.gauge("shardsPaused", () -> pausedShards.getAsInt());
        g.gauge("shardsCaughtUp", this::caughtUpShards);
        getRecordsCalls = g.counter("getRecordsCalls", new ThreadSafeSimpleCounter());
        emptyPolls = g.counter("emptyPolls", new ThreadSafeSimpleCounter());
        retriedErrors = g.counter("retriedErrors", new ThreadSafeSimpleCounter());
        throttledCalls = g.counter("throttledCalls", new ThreadSafeSimpleCounter());
        expiredIterators = g.counter("expiredIterators", new ThreadSafeSimpleCounter());
        trimmedDataSkips = g.counter("trimmedDataSkips", new ThreadSafeSimpleCounter());
        shardsGone = g.counter("shardsGone", new ThreadSafeSimpleCounter());
        deserializationErrors = g.counter("deserializationErrors", new ThreadSafeSimpleCounter());
        caughtUpWatermarks = g.counter("caughtUpWatermarks", new ThreadSafeSimpleCounter());
    }

    /**
     * Adds a shard's own {@code millisBehindLatest} gauge (in a {@code shardId} subgroup) and
     * counts it in the subtask's maximum until it finishes.
     */
    void registerShard(ShardCursor cursor) {
        shards.add(cursor);
        MetricGroup shardGroup = group.addGroup("shardId", cursor.shardId());
        shardGroup.gauge("millisBehindLatest", cursor::millisBehindLatest);
        shardGroups.put(cursor, shardGroup);
    }

    /**
     * Drops a finished shard from the subtask's maximum and its gauge from the reporters: a stream
     * rolls every shard over about every 4 hours, so gauges of finished shards would pile up in
     * every reporter (thousands a day on a large table) for as long as the job runs.
     */
    void shardFinished(ShardCursor cursor) {
        shards.remove(cursor);
        MetricGroup shardGroup = shardGroups.remove(cursor);
        // MetricGroup has no public way to remove a metric; Flink's own groups can be closed,
        // which unregisters their metrics from every reporter.
        if (shardGroup instanceof AbstractMetricGroup) {
            ((AbstractMetricGroup<?>) shardGroup).close();
        }
    }

    /** Counts emitted records' sizes into Flink's standard {@code numBytesIn}. */
    public void countBytesInto(Counter numBytesIn) {
        this.numBytesIn = numBytesIn;
    }

    /**
     * Takes caught-up ticks back out of Flink's standard {@code numRecordsIn}: Flink's reader
     * counts every element a fetch hands on, and a tick is no record.
     */
    public void uncountTicksFrom(Counter numRecordsIn) {
        this.numRecordsIn = numRecordsIn;
    }

    /** A caught-up tick was handled; {@code emitted}: its watermark went to Flink. */
    void caughtUpTick(boolean emitted) {
        numRecordsIn.dec();
        if (emitted) {
            caughtUpWatermarks.inc();
        }
    }

    void bytesIn(long bytes) {
        numBytesIn.inc(bytes);
    }

    /** Reports this split reader's buffered bytes in the {@code bufferedBytes} gauge. */
    void pausedShardsOf(IntSupplier shards) {
        pausedShards = shards;
    }

    void bufferedBytesOf(LongSupplier bytes) {
        this.bufferedBytes = bytes;
    }

    void recordFetched(long lagMillis) {
        fetchEventTimeLagMillis = lagMillis;
    }

    /** The largest lag over the shards this reader polls now; 0 if none. */
    public long maxMillisBehindLatest() {
        long max = 0;
        for (ShardCursor cursor : shards) {
            max = Math.max(max, cursor.millisBehindLatest());
        }
        return max;
    }

    /** Metrics that go nowhere; for tests that do not look at them. */
    public static ShardReaderMetrics unregistered() {
        return new ShardReaderMetrics(new UnregisteredMetricsGroup());
    }

    /** Shards read now whose last page was empty at their tip (gauge {@code shardsCaughtUp}). */
    public int caughtUpShards() {
        int caughtUp = 0;
        for (ShardCursor shard : shards) {
            if (shard.caughtUp()) {
                caughtUp++;
            }
        }
        return caughtUp;
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

    /** The throttled ones among {@link #retriedErrors()}. */
    public long throttledCalls() {
        return throttledCalls.getCount();
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

    /** Watermarks of caught-up shards handed to Flink. */
    public long caughtUpWatermarks() {
        return caughtUpWatermarks.getCount();
    }
}
