package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The source on a MiniCluster against embedded DynamoDB Local over real HTTP: images and per-key
 * order, real shard rollovers mid-job, exactly-once under an injected failure, bounded mode, and
 * the error for a stream that does not exist.
 */
class DynamoDbStreamsSourceITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    /** Drops metrics as Flink unregisters them, as a real reporter does. */
    private static final InMemoryReporter METRICS = InMemoryReporter.create();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusterFixture.withSlots(4, METRICS.addToConfiguration(new Configuration()));

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

    private static DynamoDbStreamsSource<ChangeEvent> source(String arn, boolean bounded) {
        DynamoDbStreamsSourceBuilder<ChangeEvent> builder =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100));
        return bounded ? builder.bounded().build() : builder.build();
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
            // fall through: the assertion below reports how many arrived
        }
        synchronized (result) {
            return new ArrayList<>(result);
        }
    }

    @Test
    void readsEveryChangeInOrderAcrossRealRollovers() throws Exception {
        String arn = DYNAMODB.createTable("orders", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "orders", 40, 1);
        workload.write(200);

        StreamExecutionEnvironment env = env(2, false);
        try (CloseableIterator<ChangeEvent> events =
                env.fromSource(source(arn, false), WatermarkStrategy.noWatermarks(), "orders")
                        .executeAndCollect("rollovers")) {
            List<ChangeEvent> received = new ArrayList<>(take(events, 200, Duration.ofSeconds(60)));
            for (int round = 0; round < 3; round++) {
                DYNAMODB.triggerShardRollovers();
                workload.write(150);
                received.addAll(take(events, 150, Duration.ofSeconds(60)));
            }

            assertThat(received).hasSize(workload.changes());
            assertThat(workload.verify(received)).isEmpty();
            Set<String> shards = new HashSet<>();
            received.forEach(e -> shards.add(e.getShardId()));
            assertThat(shards).hasSizeGreaterThanOrEqualTo(4);
            // Finished shards' gauges have left the reporters; the open shard's is still there.
            String openShard = received.get(received.size() - 1).getShardId();
            assertThat(shardsWithGauges(shards)).containsExactly(openShard);
        }
    }

    /** The shards among {@code shards} whose own millisBehindLatest gauge a reporter holds now. */
    private static Set<String> shardsWithGauges(Set<String> shards) {
        Set<String> withGauge = new HashSet<>();
        METRICS.getMetricsByGroup()
                .forEach(
                        (group, metrics) -> {
                            String shard = group.getAllVariables().get("<shardId>");
                            if (shards.contains(shard)
                                    && metrics.keySet().stream()
                                            .anyMatch(n -> n.endsWith("millisBehindLatest"))) {
                                withGauge.add(shard);
                            }
                        });
        return withGauge;
    }

    @Test
    void imagesMatchTheWrites() throws Exception {
        String arn = DYNAMODB.createTable("images", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "images", 3, 7);
        workload.write(30);

        List<ChangeEvent> received;
        try (CloseableIterator<ChangeEvent> events =
                env(1, false)
                        .fromSource(source(arn, true), WatermarkStrategy.noWatermarks(), "images")
                        .executeAndCollect("images")) {
            received = new ArrayList<>();
            events.forEachRemaining(received::add);
        }

        assertThat(workload.verify(received)).isEmpty();
        for (ChangeEvent event : received) {
            assertThat(event.getStreamArn()).isEqualTo(arn);
            switch (event.getEventName()) {
                case INSERT:
                    assertThat(event.hasOldImage()).isFalse();
                    assertThat(event.getNewImage()).containsKeys("pk", "v", "payload");
                    break;
                case MODIFY:
                    long newVersion = Long.parseLong(event.getNewImage().get("v").n());
                    long oldVersion = Long.parseLong(event.getOldImage().get("v").n());
                    assertThat(newVersion).isEqualTo(oldVersion + 1);
                    break;
                case REMOVE:
                    assertThat(event.hasNewImage()).isFalse();
                    assertThat(event.getOldImage()).containsKey("v");
                    break;
                default:
                    throw new AssertionError(event);
            }
            assertThat(event.getKeys()).containsOnlyKeys("pk");
        }
    }

    @Test
    void boundedReadFinishesWithEveryRecordIncludingChildrenOfClosedShards() throws Exception {
        String arn = DYNAMODB.createTable("bounded", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "bounded", 20, 3);
        workload.write(100);
        DYNAMODB.triggerShardRollovers();
        workload.write(100);
        DYNAMODB.triggerShardRollovers();
        workload.write(50);

        List<ChangeEvent> received = new ArrayList<>();
        try (CloseableIterator<ChangeEvent> events =
                env(2, false)
                        .fromSource(source(arn, true), WatermarkStrategy.noWatermarks(), "bounded")
                        .executeAndCollect("bounded")) {
            events.forEachRemaining(received::add); // ends only if the job finishes
        }

        assertThat(received).hasSize(250);
        assertThat(workload.verify(received)).isEmpty();
    }

    @Test
    void exactlyOnceAcrossAnInjectedFailure() throws Exception {
        String arn = DYNAMODB.createTable("failover", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "failover", 30, 5);
        workload.write(300);
        FailOnce.seen.set(0);
        FailOnce.failed = false;

        StreamExecutionEnvironment env = env(2, true);
        env.enableCheckpointing(200);
        try (CloseableIterator<ChangeEvent> events =
                env.fromSource(source(arn, false), WatermarkStrategy.noWatermarks(), "failover")
                        .map(new FailOnce(150))
                        .executeAndCollect("failover")) {
            List<ChangeEvent> received = new ArrayList<>(take(events, 300, Duration.ofSeconds(60)));
            DYNAMODB.triggerShardRollovers();
            workload.write(100);
            received.addAll(take(events, 100, Duration.ofSeconds(60)));

            assertThat(FailOnce.failed).isTrue();
            assertThat(received).hasSize(workload.changes());
            assertThat(workload.verify(received)).isEmpty();
        }
    }

    @Test
    void disabledStreamIsReadToItsEndThenTheSourceFinishes() throws Exception {
        String arn = DYNAMODB.createTable("disabled", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "disabled", 10, 9);
        workload.write(60);
        DYNAMODB.dynamoDbClient()
                .updateTable(
                        b ->
                                b.tableName("disabled")
                                        .streamSpecification(s -> s.streamEnabled(false)));

        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .setConfig(
                                DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED,
                                DynamoDbStreamsSourceOptions.OnStreamDisabled.FINISH)
                        // DynamoDB Local lists a stream consistently: no need to wait a minute.
                        .setConfig(
                                DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME,
                                Duration.ofSeconds(1))
                        .build();
        List<ChangeEvent> received = new ArrayList<>();
        try (CloseableIterator<ChangeEvent> events =
                env(2, false)
                        .fromSource(source, WatermarkStrategy.noWatermarks(), "disabled")
                        .executeAndCollect("disabled")) {
            events.forEachRemaining(received::add); // ends only if the source finishes
        }

        assertThat(workload.verify(received)).isEmpty();
    }

    @Test
    void followsTheTablesNewStreamWhenItIsEnabledAgain() throws Exception {
        String oldArn = DYNAMODB.createTable("followed", StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "followed", 10, 11);
        workload.write(60);
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .tableName("followed")
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .shardDiscoveryInterval(Duration.ofMillis(200))
                        .setConfig(
                                DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED,
                                DynamoDbStreamsSourceOptions.OnStreamDisabled.FOLLOW_NEW_STREAM)
                        // DynamoDB Local lists a stream consistently: no need to wait a minute.
                        .setConfig(
                                DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME,
                                Duration.ofSeconds(1))
                        .build();
        try (CloseableIterator<ChangeEvent> events =
                env(2, false)
                        .fromSource(source, WatermarkStrategy.noWatermarks(), "followed")
                        .executeAndCollect("followed")) {
            List<ChangeEvent> received = new ArrayList<>(take(events, 60, Duration.ofSeconds(60)));

            // The old stream's last changes may still be unread when the new stream appears:
            // they must come first all the same.
            workload.write(60);
            setStreamEnabled("followed", false);
            setStreamEnabled("followed", true);
            String newArn = DYNAMODB.streamArn("followed");
            assertThat(newArn).as("re-enabling makes a new stream").isNotEqualTo(oldArn);
            workload.write(60);
            received.addAll(take(events, 120, Duration.ofSeconds(60)));

            assertThat(received).hasSize(workload.changes());
            assertThat(workload.verify(received)).isEmpty();
            assertThat(received)
                    .extracting(ChangeEvent::getStreamArn)
                    .containsOnly(oldArn, newArn)
                    .contains(oldArn, newArn);
            Set<String> keysOnNewStream = new HashSet<>();
            for (ChangeEvent event : received) {
                String key = VersionedWorkload.keyOf(event);
                if (event.getStreamArn().equals(newArn)) {
                    keysOnNewStream.add(key);
                } else {
                    assertThat(keysOnNewStream)
                            .as("old change after a new one")
                            .doesNotContain(key);
                }
            }
        }
    }

    private static void setStreamEnabled(String table, boolean enabled) {
        StreamSpecification spec =
                enabled
                        ? StreamSpecification.builder()
                                .streamEnabled(true)
                                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                                .build()
                        : StreamSpecification.builder().streamEnabled(false).build();
        DYNAMODB.dynamoDbClient().updateTable(b -> b.tableName(table).streamSpecification(spec));
    }

    @Test
    void unknownStreamFailsFastNamingTheArn() {
        String arn =
                "arn:aws:dynamodb:ddblocal:000000000000:table/missing/stream/2026-01-01T00:00:00.000";
        StreamExecutionEnvironment env = env(1, false);
        long start = System.nanoTime();

        assertThatThrownBy(
                        () ->
                                env.fromSource(
                                                source(arn, false),
                                                WatermarkStrategy.noWatermarks(),
                                                "missing")
                                        .executeAndCollect("missing", 1))
                .satisfies(
                        e ->
                                assertThat(stackTraceText(e))
                                        .contains(arn)
                                        .contains("does not exist"));
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
    }

    private static String stackTraceText(Throwable e) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
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
