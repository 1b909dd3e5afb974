package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Exactly-once and per-key order across a {@code kill -9} of a TaskManager process, on a real Flink
 * session cluster: a JobManager and two TaskManagers, each a JVM of its own ({@link
 * FlinkProcessCluster}), reading DynamoDB Local, which runs embedded in this JVM and which the
 * TaskManagers reach over HTTP on localhost.
 *
 * <p>The job (parallelism 2, one slot per TaskManager, so both run a reader) keys the changes by
 * item and keeps, in Flink state, every change each item received; {@link KeyedProgressFiles}
 * mirrors that state into one file per item. While the workload is written, with shard rollovers,
 * one TaskManager is killed (SIGKILL) and a replacement is started; the job restores its last
 * checkpoint. Once every item has been written once more, the files must hold every change exactly
 * once and in order.
 *
 * <p>Not Flink's collect sink: in Flink 2.3.0 a collect sink cancelled before it opened throws from
 * its close (FLINK-39330) and the fatal error takes its whole TaskManager down, which a failover
 * with a dead TaskManager still registered does trigger.
 */
class ClusterKillITCase {

    private static final String TABLE = "cluster-kill";
    private static final int KEYS = 250;
    private static final int CHANGES = 3_000;
    private static final int CHUNK = 100;
    private static final int ROLLOVER_EVERY = 700;
    private static final int KILL_AFTER = 1_000;
    private static final long SEED = 20240607L;
    private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);

    private static DynamoDbLocal dynamoDb;
    private static FlinkProcessCluster cluster;
    private static Path clusterDir;
    private static double clusterStartSeconds;

    @BeforeAll
    static void startDynamoDbAndCluster() throws Exception {
        long startNanos = System.nanoTime();
        dynamoDb = DynamoDbLocal.start();
        Path target = Files.createDirectories(Paths.get("target"));
        // Under target/, not a temp dir: the processes' logs stay for a post-mortem.
        clusterDir = Files.createTempDirectory(target, "flink-cluster-").toAbsolutePath();
        // The job's own functions (this package's test classes) reach the cluster the way a
        // distribution's lib/ would bring them: on the processes' classpath.
        String testClasses =
                Paths.get(
                                ClusterKillITCase.class
                                        .getProtectionDomain()
                                        .getCodeSource()
                                        .getLocation()
                                        .toURI())
                        .toString();
        cluster =
                FlinkProcessCluster.start(
                        clusterDir,
                        FlinkProcessCluster.classpathFromBuild() + File.pathSeparator + testClasses,
                        2,
                        Map.of(
                                // A killed TaskManager is declared lost within seconds, not 50 s.
                                "heartbeat.interval", "1000",
                                "heartbeat.timeout", "5000",
                                "restart-strategy.type", "fixed-delay",
                                "restart-strategy.fixed-delay.attempts", "1000",
                                "restart-strategy.fixed-delay.delay", "500 ms",
                                "execution.checkpointing.interval",
                                        CHECKPOINT_INTERVAL.toMillis() + " ms",
                                "execution.checkpointing.dir",
                                        clusterDir.resolve("checkpoints").toUri().toString(),
                                "pipeline.generic-types", "false"));
        clusterStartSeconds = (System.nanoTime() - startNanos) / 1e9;
    }

    @AfterAll
    static void stopEverything() {
        // Each step runs even if an earlier one throws: no JVM may outlive the test.
        try {
            if (cluster != null) {
                cluster.close();
            }
        } finally {
            if (dynamoDb != null) {
                dynamoDb.close();
            }
        }
    }

    @Test
    void everyChangeExactlyOnceInOrderAcrossATaskManagerKill() throws Exception {
        long startNanos = System.nanoTime();
        String streamArn = dynamoDb.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
        VersionedWorkload workload =
                new VersionedWorkload(dynamoDb.dynamoDbClient(), TABLE, KEYS, SEED);
        Path progress = Files.createDirectories(clusterDir.resolve("progress"));
        JobClient job = submit(streamArn, progress);
        String jobId = job.getJobID().toHexString();

        int rollovers = 0;
        Process killed = null;
        while (workload.changes() < CHANGES) {
            workload.write(CHUNK);
            if (workload.changes() % ROLLOVER_EVERY == 0) {
                dynamoDb.triggerShardRollovers();
                rollovers++;
            }
            if (killed == null && workload.changes() >= KILL_AFTER) {
                // Kill only once checkpoints cover some of the records, so the job must
                // restore one (and rewind its readers) rather than start over.
                awaitCheckpoints(jobId, 2, job);
                killed = cluster.taskManagers().get(0);
                killed.toHandle().destroyForcibly();
                assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
                cluster.startTaskManager();
            }
            // Spread the writes over several checkpoints and over the failover.
            Thread.sleep(150);
        }
        // Each item's last change now comes after the restore: see KeyedProgressFiles.
        workload.touchEveryKey();

        List<String> problems = awaitVerified(workload, progress, streamArn, job);
        // A duplicate could still be on its way: give it a few checkpoints' time to show.
        Thread.sleep(4 * CHECKPOINT_INTERVAL.toMillis());
        List<ChangeEvent> received = KeyedProgressFiles.read(progress, streamArn);
        problems = workload.verify(received);
        int restarts = cluster.jobMetric(jobId, "numRestarts").orElse(-1);
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        job.cancel().get(30, TimeUnit.SECONDS);

        System.out.printf(
                "ClusterKillITCase: cluster up in %.1f s; %d changes over %d keys, %d rollovers,"
                        + " TaskManager killed (exit %d), %d job restarts, %d changes received,"
                        + " %d keys wrong; test %.1f s%n",
                clusterStartSeconds,
                workload.changes(),
                workload.writtenKeys().size(),
                rollovers,
                killed.exitValue(),
                restarts,
                received.size(),
                problems.size(),
                (System.nanoTime() - startNanos) / 1e9);
        assertThat(status).as("job status before cancelling it").isEqualTo(JobStatus.RUNNING);
        assertThat(workload.changes()).isGreaterThanOrEqualTo(CHANGES);
        assertThat(workload.writtenKeys()).hasSizeGreaterThanOrEqualTo(200);
        assertThat(rollovers).isGreaterThanOrEqualTo(3);
        // 128 + SIGKILL: the JVM ran no shutdown hook and released nothing in order.
        assertThat(killed.exitValue()).isEqualTo(128 + 9);
        assertThat(restarts).as("job restarts after the kill").isGreaterThanOrEqualTo(1);
        assertThat(problems).as("lost, duplicated or reordered changes").isEmpty();
        assertThat(received).hasSize(workload.changes());
    }

    private static JobClient submit(String streamArn, Path progress) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createRemoteEnvironment(
                        "localhost", cluster.restPort(), conf);
        env.setParallelism(2);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(streamArn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(dynamoDb.awsConfig())
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "dynamodb-stream")
                .keyBy(VersionedWorkload::keyOf, Types.STRING)
                .process(new KeyedProgressFiles(progress))
                .name("keyed-progress-files")
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("ddbstreams-cluster-kill");
    }

    private static void awaitCheckpoints(String jobId, int count, JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (cluster.completedCheckpoints(jobId) < count) {
            checkRunning(job, "waiting for " + count + " checkpoints");
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "Fewer than " + count + " checkpoints in 60 s\n" + cluster.logTails());
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the files verify, and returns the last problems found if they never do. */
    private static List<String> awaitVerified(
            VersionedWorkload workload, Path progress, String streamArn, JobClient job)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        List<String> problems = workload.verify(KeyedProgressFiles.read(progress, streamArn));
        while (!problems.isEmpty() && System.nanoTime() < deadline) {
            checkRunning(job, "waiting for every change");
            Thread.sleep(500);
            problems = workload.verify(KeyedProgressFiles.read(progress, streamArn));
        }
        return problems;
    }

    private static void checkRunning(JobClient job, String during) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            throw new AssertionError(
                    "The job ended (" + status + ") while " + during + "\n" + cluster.logTails());
        }
    }
}
