package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.core.execution.JobClient;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The demo against an embedded DynamoDB Local: one table with a {@code NEW_AND_OLD_IMAGES} stream,
 * holding every item before the job starts, a background writer, periodic shard rollovers, and the
 * Flink job reading the table snapshot then stream ({@code StartingPosition.initialSnapshot()}).
 * After the writing time the job gets a moment to catch up, then it is cancelled.
 */
final class LocalDemo {

    static final String TABLE = "demo_orders";

    /** How long the job may take to print what was written once writing has stopped. */
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

    /** Waited after catching up, so that a duplicate would have time to show. */
    private static final Duration SETTLE_TIME = Duration.ofSeconds(1);

    private LocalDemo() {}

    /**
     * Runs the demo for {@code settings.duration} of writing and returns what was written and what
     * the job received. Does not exit the JVM (DynamoDB Local leaves a non-daemon thread behind).
     */
    static DemoResult run(DemoSettings settings, PrintStream log) throws Exception {
        long startNanos = System.nanoTime();
        String runId = UUID.randomUUID().toString();
        ReceivedChanges.open(runId);
        try (DynamoDbLocal local = startQuietly()) {
            String streamArn = local.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
            log.printf(
                    "DynamoDB Local on %s, table %s, stream %s%n",
                    local.endpoint(), TABLE, streamArn);
            ChangeWriter writer =
                    new ChangeWriter(
                            local.dynamoDbClient(), TABLE, settings.keys, System.nanoTime());
            writer.prefill();
            log.printf(
                    "%d items in the table before the job starts; the job reads them (a snapshot)"
                            + " and then every change%n",
                    settings.keys);
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .streamArn(streamArn)
                            .startingPosition(StartingPosition.initialSnapshot())
                            .awsConfig(local.awsConfig())
                            .build();
            JobClient job = DemoPipeline.start(source, runId, settings.print);
            log.printf(
                    "Flink job %s started (parallelism %d, checkpoint every %d s); writing %d"
                            + " changes/s over %d items for %d s, rolling shards over every %d s%n",
                    job.getJobID(),
                    DemoPipeline.PARALLELISM,
                    DemoPipeline.CHECKPOINT_INTERVAL.toSeconds(),
                    settings.writesPerSecond,
                    settings.keys,
                    settings.duration.toSeconds(),
                    settings.rolloverEvery.toSeconds());

            AtomicInteger rollovers = new AtomicInteger();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            ScheduledExecutorService scheduler =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "demo-writer");
                                t.setDaemon(true);
                                return t;
                            });
            // Writes and rollovers share one thread, so a rollover falls between two writes.
            scheduler.scheduleAtFixedRate(
                    () -> {
                        try {
                            writer.writeOne();
                        } catch (Throwable t) {
                            writeFailure.compareAndSet(null, t);
                            throw t;
                        }
                    },
                    0,
                    1_000_000 / settings.writesPerSecond,
                    TimeUnit.MICROSECONDS);
            long rolloverMillis = settings.rolloverEvery.toMillis();
            scheduler.scheduleAtFixedRate(
                    () -> {
                        local.triggerShardRollovers();
                        log.printf(
                                "--- shard rollover #%d after %d writes: the open shard is closed"
                                        + " and a child opens ---%n",
                                rollovers.incrementAndGet(), writer.writtenCount());
                    },
                    rolloverMillis,
                    rolloverMillis,
                    TimeUnit.MILLISECONDS);

            try {
                long writeEnd = System.nanoTime() + settings.duration.toNanos();
                while (System.nanoTime() < writeEnd) {
                    failIfBroken(job, writeFailure);
                    Thread.sleep(
                            Math.min(200, Math.max(1, (writeEnd - System.nanoTime()) / 1_000_000)));
                }
            } finally {
                // Not shutdownNow: an interrupt would abort a write half-way, leaving it unknown
                // whether it happened.
                scheduler.shutdown();
                scheduler.awaitTermination(10, TimeUnit.SECONDS);
            }
            failIfBroken(job, writeFailure);

            int written = writer.writtenCount() - settings.keys;
            long writingDoneNanos = System.nanoTime();
            long catchUpEnd = writingDoneNanos + CATCH_UP_TIMEOUT.toNanos();
            while (!DemoResult.historiesExact(writer.written(), ReceivedChanges.snapshot(runId))
                    && System.nanoTime() < catchUpEnd) {
                DemoPipeline.checkRunning(job);
                Thread.sleep(50);
            }
            log.printf(
                    "Writing stopped after %d changes; %d ms later the job had printed every"
                            + " item's history up to the table's state: %s%n",
                    written,
                    (System.nanoTime() - writingDoneNanos) / 1_000_000,
                    DemoResult.historiesExact(writer.written(), ReceivedChanges.snapshot(runId))
                            ? "yes"
                            : "no");
            Thread.sleep(SETTLE_TIME.toMillis());
            DemoPipeline.checkRunning(job);
            DemoPipeline.cancel(job);
            return new DemoResult(
                    writer.written(),
                    ReceivedChanges.snapshot(runId),
                    rollovers.get(),
                    Duration.ofNanos(System.nanoTime() - startNanos));
        } finally {
            ReceivedChanges.close(runId);
        }
    }

    /** Starts DynamoDB Local without its start-up banner, which it prints on stdout. */
    private static DynamoDbLocal startQuietly() {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            return DynamoDbLocal.start();
        } finally {
            System.setOut(stdout);
        }
    }

    private static void failIfBroken(JobClient job, AtomicReference<Throwable> writeFailure)
            throws Exception {
        Throwable failure = writeFailure.get();
        if (failure != null) {
            throw new IllegalStateException("Writing to DynamoDB Local failed", failure);
        }
        DemoPipeline.checkRunning(job);
    }
}
