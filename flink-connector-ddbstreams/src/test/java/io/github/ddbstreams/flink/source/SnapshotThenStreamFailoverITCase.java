package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.Savepoints;
import io.github.ddbstreams.flink.testutils.SnapshotHistories;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
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
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Snapshot then stream across failures and a savepoint with rescaling, checked exactly once in
 * state: a keyed verifier after the merge holds, per item, the state emitted last and its place in
 * the item's written history, restored with the job, and records every row that breaks the history.
 * Failures are injected mid-snapshot (while rows are held back), right after a segment's last page
 * and after the snapshot.
 */
class SnapshotThenStreamFailoverITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    private static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

    @TempDir Path savepoints;

    /** What a run's operators share with the test, by run id. */
    static final class Run {
        final VersionedWorkload workload;
        final Queue<String> violations = new ConcurrentLinkedQueue<>();

        /** Per item: the version of the state emitted last (-1: deleted), as the verifier saw. */
        final Map<String, Long> lastStates = new ConcurrentHashMap<>();

        final AtomicInteger rows = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final List<Integer> failAtRows;

        Run(VersionedWorkload workload, List<Integer> failAtRows) {
            this.workload = workload;
            this.failAtRows = failAtRows;
        }
    }

    @Test
    void failuresMidSnapshotAndAfterItKeepEveryItemsHistoryExactInState() throws Exception {
        String table = "ledger";
        String arn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), table, 2_000, 3);
        workload.touchEveryKey();
        String id = "failover-" + System.nanoTime();
        // Rows seen by the injector (replays included): mid-snapshot, then late in the run.
        Run run = new Run(workload, List.of(400, 2_600));
        RUNS.put(id, run);

        JobClient job = start(arn, id, 2, null, true, false);
        SnapshotRuns.writeWithTwoRollovers(workload, DYNAMODB, 50);
        awaitTableState(run, table);
        job.cancel().get();

        report("failures", run);
        assertThat(run.failures).hasValue(2);
        assertThat(run.violations).isEmpty();
        assertThat(mismatches(run, table)).isEmpty();
    }

    @Test
    void aFailureRightAfterASegmentsLastPageKeepsEveryItemsHistoryExactInState() throws Exception {
        String table = "journal";
        String arn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), table, 2_000, 11);
        workload.touchEveryKey();
        String id = "segment-end-" + System.nanoTime();
        Run run = new Run(workload, List.of());
        RUNS.put(id, run);
        FailAfterASegmentsEnd.ARMED.put(id, new AtomicInteger());

        JobClient job = start(arn, id, 2, null, true, true);
        SnapshotRuns.writeWithTwoRollovers(workload, DYNAMODB, 50);
        awaitTableState(run, table);
        job.cancel().get();

        report("a failure after a segment's last page", run);
        assertThat(FailAfterASegmentsEnd.ARMED.get(id)).as("failure injected").hasValue(2);
        assertThat(run.violations).isEmpty();
        assertThat(mismatches(run, table)).isEmpty();
    }

    @Test
    void aSavepointMidSnapshotResumesAtAnotherParallelismWithEveryHistoryExact() throws Exception {
        String table = "wallets";
        String arn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), table, 2_000, 5);
        workload.touchEveryKey();
        String id = "savepoint-" + System.nanoTime();
        Run run = new Run(workload, List.of());
        RUNS.put(id, run);

        JobClient first = start(arn, id, 2, null, false, false);
        CompletableFuture<Void> writes =
                CompletableFuture.runAsync(
                        () -> SnapshotRuns.writeWithTwoRollovers(workload, DYNAMODB, 20));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (run.rows.get() < 300 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        String savepoint = Savepoints.stopWithSavepoint(first, savepoints.toString());
        int before = run.rows.get();
        writes.get();
        JobClient second = start(arn, id, 3, savepoint, false, false);
        workload.write(300);
        awaitTableState(run, table);
        second.cancel().get();

        report("savepoint at " + before + " rows, p=2 -> p=3", run);
        assertThat(before).as("stopped mid-snapshot").isLessThan(2_000);
        assertThat(run.violations).isEmpty();
        assertThat(mismatches(run, table)).isEmpty();
    }

    // ------------------------------------------------------------------ the job

    /**
     * @param failAfterASegmentsEnd whether the first Scan call after a segment's last page fails
     *     its task (once)
     */
    private static JobClient start(
            String arn,
            String id,
            int parallelism,
            @Nullable String savepoint,
            boolean restarts,
            boolean failAfterASegmentsEnd)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        if (restarts) {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
            conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
            conf.set(
                    RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                    Duration.ofMillis(200));
        } else {
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        }
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(200);
        DynamoDbStreamsSourceBuilder<ChangeEvent> builder =
                SnapshotRuns.slowSnapshotBuilder(arn, DYNAMODB.awsConfig(), 6, 25, 16.0);
        if (failAfterASegmentsEnd) {
            builder.streamsClientFactory(
                    config -> new FailAfterASegmentsEnd(SdkStreamsClient.create(config), id));
        }
        DynamoDbStreamsSource<ChangeEvent> source = builder.build();
        source.addTo(env, WatermarkStrategy.noWatermarks(), "ledger")
                .map(new FailureInjector(id))
                .uid("injector")
                .keyBy(VersionedWorkload::keyOf)
                .process(new HistoryVerifier(id))
                .uid("verifier")
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("snapshot then stream, " + id);
    }

    private static void awaitTableState(Run run, String table) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!mismatches(run, table).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        Thread.sleep(500); // a row emitted twice would come now
    }

    /**
     * Items whose state emitted last is not the table's: every item of the table at its version,
     * every other item the verifier saw deleted.
     */
    private static List<String> mismatches(Run run, String table) {
        Map<String, Long> items = SnapshotHistories.finalVersions(DYNAMODB.dynamoDbClient(), table);
        List<String> wrong = new ArrayList<>();
        items.forEach(
                (key, version) -> {
                    if (!version.equals(run.lastStates.get(key))) {
                        wrong.add(key + ": v" + version + " but " + run.lastStates.get(key));
                    }
                });
        run.lastStates.forEach(
                (key, version) -> {
                    if (!items.containsKey(key) && version != -1) {
                        wrong.add(key + ": deleted but v" + version);
                    }
                });
        return wrong;
    }

    private static void report(String what, Run run) {
        System.out.printf(
                "snapshot then stream (%s): %d rows through the verifier (replays included), %d"
                        + " failures, %d items, %d changes written%n",
                what,
                run.rows.get(),
                run.failures.get(),
                run.lastStates.size(),
                run.workload.changes());
    }

    /** Fails its subtask once at each planned row count (replays included). */
    static final class FailureInjector extends RichMapFunction<ChangeEvent, ChangeEvent>
            implements CheckpointListener {
        private static final long serialVersionUID = 1L;
        private final String id;
        private transient Run run;
        private transient boolean checkpointed;

        FailureInjector(String id) {
            this.id = id;
        }

        @Override
        public void open(OpenContext openContext) {
            run = RUNS.get(id);
        }

        @Override
        public ChangeEvent map(ChangeEvent row) {
            int seen = run.rows.incrementAndGet();
            int done = run.failures.get();
            if (checkpointed
                    && done < run.failAtRows.size()
                    && seen >= run.failAtRows.get(done)
                    && run.failures.compareAndSet(done, done + 1)) {
                throw new IllegalStateException("Injected failure " + (done + 1));
            }
            return row;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }

    /**
     * Per item, in keyed state: the version emitted last (-1 deleted, absent none) and the index of
     * the written change that made it. Each row must continue the item's history: a SNAPSHOT row
     * only first, then exactly the next written change; a change's old image must be the state
     * emitted last. Breaks go to the run's violations.
     */
    static final class HistoryVerifier extends KeyedProcessFunction<String, ChangeEvent, String> {
        private static final long serialVersionUID = 1L;
        private final String id;
        private transient Run run;
        private transient ValueState<Long> state;
        private transient ValueState<Integer> position;

        HistoryVerifier(String id) {
            this.id = id;
        }

        @Override
        public void open(OpenContext openContext) {
            run = RUNS.get(id);
            state = getRuntimeContext().getState(new ValueStateDescriptor<>("state", Types.LONG));
            position =
                    getRuntimeContext().getState(new ValueStateDescriptor<>("position", Types.INT));
        }

        @Override
        public void processElement(ChangeEvent row, Context ctx, Collector<String> out)
                throws Exception {
            String key = ctx.getCurrentKey();
            List<String> written = run.workload.expected(key);
            Long current = state.value();
            Integer at = position.value();
            String problem = null;
            long next;
            int nextAt;
            if (row.getEventName() == ChangeEvent.EventName.SNAPSHOT) {
                next = Long.parseLong(row.getNewImage().get("v").n());
                nextAt = indexOf(written, "INSERT:" + next, "MODIFY:" + next);
                if (current != null) {
                    problem = "a SNAPSHOT row after the state v" + current;
                } else if (nextAt < 0) {
                    problem = "a SNAPSHOT row of v" + next + ", a state never written";
                }
            } else {
                String change = VersionedWorkload.describe(row);
                next =
                        row.getEventName() == ChangeEvent.EventName.REMOVE
                                ? -1
                                : Long.parseLong(row.getNewImage().get("v").n());
                nextAt = at == null ? written.indexOf(change) : at + 1;
                long from = row.hasOldImage() ? Long.parseLong(row.getOldImage().get("v").n()) : -1;
                if (at != null
                        && (nextAt >= written.size() || !written.get(nextAt).equals(change))) {
                    problem =
                            change
                                    + " but the next written change is "
                                    + (nextAt < written.size() ? written.get(nextAt) : "none");
                } else if (current != null && from != current) {
                    problem = change + " from v" + from + " after the state v" + current;
                } else if (current == null && row.getEventName() != ChangeEvent.EventName.INSERT) {
                    problem = change + " as an item's first row";
                }
            }
            if (problem != null) {
                run.violations.add(key + ": " + problem);
            }
            state.update(next);
            position.update(Math.max(nextAt, 0));
            run.lastStates.put(key, next);
        }

        private static int indexOf(List<String> written, String... any) {
            for (int i = 0; i < written.size(); i++) {
                for (String change : any) {
                    if (written.get(i).equals(change)) {
                        return i;
                    }
                }
            }
            return -1;
        }
    }

    /**
     * The real client, except that once a segment's last page was returned (no {@code
     * LastEvaluatedKey}) the next Scan call of the run fails its task, once: a failure while the
     * segment's finish is being handled, its rows held in the merge.
     */
    static final class FailAfterASegmentsEnd extends ForwardingStreamsClient {
        /** Per run: 0, then 1 once a segment ended, then 2 once the failure was thrown. */
        static final Map<String, AtomicInteger> ARMED = new ConcurrentHashMap<>();

        private final String id;

        FailAfterASegmentsEnd(StreamsClient delegate, String id) {
            super(delegate);
            this.id = id;
        }

        @Override
        public ScanResponse scan(ScanRequest request) {
            if (ARMED.get(id).compareAndSet(1, 2)) {
                throw new IllegalStateException(
                        "Injected failure after a segment's last page (segment "
                                + request.segment()
                                + " asked next)");
            }
            ScanResponse response = super.scan(request);
            if (!response.hasLastEvaluatedKey()) {
                ARMED.get(id).compareAndSet(0, 1);
            }
            return response;
        }
    }
}
