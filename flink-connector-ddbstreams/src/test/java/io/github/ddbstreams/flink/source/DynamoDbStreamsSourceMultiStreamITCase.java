package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * One source over the streams of two tables on embedded DynamoDB Local: both read with per-key
 * order per stream and exactly once across real rollovers of both streams and an injected failure;
 * and each stream from its own starting position.
 */
class DynamoDbStreamsSourceMultiStreamITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    private static StreamExecutionEnvironment env(int parallelism, boolean restarts) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(200));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    @Test
    void readsBothTablesExactlyOnceInOrderPerKeyAcrossRolloversAndAFailure() throws Exception {
        Map<String, String> arnByTable = new HashMap<>();
        arnByTable.put(
                "ms_orders", DYNAMODB.createTable("ms_orders", StreamViewType.NEW_AND_OLD_IMAGES));
        arnByTable.put(
                "ms_customers",
                DYNAMODB.createTable("ms_customers", StreamViewType.NEW_AND_OLD_IMAGES));
        // The same key names in both tables: order is per key per stream.
        Map<String, VersionedWorkload> workloads = new HashMap<>();
        workloads.put(
                "ms_orders", new VersionedWorkload(DYNAMODB.dynamoDbClient(), "ms_orders", 20, 1));
        workloads.put(
                "ms_customers",
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "ms_customers", 20, 2));
        workloads.values().forEach(w -> w.write(150));
        FailOnce.seen.set(0);
        FailOnce.failed = false;

        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .tableNames("ms_orders", "ms_customers")
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        // DynamoDB Local quirk: a TRIM_HORIZON iterator of a still empty shard
                        // reads as trimmed once another table's writes came first (its sequence
                        // numbers are global). Continuing from the trim horizon loses nothing
                        // there, and verify() below would see any loss; without this, the job
                        // fails and restores once per rollover besides the injected failure.
                        .setConfig(
                                DynamoDbStreamsSourceOptions.ON_TRIMMED_DATA,
                                DynamoDbStreamsSourceOptions.OnTrimmedData.SKIP_TO_TRIM_HORIZON)
                        .build();
        StreamExecutionEnvironment env = env(2, true);
        env.enableCheckpointing(200);
        List<ChangeEvent> received = new ArrayList<>();
        try (CloseableIterator<ChangeEvent> events =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "two-tables")
                        .map(new FailOnce(200))
                        .executeAndCollect("two-tables")) {
            received.addAll(take(events, 300, Duration.ofSeconds(60)));
            for (int round = 0; round < 2; round++) {
                DYNAMODB.triggerShardRollovers(); // closes the open shards of both streams
                workloads.values().forEach(w -> w.write(100));
                received.addAll(take(events, 200, Duration.ofSeconds(60)));
            }
        }

        assertThat(FailOnce.failed).isTrue();
        Map<String, List<ChangeEvent>> byTable = new HashMap<>();
        Map<String, Set<String>> shardsByTable = new HashMap<>();
        for (ChangeEvent event : received) {
            assertThat(event.getStreamArn()).isEqualTo(arnByTable.get(event.getTableName()));
            byTable.computeIfAbsent(event.getTableName(), t -> new ArrayList<>()).add(event);
            shardsByTable
                    .computeIfAbsent(event.getTableName(), t -> new HashSet<>())
                    .add(event.getShardId());
        }
        assertThat(byTable).containsOnlyKeys("ms_orders", "ms_customers");
        for (Map.Entry<String, VersionedWorkload> e : workloads.entrySet()) {
            assertThat(byTable.get(e.getKey())).hasSize(e.getValue().changes());
            assertThat(e.getValue().verify(byTable.get(e.getKey()))).as(e.getKey()).isEmpty();
            assertThat(shardsByTable.get(e.getKey()))
                    .as("rolled over")
                    .hasSizeGreaterThanOrEqualTo(3);
        }
    }

    @Test
    void eachStreamStartsFromItsOwnPosition() throws Exception {
        String fromStart = DYNAMODB.createTable("ms_start", StreamViewType.NEW_AND_OLD_IMAGES);
        String fromLatest = DYNAMODB.createTable("ms_latest", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload start =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "ms_start", 10, 3);
        VersionedWorkload latest =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "ms_latest", 10, 4);
        start.write(40);
        latest.write(40);
        DYNAMODB.triggerShardRollovers();
        start.write(40);
        latest.write(40);

        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArns(fromStart, fromLatest)
                        .startingPosition(StartingPosition.trimHorizon())
                        .startingPosition(fromLatest, StartingPosition.latest())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .bounded()
                        .build();
        List<ChangeEvent> received = new ArrayList<>();
        try (CloseableIterator<ChangeEvent> events =
                env(2, false)
                        .fromSource(source, WatermarkStrategy.noWatermarks(), "positions")
                        .executeAndCollect("positions")) {
            events.forEachRemaining(received::add); // ends only if the bounded job finishes
        }

        // Everything of the TRIM_HORIZON stream, both shards; nothing written before the job
        // started from the LATEST one.
        assertThat(received).allSatisfy(e -> assertThat(e.getStreamArn()).isEqualTo(fromStart));
        assertThat(received).hasSize(start.changes());
        assertThat(start.verify(received)).isEmpty();
    }

    /** Reads from the iterator until {@code count} events arrived or the timeout passed. */
    private static List<ChangeEvent> take(
            CloseableIterator<ChangeEvent> events, int count, Duration timeout) throws Exception {
        List<ChangeEvent> result = new ArrayList<>();
        CompletableFuture<Void> reading =
                CompletableFuture.runAsync(
                        () -> {
                            while (result.size() < count && events.hasNext()) {
                                synchronized (result) {
                                    result.add(events.next());
                                }
                            }
                        });
        try {
            reading.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            // fall through: the assertions report how many arrived
        }
        synchronized (result) {
            return new ArrayList<>(result);
        }
    }

    /** Throws once, after a number of records, to make Flink restore the last checkpoint. */
    private static final class FailOnce implements MapFunction<ChangeEvent, ChangeEvent> {
        static final AtomicInteger seen = new AtomicInteger();
        static volatile boolean failed;
        private final int failAfter;

        FailOnce(int failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public ChangeEvent map(ChangeEvent value) {
            if (!failed && seen.incrementAndGet() >= failAfter) {
                failed = true;
                throw new RuntimeException("injected failure");
            }
            return value;
        }
    }
}
