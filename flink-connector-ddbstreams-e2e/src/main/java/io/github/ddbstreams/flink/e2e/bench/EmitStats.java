package io.github.ddbstreams.flink.e2e.bench;

import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What an {@link EmitProbe} saw in one benchmark job: records per subtask with the first and last
 * emit time, per shard the first and last emit (and write) time, and write-to-emit latencies. The
 * job runs on a mini cluster in this JVM, so the probe finds its run here by id. All times are
 * {@link System#nanoTime()}.
 */
final class EmitStats {
    private static final Map<String, EmitStats> RUNS = new ConcurrentHashMap<>();
    private static final int MAX_SUBTASKS = 16;

    final String runId = UUID.randomUUID().toString();
    final AtomicLongArray countBySubtask = new AtomicLongArray(MAX_SUBTASKS);
    final AtomicLongArray firstEmitBySubtask = new AtomicLongArray(MAX_SUBTASKS);
    final AtomicLongArray lastEmitBySubtask = new AtomicLongArray(MAX_SUBTASKS);
    final Map<String, ShardTimes> shards = new ConcurrentHashMap<>();
    final Queue<long[]> latencies = new ConcurrentLinkedQueue<>();
    final AtomicLong total = new AtomicLong();

    /** Snapshot rows seen by a probe that times only changes. */
    final AtomicLong snapshotRows = new AtomicLong();

    /** Write times below this are not sampled for latency (the warm-up). */
    volatile long sampleWrittenAfterNanos = Long.MAX_VALUE;

    /** First and last record of one shard: emit and write time. */
    static final class ShardTimes {
        volatile long firstEmit;
        volatile long lastEmit;
        volatile long firstWrite;
        volatile long lastWrite;
    }

    static EmitStats open() {
        EmitStats stats = new EmitStats();
        RUNS.put(stats.runId, stats);
        return stats;
    }

    static EmitStats get(String runId) {
        EmitStats stats = RUNS.get(runId);
        if (stats == null) {
            throw new IllegalStateException("No benchmark run " + runId + " in this JVM");
        }
        return stats;
    }

    void close() {
        RUNS.remove(runId);
    }

    /** Called by the probe for every record, on the subtask's task thread. */
    void emitted(int subtask, String shardId, long nowNanos, long writeNanos) {
        total.incrementAndGet();
        if (countBySubtask.getAndIncrement(subtask) == 0) {
            firstEmitBySubtask.set(subtask, nowNanos);
        }
        lastEmitBySubtask.set(subtask, nowNanos);
        ShardTimes times = shards.get(shardId);
        if (times == null) {
            times = new ShardTimes();
            times.firstEmit = nowNanos;
            times.firstWrite = writeNanos;
            shards.put(shardId, times);
        }
        times.lastEmit = nowNanos;
        times.lastWrite = writeNanos;
        if (writeNanos >= sampleWrittenAfterNanos) {
            latencies.add(new long[] {writeNanos, nowNanos - writeNanos});
        }
    }

    /** Records per second of all subtasks together, first to last record emitted by any. */
    double totalRate() {
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        for (int i = 0; i < MAX_SUBTASKS; i++) {
            if (countBySubtask.get(i) > 0) {
                first = Math.min(first, firstEmitBySubtask.get(i));
                last = Math.max(last, lastEmitBySubtask.get(i));
            }
        }
        long count = total.get();
        return count < 2 || last <= first ? Double.NaN : (count - 1) * 1e9 / (last - first);
    }

    /** Records per second of one subtask, first to last record emitted; NaN under 2 records. */
    double rate(int subtask) {
        long count = countBySubtask.get(subtask);
        long span = lastEmitBySubtask.get(subtask) - firstEmitBySubtask.get(subtask);
        return count < 2 || span <= 0 ? Double.NaN : (count - 1) * 1e9 / span;
    }
}
