package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.highavailability.nonha.embedded.HaLeadershipControl;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Exactly-once and per-key order under injected failures: a background thread writes inserts,
 * updates and deletes over 500 keys (each change carrying a per-key version) while the job runs and
 * while DynamoDB Local rolls its shards over; a mapper throws at planned points (mid-shard, on the
 * first record after a shard end, right after a restore), and a keyed verifier checks, in Flink
 * keyed state, that every key sees each of its changes exactly once and in order. Parameterized
 * over the extra failover (none, a TaskManager, the JobMaster's leadership) and parallelism 1 and
 * 3.
 *
 * <p>Each run prints a summary. Its {@code lost} counts changes a verifier skipped in any attempt,
 * including attempts a restore rolled back; {@code in final state} counts those the surviving keyed
 * state skipped. A failing run lists lost changes with the shard and attempt that emitted each, or
 * "by no attempt" when the source never emitted it (the reader skipped it).
 *
 * <p>CI runs a short version (one run of 3,000 changes per case). The long version: 50,000 changes
 * a run, 4 runs per case, so 24 runs over the 6 cases (about 30 minutes on 2 cores):
 *
 * <pre>
 * mvn -B -pl flink-connector-ddbstreams -am test -Dtest=DynamoDbStreamsSourceFailoverITCase \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfailover.changes=50000 -Dfailover.runs=4
 * </pre>
 *
 * <p>Other knobs: {@code -Dfailover.kinds=TASK,JOB_MANAGER} and {@code -Dfailover.parallelisms=3}
 * pick cases; {@code -Dfailover.keys} (default 500) sets the key count.
 */
class DynamoDbStreamsSourceFailoverITCase {

    private static final int KEYS = Integer.getInteger("failover.keys", 500);
    private static final int CHANGES = Integer.getInteger("failover.changes", 3000);
    private static final int RUNS = Integer.getInteger("failover.runs", 1);
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(120);

    /**
     * A fresh DynamoDB Local per run: its single SQLite queue slows down as earlier runs' stream
     * records pile up (a second 50,000-change run in the same instance took minutes, not seconds).
     */
    private static volatile DynamoDbLocal dynamoDb;

    /** What else fails besides the tasks the mapper makes throw. */
    enum FailoverKind {
        TASK,
        TASK_MANAGER,
        JOB_MANAGER
    }

    /** All cases, or those named by {@code failover.kinds} and {@code failover.parallelisms}. */
    static Stream<Arguments> cases() {
        List<String> kinds =
                List.of(
                        System.getProperty("failover.kinds", "TASK,TASK_MANAGER,JOB_MANAGER")
                                .split(","));
        List<String> parallelisms =
                List.of(System.getProperty("failover.parallelisms", "1,3").split(","));
        return kinds.stream()
                .map(kind -> FailoverKind.valueOf(kind.trim()))
                .flatMap(
                        kind ->
                                parallelisms.stream()
                                        .map(p -> Arguments.of(kind, Integer.parseInt(p.trim()))));
    }

    @ParameterizedTest(name = "{0}, parallelism {1}")
    @MethodSource("cases")
    void everyChangeExactlyOnceInOrderPerKey(FailoverKind kind, int parallelism) throws Exception {
        long start = System.nanoTime();
        long changes = 0;
        long rollovers = 0;
        long failures = 0;
        long lost = 0;
        long duplicated = 0;
        long reordered = 0;
        for (int i = 0; i < RUNS; i++) {
            FailoverRun run = runOnce(kind, parallelism, i);
            changes += run.workload.changes();
            rollovers += run.rollovers.get();
            failures += run.failuresInjected.get();
            lost += run.lostInFinalState();
            duplicated += run.duplicated.get();
            reordered += run.reordered.get();
        }
        // Each run asserted its own counts; this line sums them for the long run's report.
        System.out.printf(
                "FAILOVER SUMMARY %s p=%d: runs=%d changes=%d rollovers=%d failures injected=%d"
                        + " (+%d %s failovers) lost=%d duplicated=%d reordered=%d wall=%.1f s%n",
                kind,
                parallelism,
                RUNS,
                changes,
                rollovers,
                failures,
                kind == FailoverKind.TASK ? 0 : RUNS,
                kind,
                lost,
                duplicated,
                reordered,
                (System.nanoTime() - start) / 1e9);
    }

    private FailoverRun runOnce(FailoverKind kind, int parallelism, int index) throws Exception {
        long start = System.nanoTime();
        String table = ("failover-" + kind + "-p" + parallelism + "-" + index).toLowerCase();
        dynamoDb = DynamoDbLocal.start();
        String arn = dynamoDb.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(dynamoDb.dynamoDbClient(), table, KEYS, 31L * index + 7);
        FailoverRun run = FailoverRun.register(table, workload, CHANGES);
        MiniCluster cluster = startCluster(parallelism);
        try {
            JobID job = submit(cluster, run.id, arn, parallelism);
            CountDownLatch externalFailoverDone = new CountDownLatch(1);
            CompletableFuture<Void> writer =
                    CompletableFuture.runAsync(() -> write(run, externalFailoverDone));

            await(() -> run.seen.get() >= CHANGES * 35L / 100, Duration.ofSeconds(120));
            int opensBefore = run.verifierOpens.get();
            failOver(kind, cluster, job);
            externalFailoverDone.countDown();
            if (kind != FailoverKind.TASK) {
                await(() -> run.verifierOpens.get() > opensBefore, Duration.ofSeconds(60));
                assertThat(run.verifierOpens.get())
                        .as("the %s failover restarted the job", kind)
                        .isGreaterThan(opensBefore);
            }

            writer.get(10, TimeUnit.MINUTES);
            await(() -> run.unfinishedKeys().isEmpty(), FINISH_TIMEOUT);
            Thread.sleep(500); // a late duplicate would arrive now
            cluster.cancelJob(job).get();

            String summary =
                    String.format(
                            "run %d (%s, p=%d): changes=%d rollovers=%d failures injected=%d %s"
                                    + " restarts(verifier opens)=%d lost=%d (in final state %d)"
                                    + " duplicated=%d reordered=%d unknown=%d wall=%.1f s%s",
                            index,
                            kind,
                            parallelism,
                            workload.changes(),
                            run.rollovers.get(),
                            run.failuresInjected.get(),
                            run.failuresByPhase,
                            run.verifierOpens.get(),
                            run.skipped.size(),
                            run.lostInFinalState(),
                            run.duplicated.get(),
                            run.reordered.get(),
                            run.unknown.get(),
                            (System.nanoTime() - start) / 1e9,
                            run.skipped.isEmpty()
                                    ? ""
                                    : "\n  lost changes (first 10) and where they were emitted:\n    "
                                            + String.join("\n    ", run.describeSkipped(10)));
            System.out.println(summary);
            assertThat(run.violations).as(summary).isEmpty();
            assertThat(run.unfinishedKeys()).as(summary).isEmpty();
            assertThat(workload.writtenKeys()).as(summary).hasSize(KEYS);
            assertThat(run.failuresInjected.get())
                    .as(summary)
                    .isEqualTo(run.plannedFailures())
                    .isGreaterThanOrEqualTo(5);
            return run;
        } finally {
            cluster.close();
            FailoverRun.unregister(run.id);
            dynamoDb.close();
        }
    }

    private static MiniCluster startCluster(int parallelism) throws Exception {
        // One TaskManager holding the whole job, so terminating it always hits the job; a new one
        // is started right after. The HA services let the test revoke the JobMaster's leadership.
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(parallelism)
                                .setHaServices(MiniCluster.HaServices.WITH_LEADERSHIP_CONTROL)
                                .withRandomPorts()
                                .build());
        cluster.start();
        return cluster;
    }

    private static JobID submit(MiniCluster cluster, String runId, String arn, int parallelism)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(250));
        // A checkpoint cut short by a failover must not count as one more failure.
        conf.set(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER, Integer.MAX_VALUE);
        StreamExecutionEnvironment env =
                new TestStreamEnvironment(cluster, conf, parallelism, List.of(), List.of());
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(dynamoDb.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .shardDiscoveryInterval(Duration.ofMillis(500))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "ddb-streams")
                .map(new FailoverOperators.FailureInjector(runId))
                .keyBy(VersionedWorkload::keyOf, Types.STRING)
                .process(new FailoverOperators.Verifier(runId))
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("failover-" + runId).getJobID();
    }

    /**
     * Writes the workload in batches with a rollover after each, keeping the job at most two
     * batches behind so that the failures fall while changes and rollovers keep coming. Writes on
     * until every planned failure fired (a shard-end failure needs a rollover after it is due),
     * then one last change per key once nothing else will fail: each key's end is then verified by
     * the final attempt.
     */
    private static void write(FailoverRun run, CountDownLatch externalFailoverDone) {
        VersionedWorkload workload = run.workload;
        int batch = Math.max(100, Math.min(2500, CHANGES / 15));
        while (workload.changes() < CHANGES
                || (!run.allPlannedFailuresFired() && workload.changes() < 3L * CHANGES)) {
            workload.write(Math.min(batch, Math.max(100, CHANGES - workload.changes())));
            dynamoDb.triggerShardRollovers();
            run.rollovers.incrementAndGet();
            awaitUnchecked(
                    () -> run.verifiedChanges() >= workload.changes() - 2L * batch,
                    Duration.ofSeconds(15));
        }
        awaitUnchecked(() -> externalFailoverDone.getCount() == 0, Duration.ofSeconds(120));
        workload.touchEveryKey();
    }

    private static void failOver(FailoverKind kind, MiniCluster cluster, JobID job)
            throws Exception {
        switch (kind) {
            case TASK:
                return;
            case TASK_MANAGER:
                cluster.terminateTaskManager(0).get();
                cluster.startTaskManager();
                return;
            case JOB_MANAGER:
                HaLeadershipControl leadership = cluster.getHaLeadershipControl().orElseThrow();
                leadership.revokeJobMasterLeadership(job).get();
                Thread.sleep(200);
                leadership.grantJobMasterLeadership(job).get();
                return;
            default:
                throw new IllegalArgumentException(kind.toString());
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    private static void awaitUnchecked(BooleanSupplier condition, Duration timeout) {
        try {
            await(condition, timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
