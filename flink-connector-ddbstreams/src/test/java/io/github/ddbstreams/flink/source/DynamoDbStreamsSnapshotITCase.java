package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.Savepoints;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A table's snapshot ({@link StartingPosition#initialSnapshot()} with {@code bounded()}) on a
 * MiniCluster against embedded DynamoDB Local: every item once, as a SNAPSHOT row, then the job
 * finishes; with a failure injected mid-snapshot or at a segment's end, every item exactly once in
 * checkpointed state; stopped with a savepoint mid-snapshot and resumed at another parallelism,
 * every item once.
 */
class DynamoDbStreamsSnapshotITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    @TempDir Path savepoints;

    @Test
    void readsEveryItemOnceAsASnapshotRowAndFinishes() throws Exception {
        DYNAMODB.createTable("catalog", StreamViewType.NEW_AND_OLD_IMAGES);
        DYNAMODB.putItems("catalog", "item-", 3_000);
        StreamExecutionEnvironment env = env(2);

        Map<String, Integer> timesRead = new HashMap<>();
        Map<String, String> values = new HashMap<>();
        try (CloseableIterator<ChangeEvent> rows =
                env.fromSource(
                                DynamoDbStreamsSource.<ChangeEvent>builder()
                                        .tableName("catalog")
                                        .startingPosition(StartingPosition.initialSnapshot())
                                        .awsConfig(DYNAMODB.awsConfig())
                                        .bounded()
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "catalog-snapshot")
                        .executeAndCollect("snapshot")) {
            // Ends by itself: a bounded snapshot finishes once every segment is read.
            while (rows.hasNext()) {
                ChangeEvent row = rows.next();
                assertThat(row.getEventName()).isEqualTo(ChangeEvent.EventName.SNAPSHOT);
                // Unset source.snapshot.segments: 4 per subtask.
                assertThat(row.getShardId()).matches("scan-\\d+-of-8");
                String key = row.getKeys().get("pk").s();
                timesRead.merge(key, 1, Integer::sum);
                values.put(key, row.getNewImage().get("value").n());
            }
        }

        assertThat(timesRead).hasSize(3_000);
        assertThat(timesRead.values()).containsOnly(1);
        assertThat(values).containsEntry("item-0", "0").containsEntry("item-2999", "2999");
    }

    @Test
    void aFailureMidSnapshotLeavesEveryItemExactlyOnceInState() throws Exception {
        String arn = DYNAMODB.createTable("ledger", StreamViewType.KEYS_ONLY);
        DYNAMODB.putItems("ledger", "entry-", 3_000);
        String run = "ledger-" + System.nanoTime();

        runCountingEveryItem(arn, run, new FailOnceAfterACheckpoint(run, 1_500));

        assertThat(FailOnceAfterACheckpoint.FAILED.get(run)).as("failure injected").isTrue();
        assertEveryItemCountedOnce(run);
    }

    /**
     * A failure exactly at a segment's end: on the segment's last row, while the reader has not yet
     * handled the segment's finish; or on the next row once checkpoints completed after that last
     * row (the finish is reported and in the reader's checkpointed state, and may be confirmed).
     */
    @ParameterizedTest(name = "failure after a checkpoint following the end: {0}")
    @ValueSource(booleans = {false, true})
    void aFailureAtASegmentsEndLeavesEveryItemExactlyOnceInState(boolean afterACheckpoint)
            throws Exception {
        String table = "journal" + afterACheckpoint;
        String arn = DYNAMODB.createTable(table, StreamViewType.KEYS_ONLY);
        DYNAMODB.putItems(table, "entry-", 3_000);
        String run = table + "-" + System.nanoTime();
        // The segment's size, as DynamoDB splits the table for the job's Scan.
        int segment = 2;
        int segmentSize =
                DYNAMODB
                        .dynamoDbClient()
                        .scanPaginator(
                                ScanRequest.builder()
                                        .tableName(table)
                                        .segment(segment)
                                        .totalSegments(SEGMENTS)
                                        .build())
                        .stream()
                        .mapToInt(ScanResponse::count)
                        .sum();
        assertThat(segmentSize).as("items in segment %d", segment).isGreaterThan(100);

        FailAtASegmentsEnd injector =
                new FailAtASegmentsEnd(run, segment, segmentSize, afterACheckpoint);
        runCountingEveryItem(arn, run, injector);

        System.out.printf(
                "failure at the end of segment %d (%d items), after a checkpoint: %s; failed at"
                        + " row %d of the run%n",
                segment, segmentSize, afterACheckpoint, FailAtASegmentsEnd.FAILED_AT.get(run));
        assertThat(FailAtASegmentsEnd.FAILED_AT.get(run)).as("failure injected").isPositive();
        assertEveryItemCountedOnce(run);
    }

    private static final int SEGMENTS = 5;

    /**
     * A bounded snapshot at parallelism 3 ({@value #SEGMENTS} segments, pages of 50) through {@code
     * injector} into a keyed count of each item's rows, emitted at the end of input.
     */
    private static void runCountingEveryItem(
            String arn, String run, RichMapFunction<ChangeEvent, ChangeEvent> injector)
            throws Exception {
        StreamExecutionEnvironment env = env(3);
        env.enableCheckpointing(100);
        env.fromSource(
                        DynamoDbStreamsSource.<ChangeEvent>builder()
                                .streamArn(arn)
                                .startingPosition(StartingPosition.initialSnapshot())
                                .awsConfig(DYNAMODB.awsConfig())
                                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS, SEGMENTS)
                                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, 50)
                                .bounded()
                                .build(),
                        WatermarkStrategy.forMonotonousTimestamps(),
                        "snapshot")
                .map(injector)
                .keyBy(row -> row.getKeys().get("pk").s())
                .process(new TimesReadAtTheEnd())
                .sinkTo(new CollectingSink<>(run));
        env.execute("snapshot with a failure");
    }

    private static void assertEveryItemCountedOnce(String run) {
        List<String> finalCounts = CollectingSink.results(run);
        assertThat(finalCounts).hasSize(3_000); // every key, once, at the end of input
        assertThat(finalCounts).allSatisfy(line -> assertThat(line).endsWith("=1"));
    }

    @Test
    void stoppedWithASavepointMidSnapshotItResumesAtAnotherParallelismWithEveryItemOnce()
            throws Exception {
        String arn = DYNAMODB.createTable("inventory", StreamViewType.NEW_IMAGE);
        DYNAMODB.putItems("inventory", "sku-", 3_000);
        String sink = "inventory-" + System.nanoTime();

        JobClient first = startSlowSnapshot(arn, sink, 2, null);
        await(() -> CollectingSink.results(sink).size() >= 300);
        String savepoint = Savepoints.stopWithSavepoint(first, savepoints.toString());
        int beforeStop = CollectingSink.results(sink).size();
        assertThat(beforeStop).as("stopped mid-snapshot").isLessThan(3_000);

        JobClient second = startSlowSnapshot(arn, sink, 3, savepoint);
        second.getJobExecutionResult().get(2, TimeUnit.MINUTES); // a bounded snapshot finishes

        Map<String, Integer> timesRead = new HashMap<>();
        for (ChangeEvent row : CollectingSink.<ChangeEvent>results(sink)) {
            timesRead.merge(row.getKeys().get("pk").s(), 1, Integer::sum);
        }
        System.out.printf(
                "snapshot of 3,000 items: %d rows before the savepoint (p=2), %d after (p=3)%n",
                beforeStop, CollectingSink.results(sink).size() - beforeStop);
        assertThat(timesRead).hasSize(3_000);
        assertThat(timesRead.values()).containsOnly(1);
    }

    /** A snapshot slowed down by a small read-unit budget, so that a savepoint falls inside it. */
    private static JobClient startSlowSnapshot(
            String arn, String sink, int parallelism, @Nullable String savepoint) throws Exception {
        Configuration conf = new Configuration();
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = env(parallelism, conf);
        env.enableCheckpointing(200);
        env.fromSource(
                        DynamoDbStreamsSource.<ChangeEvent>builder()
                                .streamArn(arn)
                                .startingPosition(StartingPosition.initialSnapshot())
                                .awsConfig(DYNAMODB.awsConfig())
                                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS, 6)
                                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, 25)
                                .setConfig(
                                        DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND,
                                        20.0)
                                .bounded()
                                .build(),
                        WatermarkStrategy.noWatermarks(),
                        "inventory-snapshot")
                .uid("ddb-source")
                .sinkTo(new CollectingSink<>(sink))
                .uid("sink");
        return env.executeAsync("slow snapshot p" + parallelism);
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static StreamExecutionEnvironment env(int parallelism) {
        return env(parallelism, new Configuration());
    }

    private static StreamExecutionEnvironment env(int parallelism, Configuration conf) {
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    /**
     * Passes rows on, slowly (so checkpoints fall mid-snapshot), and fails its subtask once: at the
     * first row after {@code afterRows} rows once a checkpoint completed.
     */
    static final class FailOnceAfterACheckpoint extends RichMapFunction<ChangeEvent, ChangeEvent>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final Map<String, Boolean> FAILED = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();

        private final String run;
        private final int afterRows;
        private transient boolean checkpointed;

        FailOnceAfterACheckpoint(String run, int afterRows) {
            this.run = run;
            this.afterRows = afterRows;
            FAILED.put(run, false);
            SEEN.put(run, new AtomicInteger());
        }

        @Override
        public ChangeEvent map(ChangeEvent row) throws Exception {
            Thread.sleep(1);
            if (SEEN.get(run).incrementAndGet() >= afterRows
                    && checkpointed
                    && !FAILED.put(run, true)) {
                throw new IllegalStateException("Injected failure mid-snapshot");
            }
            return row;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    /**
     * Passes rows on, slowly (so checkpoints fall mid-snapshot), and fails once at the end of one
     * segment: on its last row (counted across the run's subtasks), or, with {@code
     * afterACheckpoint}, on the first row of any segment once two checkpoints completed after that
     * last row.
     */
    static final class FailAtASegmentsEnd extends RichMapFunction<ChangeEvent, ChangeEvent>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        static final Map<String, Integer> FAILED_AT = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> SEEN = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> SEGMENT_SEEN = new ConcurrentHashMap<>();
        private static final Map<String, AtomicInteger> CHECKPOINTS_AFTER_END =
                new ConcurrentHashMap<>();

        private final String run;
        private final String segmentId;
        private final int segmentSize;
        private final boolean afterACheckpoint;

        FailAtASegmentsEnd(String run, int segment, int segmentSize, boolean afterACheckpoint) {
            this.run = run;
            this.segmentId = "scan-" + segment + "-of-" + SEGMENTS;
            this.segmentSize = segmentSize;
            this.afterACheckpoint = afterACheckpoint;
            FAILED_AT.put(run, 0);
            SEEN.put(run, new AtomicInteger());
            SEGMENT_SEEN.put(run, new AtomicInteger());
            CHECKPOINTS_AFTER_END.put(run, new AtomicInteger(-1));
        }

        @Override
        public ChangeEvent map(ChangeEvent row) throws Exception {
            Thread.sleep(1);
            int seen = SEEN.get(run).incrementAndGet();
            if (FAILED_AT.get(run) != 0) {
                return row;
            }
            AtomicInteger afterEnd = CHECKPOINTS_AFTER_END.get(run);
            if (row.getShardId().equals(segmentId)
                    && SEGMENT_SEEN.get(run).incrementAndGet() == segmentSize) {
                if (!afterACheckpoint) {
                    fail(seen);
                }
                afterEnd.set(0);
            } else if (afterACheckpoint && afterEnd.get() >= 2) {
                fail(seen);
            }
            return row;
        }

        private void fail(int seen) {
            FAILED_AT.put(run, seen);
            throw new IllegalStateException("Injected failure at the end of " + segmentId);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            AtomicInteger afterEnd = CHECKPOINTS_AFTER_END.get(run);
            if (afterEnd.get() >= 0) {
                afterEnd.incrementAndGet();
            }
        }
    }

    /** Counts each key's rows in keyed state; at the end of input, emits "key=count". */
    static final class TimesReadAtTheEnd extends KeyedProcessFunction<String, ChangeEvent, String> {
        private static final long serialVersionUID = 1L;
        private transient ValueState<Integer> count;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Types.INT));
        }

        @Override
        public void processElement(ChangeEvent row, Context ctx, Collector<String> out)
                throws Exception {
            Integer seen = count.value();
            count.update(seen == null ? 1 : seen + 1);
            ctx.timerService().registerEventTimeTimer(Long.MAX_VALUE);
        }

        @Override
        public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
                throws Exception {
            out.collect(ctx.getCurrentKey() + "=" + count.value());
        }
    }
}
