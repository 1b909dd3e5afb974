package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.SnapshotHistories;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Snapshot then stream at scale: a table of 50,000 items read by a snapshot-then-stream job whose
 * Scan a read-unit budget stretches over about 20 s, while 200 writes per second (updates, deletes,
 * new items) go to 2,000 of its keys and the stream's shard rolls over 3 times. Every item's rows
 * must form one history ending at the table's final state, with every change after its first
 * emitted state.
 */
class SnapshotThenStreamScaleITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final String TABLE = "scale";
    private static final int ITEMS = 50_000;

    /** Keys the workload writes; the first {@link #KEYS_BEFORE} exist before the job. */
    private static final int WRITTEN_KEYS = 2_000;

    private static final int KEYS_BEFORE = 1_600;
    private static final int STATIC_ITEMS = ITEMS - KEYS_BEFORE;
    private static final int PARALLELISM = 2;

    /** 200 writes per second: 20 every 100 ms, for 20 s, a rollover after each 5 s. */
    private static final int TICKS = 200;

    private static final int WRITES_PER_TICK = 20;
    private static final int ROLLOVER_EVERY_TICKS = 50;
    private static final Duration SCAN_FOR = Duration.ofSeconds(20);

    private static final Map<String, Queue<ChangeEvent>> EMITTED = new ConcurrentHashMap<>();

    @Test
    void fiftyThousandItemsWrittenAndRolledOverGiveOneHistoryEach() throws Exception {
        DynamoDbLocal local = DYNAMODB.get();
        long loadStart = System.nanoTime();
        // Loaded before the stream exists: the stream then holds only the job's changes.
        local.createTable(TABLE, null);
        loadStaticItems(local);
        VersionedWorkload workload =
                new VersionedWorkload(local.dynamoDbClient(), TABLE, WRITTEN_KEYS, 13);
        workload.touchFirstKeys(KEYS_BEFORE);
        int changesBefore = workload.changes();
        local.enableStream(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
        long tableBytes =
                local.dynamoDbClient()
                        .describeTable(r -> r.tableName(TABLE))
                        .table()
                        .tableSizeBytes();
        // Strongly consistent: 1 unit per 4 KB.
        double budget = tableBytes / 4096.0 / SCAN_FOR.toSeconds();
        System.out.printf(
                "scale: %,d items (%,d bytes) loaded in %d s; budget %.1f read units/s%n",
                ITEMS, tableBytes, (System.nanoTime() - loadStart) / 1_000_000_000L, budget);

        String run = "scale-" + System.nanoTime();
        EMITTED.put(run, new ConcurrentLinkedQueue<>());
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .tableName(TABLE)
                        .startingPosition(StartingPosition.initialSnapshot())
                        .awsConfig(local.awsConfig())
                        .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS, 8)
                        .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, 200)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND, budget)
                        .build();
        source.addTo(env, WatermarkStrategy.noWatermarks(), TABLE)
                .filter(new Collect(run))
                .sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("snapshot then stream, 50,000 items");

        long start = System.nanoTime();
        try {
            // The stream's positions are fixed before the first Scan page, so writes may start
            // with the job: any the stream misses are in the snapshot.
            CompletableFuture<Void> writer =
                    CompletableFuture.runAsync(
                            () -> {
                                for (int tick = 1; tick <= TICKS; tick++) {
                                    long tickStart = System.nanoTime();
                                    workload.write(WRITES_PER_TICK);
                                    if (tick % ROLLOVER_EVERY_TICKS == 0 && tick < TICKS) {
                                        local.triggerShardRollovers();
                                    }
                                    sleep(100 - (System.nanoTime() - tickStart) / 1_000_000);
                                }
                            });
            writer.get();
            long writesMillis = (System.nanoTime() - start) / 1_000_000;
            Map<String, Long> finalVersions =
                    SnapshotHistories.finalVersions(local.dynamoDbClient(), TABLE);

            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!SnapshotHistories.lastStates(emitted(run)).equals(finalVersions)
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
            }
            long settledMillis = (System.nanoTime() - start) / 1_000_000;
            Thread.sleep(1_000); // anything emitted twice would come now

            List<ChangeEvent> emitted = emitted(run);
            long snapshotRows = 0;
            long scanRows = 0;
            Instant firstRead = Instant.MAX;
            Instant lastRead = Instant.MIN;
            for (ChangeEvent event : emitted) {
                if (event.getEventName() != ChangeEvent.EventName.SNAPSHOT) {
                    continue;
                }
                snapshotRows++;
                // A Scan's row names its segment (scan-S-of-N) as its shard; the others are prior
                // states from old images, named by their shard.
                if (event.getShardId().startsWith("scan-")) {
                    scanRows++;
                    Instant read = event.getApproximateCreationTime();
                    firstRead = read.isBefore(firstRead) ? read : firstRead;
                    lastRead = read.isAfter(lastRead) ? read : lastRead;
                }
            }
            System.out.printf(
                    "scale: %,d items at the end; %,d changes written in %d ms with 3 rollovers;"
                            + " %,d rows emitted: %,d snapshot rows (%,d from the Scan, read over"
                            + " %.1f s), %,d changes; the table's state reached %d ms after the"
                            + " job's start%n",
                    finalVersions.size(),
                    workload.changes() - changesBefore,
                    writesMillis,
                    emitted.size(),
                    snapshotRows,
                    scanRows,
                    Duration.between(firstRead, lastRead).toMillis() / 1000.0,
                    emitted.size() - snapshotRows,
                    settledMillis);
            assertThat(SnapshotHistories.check(emitted, workload, finalVersions)).isEmpty();
            // Every item of the table at the snapshot's start has its state then emitted once (the
            // Scan's row, or the prior state of its first change); most of them come from the
            // Scan. The writes start with the job, a second or two before the stream's positions
            // are fixed: an item they delete by then is in neither, rightly (one run: 49,999).
            assertThat(snapshotRows).isGreaterThanOrEqualTo(ITEMS * 99L / 100);
            assertThat(scanRows).isGreaterThan(ITEMS * 9L / 10);
            assertThat(Duration.between(firstRead, lastRead)).isGreaterThan(Duration.ofSeconds(15));
        } finally {
            job.cancel().get();
            EMITTED.remove(run);
        }
    }

    private static List<ChangeEvent> emitted(String run) {
        return new ArrayList<>(EMITTED.get(run));
    }

    /** {@code static-i} with version 1, which no workload write touches. */
    private static void loadStaticItems(DynamoDbLocal local) throws Exception {
        String payload = "p".repeat(100);
        local.loadItems(
                TABLE,
                0,
                STATIC_ITEMS,
                i ->
                        Map.of(
                                "pk",
                                AttributeValue.fromS("static-" + i),
                                "v",
                                AttributeValue.fromN("1"),
                                "payload",
                                AttributeValue.fromS(payload)));
    }

    private static void sleep(long millis) {
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Keeps every row the job emits, in this JVM, in emit order (per item: the merge's order). */
    private static final class Collect implements FilterFunction<ChangeEvent> {
        private static final long serialVersionUID = 1L;
        private final String run;

        Collect(String run) {
            this.run = run;
        }

        @Override
        public boolean filter(ChangeEvent event) {
            EMITTED.get(run).add(event);
            return false;
        }
    }
}
