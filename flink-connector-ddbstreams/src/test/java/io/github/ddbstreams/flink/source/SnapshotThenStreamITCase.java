package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.SnapshotHistories;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Snapshot then stream on a MiniCluster against DynamoDB Local: a table's contents, read while the
 * table is written (updates, deletes, new items) and its shard rolls over, merged with the stream's
 * changes into one valid history per item that ends at the table's final state.
 */
class SnapshotThenStreamITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusterFixture.withSlots(4, METRICS.addToConfiguration(new Configuration()));

    @Test
    void everyItemsRowsFormOneHistoryEndingAtTheTablesState() throws Exception {
        String table = "accounts";
        String arn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), table, 3_000, 7);
        workload.touchEveryKey(); // 3,000 items before the job
        String sink = "accounts-" + System.nanoTime();

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        // About 75 pages of one unit: a snapshot of several seconds.
        DynamoDbStreamsSource<ChangeEvent> source =
                SnapshotRuns.slowSnapshot(arn, DYNAMODB.awsConfig(), 8, 40, 12.0);
        source.addTo(env, WatermarkStrategy.noWatermarks(), "accounts")
                .sinkTo(new CollectingSink<>(sink));
        JobClient job = env.executeAsync("snapshot then stream");

        // While the snapshot runs: about 200 writes/s for 6 s, two rollovers.
        long start = System.nanoTime();
        CompletableFuture<Void> writer =
                CompletableFuture.runAsync(
                        () -> SnapshotRuns.writeWithTwoRollovers(workload, DYNAMODB, 60));
        writer.get();
        long writesMillis = (System.nanoTime() - start) / 1_000_000;
        long changesDuringSnapshot = workload.changes() - 3_000;
        Map<String, Long> finalVersions =
                SnapshotHistories.finalVersions(DYNAMODB.dynamoDbClient(), table);

        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!SnapshotHistories.lastStates(CollectingSink.results(sink)).equals(finalVersions)
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        long settledMillis = (System.nanoTime() - start) / 1_000_000;

        // Once the progress clock passes the snapshot's end (+ the 5 s lag), the merge clears
        // the state of the items the stream took over; changes after that go out as they are.
        while (counter(job, "snapshotItemStatesCleared") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        long cleared = counter(job, "snapshotItemStatesCleared");
        workload.write(300);
        finalVersions = SnapshotHistories.finalVersions(DYNAMODB.dynamoDbClient(), table);
        while (!SnapshotHistories.lastStates(CollectingSink.results(sink)).equals(finalVersions)
                && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        Thread.sleep(1_000); // anything emitted twice would come now
        job.cancel().get();

        List<ChangeEvent> emitted = CollectingSink.results(sink);
        long snapshotRows =
                emitted.stream()
                        .filter(e -> e.getEventName() == ChangeEvent.EventName.SNAPSHOT)
                        .count();
        System.out.printf(
                "snapshot then stream: %d items at the end, %d changes written in %d ms, %d rows"
                        + " emitted (%d snapshot rows), table's state reached after %d ms;"
                        + " %d item states cleared after the snapshot's end, 300 changes"
                        + " after that%n",
                finalVersions.size(),
                changesDuringSnapshot,
                writesMillis,
                emitted.size(),
                snapshotRows,
                settledMillis,
                cleared);
        assertThat(SnapshotHistories.check(emitted, workload, finalVersions)).isEmpty();
        assertThat(snapshotRows).isGreaterThan(1_000); // most items only in the snapshot
        assertThat(cleared).as("item states cleared after the snapshot's end").isPositive();
    }

    /** The sum of the job's counters {@code name} (the merge's subtasks); 0 until registered. */
    private static long counter(JobClient job, String name) {
        long sum = 0;
        for (Metric metric :
                METRICS.findMetrics(job.getJobID(), ".*dynamodbStreams\\." + name).values()) {
            sum += ((Counter) metric).getCount();
        }
        return sum;
    }
}
