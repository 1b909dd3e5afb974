package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Benchmark 2, steady latency: items written to DynamoDB Local at a fixed rate, each carrying its
 * write time ({@code System.nanoTime()} just before {@code PutItem}, same JVM), read by an
 * unbounded job from {@code LATEST} with default settings. The figure is write-to-emit latency
 * p50/p99/max; the baseline is the idle poll interval, which bounds how long a record of an idle
 * shard waits for its next poll. Target: p99 <= interval + 200 ms.
 */
final class SteadyLatencyBenchmark {
    static final String WRITE_TIME = "t";
    private static final int WRITES_PER_SECOND = 20;

    private SteadyLatencyBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        Duration measure = Duration.ofSeconds(mode.pick(20, 120));
        long intervalMillis =
                new Configuration().get(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL).toMillis();
        EmitStats stats = EmitStats.open();
        try (DynamoDbLocal local = DynamoDbLocal.start()) {
            String arn = local.createTable("latency", StreamViewType.NEW_AND_OLD_IMAGES);
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .streamArn(arn)
                            .startingPosition(StartingPosition.latest())
                            .awsConfig(local.awsConfig())
                            .build();
            JobClient job = BenchJobs.start(source, 1, stats, WRITE_TIME);
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            Queue<Long> writeTimes = new ConcurrentLinkedQueue<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try {
                writer.scheduleAtFixedRate(
                        () -> write(local, writeTimes, failure),
                        0,
                        1_000_000 / WRITES_PER_SECOND,
                        TimeUnit.MICROSECONDS);
                // Warm-up: until the job emits, so start-up is not measured.
                BenchJobs.await(
                        job, () -> stats.total.get() > 0, Duration.ofSeconds(60), "first record");
                Thread.sleep(2000);
                long sampleFrom = System.nanoTime();
                stats.sampleWrittenAfterNanos = sampleFrom;
                Thread.sleep(measure.toMillis());
                long stopAt = System.nanoTime();
                writer.shutdown();
                writer.awaitTermination(10, TimeUnit.SECONDS);
                if (failure.get() != null) {
                    throw new IllegalStateException("writes failed", failure.get());
                }
                // Writes started with the job, so the first ones can precede the point LATEST
                // fixed at the job's first listing: those are rightly never read. Wait for the
                // last write itself, not for a count of all writes.
                long lastWrite = writeTimes.stream().mapToLong(Long::longValue).max().orElseThrow();
                BenchJobs.await(
                        job,
                        () -> lastWriteEmitted(stats) >= lastWrite,
                        Duration.ofSeconds(30),
                        "the last of " + writeTimes.size() + " writes");
                checkExactlyOnceAfterStart(stats, writeTimes, log);
                List<Long> latencies = new ArrayList<>();
                for (long[] sample : stats.latencies) {
                    if (sample[0] <= stopAt) {
                        latencies.add(sample[1] / 1_000_000);
                    }
                }
                long writtenInWindow =
                        writeTimes.stream().filter(t -> t >= sampleFrom && t <= stopAt).count();
                if (latencies.size() != writtenInWindow) {
                    throw new IllegalStateException(
                            latencies.size()
                                    + " records emitted of the "
                                    + writtenInWindow
                                    + " written in the measured window");
                }
                Samples samples = new Samples(latencies);
                log.printf(
                        "latency: %d samples at %d writes/s, idle poll interval %d ms%n",
                        samples.size(), WRITES_PER_SECOND, intervalMillis);
                String name =
                        String.format("latency/dynamodb-local %d writes/s", WRITES_PER_SECOND);
                String base = "idle poll interval";
                double p99 = samples.percentile(99);
                List<BenchResult> results = new ArrayList<>();
                results.add(
                        new BenchResult(
                                name,
                                "write-to-emit p50 (" + samples.size() + " samples)",
                                samples.percentile(50),
                                "ms",
                                base,
                                intervalMillis,
                                "",
                                null));
                results.add(
                        new BenchResult(
                                name,
                                "write-to-emit p99",
                                p99,
                                "ms",
                                base,
                                intervalMillis,
                                "<= interval + 200 ms",
                                p99 <= intervalMillis + 200));
                results.add(
                        new BenchResult(
                                name,
                                "p99 - idle poll interval",
                                p99 - intervalMillis,
                                "ms",
                                "allowed excess",
                                200,
                                "<= 200 ms",
                                p99 - intervalMillis <= 200));
                results.add(
                        new BenchResult(
                                name,
                                "write-to-emit max",
                                samples.max(),
                                "ms",
                                base,
                                intervalMillis,
                                "",
                                null));
                return results;
            } finally {
                writer.shutdownNow();
                BenchJobs.cancel(job);
            }
        } finally {
            stats.close();
        }
    }

    /** The newest write time emitted so far (records of a shard are emitted in order). */
    private static long lastWriteEmitted(EmitStats stats) {
        return stats.shards.values().stream()
                .mapToLong(times -> times.lastWrite)
                .max()
                .orElse(Long.MIN_VALUE);
    }

    /**
     * Every write from the job's LATEST point on (the first record it emitted) must have been
     * emitted exactly once: the emitted count equals the count of writes from then on.
     */
    private static void checkExactlyOnceAfterStart(
            EmitStats stats, Queue<Long> writeTimes, PrintStream log) {
        long firstRead =
                stats.shards.values().stream()
                        .mapToLong(times -> times.firstWrite)
                        .min()
                        .orElseThrow();
        long before = writeTimes.stream().filter(t -> t < firstRead).count();
        long after = writeTimes.size() - before;
        log.printf(
                "latency: %d writes, %d of them before the job's LATEST point, %d emitted%n",
                writeTimes.size(), before, stats.total.get());
        if (stats.total.get() != after) {
            throw new IllegalStateException(
                    stats.total.get()
                            + " records emitted, but "
                            + after
                            + " were written from the first emitted record on");
        }
    }

    private static void write(
            DynamoDbLocal local, Queue<Long> writeTimes, AtomicReference<Throwable> failure) {
        try {
            long now = System.nanoTime();
            local.putItem(
                    "latency",
                    Map.of(
                            DynamoDbLocal.HASH_KEY,
                            AttributeValue.fromS("item-" + (writeTimes.size() % 100)),
                            WRITE_TIME,
                            AttributeValue.fromN(Long.toString(now))));
            writeTimes.add(now);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }
}
