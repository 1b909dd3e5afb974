package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongPredicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Benchmark 7, snapshot then stream, on DynamoDB Local with a table of N items:
 *
 * <ol>
 *   <li>Snapshot rate: a {@code bounded()} {@code initialSnapshot()} job (parallelism 2, 8
 *       segments, no budget) in items per second, first to last row, against {@link RawScan} with
 *       as many threads, the same segments and page size: after an unreported warm-up of each,
 *       three rounds of the job then the raw loop, the best run of each compared.
 *   <li>Stream latency: a snapshot-then-stream job ({@code addTo}) with a read-unit budget that
 *       stretches its snapshot over a few seconds; items are written at a steady rate from its
 *       first Scan page on, each with its write time; write-to-emit latency of the changes at the
 *       merge's output while the Scan runs, against the same job's once every snapshot row is out.
 *       The writes pause between the two (see below); every write must come out once.
 *   <li>Memory: the merge's peak {@code snapshotRowsHeld} (summed over subtasks, sampled every 10
 *       ms) against the bound the docs state (scan rate x (max stream lag + caught-up margin + idle
 *       poll + 1 s)), with the stream's creation times at AWS's precision ({@link
 *       SecondPrecisionStreamsClient}), and the heap used with the job still running after the run,
 *       against the heap before it.
 * </ol>
 */
final class SnapshotBenchmark {
    static final double TARGET_RATIO = 0.9;
    static final String WRITE_TIME = "ts";
    static final String TABLE = "snapshot";
    static final int PARALLELISM = 2;
    static final int SEGMENTS = 8;
    static final int PAGE_SIZE = 1000;
    private static final int PAYLOAD_BYTES = 300;
    private static final int WRITES_PER_SECOND = 20;

    private SnapshotBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        int items = mode.pick(20_000, 200_000);
        try (DynamoDbLocal local = DynamoDbLocal.start()) {
            long loadStart = System.nanoTime();
            local.createTable(TABLE, null);
            load(local, items);
            local.enableStream(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
            log.printf(
                    "snapshot: loaded %,d items in %d ms%n",
                    items, (System.nanoTime() - loadStart) / 1_000_000);
            List<BenchResult> results = new ArrayList<>();
            RawScan baseline = SnapshotRate.run(local, items, log, results);
            latency(local, items, baseline, mode, log, results);
            return results;
        }
    }

    /** A snapshot source of the benchmark's table, with its segments and page size. */
    static DynamoDbStreamsSourceBuilder<ChangeEvent> source(DynamoDbLocal local) {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .tableName(TABLE)
                .startingPosition(StartingPosition.initialSnapshot())
                .awsConfig(local.awsConfig())
                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS, SEGMENTS)
                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, PAGE_SIZE);
    }

    /** Parts 2 and 3. */
    private static void latency(
            DynamoDbLocal local,
            int items,
            RawScan baseline,
            BenchMode mode,
            PrintStream log,
            List<BenchResult> results)
            throws Exception {
        Duration snapshotFor = Duration.ofSeconds(mode.pick(8, 60));
        Duration afterFor = Duration.ofSeconds(mode.pick(8, 60));
        Configuration defaults = new Configuration();
        long pollMillis = defaults.get(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL).toMillis();
        // The budget that spreads the table's read units over the wanted duration.
        double budget = baseline.readUnits / snapshotFor.toSeconds();
        // AWS's creation times have whole seconds, DynamoDB Local's whole minutes: with the
        // latter the merge's progress clock would move a minute at a time while changes arrive.
        DynamoDbStreamsSourceBuilder<ChangeEvent> builder =
                source(local).streamsClientFactory(SecondPrecisionStreamsClient.factory());
        if (budget > 0) {
            builder.setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND, budget);
        }
        DynamoDbStreamsSource<ChangeEvent> source = builder.build();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        BenchMetrics.addTo(conf);
        BenchMetrics.clear();
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        EmitStats stats = EmitStats.open();
        source.addTo(env, WatermarkStrategy.noWatermarks(), "snapshot")
                .filter(new EmitProbe(stats.runId, WRITE_TIME, true))
                .name("probe")
                .sinkTo(new DiscardingSink<>())
                .name("discard");

        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        AtomicLong peakHeld = new AtomicLong();
        AtomicBoolean writing = new AtomicBoolean(true);
        Queue<Long> writeTimes = new ConcurrentLinkedQueue<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        System.gc();
        System.gc();
        long heapBefore = usedHeap();
        JobClient job = env.executeAsync("bench-snapshot-then-stream");
        try {
            sampler.scheduleAtFixedRate(
                    () ->
                            peakHeld.accumulateAndGet(
                                    BenchMetrics.sum("snapshotRowsHeld"), Math::max),
                    0,
                    10,
                    TimeUnit.MILLISECONDS);
            // The stream's positions are fixed before the first Scan page: writes from then on
            // must all come out.
            BenchJobs.await(
                    job,
                    () -> BenchMetrics.sum("snapshotScanCalls") > 0,
                    Duration.ofSeconds(60),
                    "the first Scan page");
            long scanStart = System.nanoTime();
            stats.sampleWrittenAfterNanos = scanStart;
            Random random = new Random(13);
            writer.scheduleAtFixedRate(
                    () -> {
                        if (writing.get()) {
                            write(local, items, random, writeTimes, failure);
                        }
                    },
                    0,
                    1_000_000 / WRITES_PER_SECOND,
                    TimeUnit.MICROSECONDS);
            BenchJobs.await(
                    job,
                    () -> BenchMetrics.sum("snapshotItemsScanned") >= items,
                    snapshotFor.multipliedBy(6).plusSeconds(60),
                    "the end of the Scan");
            long scanEnd = System.nanoTime();
            // The changes after the snapshot are measured from the moment every row is out.
            writing.set(false);
            BenchJobs.await(
                    job,
                    () -> stats.snapshotRows.get() >= items,
                    Duration.ofSeconds(120),
                    "every snapshot row");
            long released = System.nanoTime();
            writing.set(true);
            Thread.sleep(afterFor.toMillis());
            long stopAt = System.nanoTime();
            writer.shutdown();
            writer.awaitTermination(10, TimeUnit.SECONDS);
            if (failure.get() != null) {
                throw new IllegalStateException("writes failed", failure.get());
            }
            BenchJobs.await(
                    job,
                    () -> stats.total.get() >= writeTimes.size(),
                    Duration.ofSeconds(30),
                    "the " + writeTimes.size() + " changes written");
            Thread.sleep(500); // a change emitted twice would come now
            if (stats.total.get() != writeTimes.size() || stats.snapshotRows.get() != items) {
                throw new IllegalStateException(
                        String.format(
                                "%d changes and %d snapshot rows emitted; %d changes written to"
                                        + " %d items",
                                stats.total.get(),
                                stats.snapshotRows.get(),
                                writeTimes.size(),
                                items));
            }
            sampler.shutdown();
            sampler.awaitTermination(10, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            long heapAfter = usedHeap();

            Samples during = latencies(stats, t -> t >= scanStart && t <= scanEnd);
            Samples afterwards = latencies(stats, t -> t >= released && t <= stopAt);
            double scanSeconds = (scanEnd - scanStart) / 1e9;
            double scanRate = items / scanSeconds;
            log.printf(
                    "snapshot: budget %.1f read units/s, Scan %.1f s (%.0f items/s), all rows out"
                            + " %.1f s after it; %d changes written; merge: released %d, dropped"
                            + " %d, late changes repaired %d; heap %d MB before, %d MB after%n",
                    budget,
                    scanSeconds,
                    scanRate,
                    (released - scanEnd) / 1e9,
                    writeTimes.size(),
                    BenchMetrics.sum("snapshotRowsReleased"),
                    BenchMetrics.sum("snapshotRowsDroppedStreamHadItem"),
                    BenchMetrics.sum("snapshotLateChangesRepaired"),
                    heapBefore >> 20,
                    heapAfter >> 20);

            String name =
                    String.format(
                            "snapshot/dynamodb-local %,d items, p=%d, addTo, %d writes/s",
                            items, PARALLELISM, WRITES_PER_SECOND);
            String baseName = "after the snapshot (" + afterwards.size() + " samples)";
            double p99 = during.percentile(99);
            results.add(
                    new BenchResult(
                            name,
                            "write-to-emit p50 during the Scan (" + during.size() + " samples)",
                            during.percentile(50),
                            "ms",
                            baseName,
                            afterwards.percentile(50),
                            "",
                            null));
            results.add(
                    new BenchResult(
                            name,
                            "write-to-emit p99 during the Scan",
                            p99,
                            "ms",
                            baseName,
                            afterwards.percentile(99),
                            "<= idle poll interval + 200 ms",
                            p99 <= pollMillis + 200));
            // A row waits until every shard's clock passed its read time plus the maximum stream
            // lag; a caught-up shard's clock is the wall clock less the margin, moved at each
            // idle poll, in whole seconds.
            double holdSeconds =
                    (defaults.get(DynamoDbStreamsSourceOptions.SNAPSHOT_MAX_STREAM_LAG).toMillis()
                                    + defaults.get(
                                                    DynamoDbStreamsSourceOptions
                                                            .WATERMARK_CAUGHT_UP_MARGIN)
                                            .toMillis()
                                    + pollMillis
                                    + 1_000)
                            / 1e3;
            double bound = scanRate * holdSeconds;
            results.add(
                    new BenchResult(
                            name,
                            "peak snapshot rows held by the merge (items: " + items + ")",
                            peakHeld.get(),
                            "rows",
                            String.format(
                                    "scan rate x (lag + margin + poll + 1 s) = %.0f/s x %.0f s",
                                    scanRate, holdSeconds),
                            bound,
                            "<= bound",
                            peakHeld.get() <= bound));
            results.add(
                    new BenchResult(
                            name,
                            "heap used after the run, job running",
                            (heapAfter >> 10) / 1024.0,
                            "MB",
                            "heap before the job",
                            (heapBefore >> 10) / 1024.0,
                            "",
                            null));
        } finally {
            writer.shutdownNow();
            sampler.shutdownNow();
            BenchJobs.cancel(job);
            stats.close();
        }
    }

    private static Samples latencies(EmitStats stats, LongPredicate writtenIn) {
        List<Long> millis = new ArrayList<>();
        for (long[] sample : stats.latencies) {
            if (writtenIn.test(sample[0])) {
                millis.add(sample[1] / 1_000_000);
            }
        }
        return new Samples(millis);
    }

    private static long usedHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** One write: mostly an update of a loaded item, sometimes a new item. */
    private static void write(
            DynamoDbLocal local,
            int items,
            Random random,
            Queue<Long> writeTimes,
            AtomicReference<Throwable> failure) {
        try {
            String key =
                    random.nextInt(5) == 0
                            ? "new-" + writeTimes.size()
                            : "item-" + random.nextInt(items);
            long now = System.nanoTime();
            local.putItem(
                    TABLE,
                    Map.of(
                            DynamoDbLocal.HASH_KEY,
                            AttributeValue.fromS(key),
                            WRITE_TIME,
                            AttributeValue.fromN(Long.toString(now)),
                            "payload",
                            AttributeValue.fromS("y".repeat(PAYLOAD_BYTES))));
            writeTimes.add(now);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Writes items 0 to count - 1 with BatchWriteItem on two threads. */
    private static void load(DynamoDbLocal local, int count) throws Exception {
        String payload = "x".repeat(PAYLOAD_BYTES);
        local.loadItems(
                TABLE,
                0,
                count,
                i ->
                        Map.of(
                                DynamoDbLocal.HASH_KEY,
                                AttributeValue.fromS("item-" + i),
                                "value",
                                AttributeValue.fromN(Integer.toString(i)),
                                "payload",
                                AttributeValue.fromS(payload)));
    }
}
