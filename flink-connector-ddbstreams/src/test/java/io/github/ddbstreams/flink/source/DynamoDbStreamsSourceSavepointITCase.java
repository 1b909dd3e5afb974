package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.Savepoints;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Stop with a savepoint and resume at another parallelism (1 -> 2 -> 1), with writes and real
 * rollovers between the runs: every change arrives exactly once, in order per key. Also checks that
 * a job with a backlog emits its first record within seconds even with a 60 s discovery interval:
 * shards are assigned when readers register, not at a discovery tick.
 */
class DynamoDbStreamsSourceSavepointITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    @TempDir Path savepoints;

    private static JobClient start(
            String arn, String sinkId, int parallelism, @Nullable String savepoint)
            throws Exception {
        return start(arn, sinkId, parallelism, savepoint, StartingPosition.trimHorizon());
    }

    private static JobClient start(
            String arn,
            String sinkId,
            int parallelism,
            @Nullable String savepoint,
            StartingPosition startingPosition)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(500);
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(startingPosition)
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .shardDiscoveryInterval(Duration.ofSeconds(60))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "savepoint")
                .uid("ddb-source")
                .sinkTo(new CollectingSink<>(sinkId))
                .uid("sink");
        return env.executeAsync("savepoint-p" + parallelism);
    }

    private static void await(BooleanSupplier condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return;
            }
            Thread.sleep(50);
        }
    }

    @Test
    void resumesFromSavepointsAcrossRescalingWithEveryChangeOnce() throws Exception {
        String arn = DYNAMODB.createTable("rescale", StreamViewType.NEW_AND_OLD_IMAGES);
        String sink = "rescale";
        VersionedWorkload workload =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "rescale", 50, 11);
        workload.write(300);

        long start = System.nanoTime();
        JobClient first = start(arn, sink, 1, null);
        await(() -> !CollectingSink.results(sink).isEmpty(), Duration.ofSeconds(30));
        long firstRecordMillis = (System.nanoTime() - start) / 1_000_000;
        await(() -> CollectingSink.results(sink).size() >= 300, Duration.ofSeconds(60));
        DYNAMODB.triggerShardRollovers();
        workload.write(100);
        String savepoint1 = Savepoints.stopWithSavepoint(first, savepoints.toString());

        DYNAMODB.triggerShardRollovers();
        workload.write(100);
        JobClient second = start(arn, sink, 2, savepoint1);
        await(() -> CollectingSink.results(sink).size() >= 500, Duration.ofSeconds(60));
        DYNAMODB.triggerShardRollovers();
        workload.write(100);
        await(() -> CollectingSink.results(sink).size() >= 550, Duration.ofSeconds(60));
        String savepoint2 = Savepoints.stopWithSavepoint(second, savepoints.toString());

        workload.write(100);
        JobClient third = start(arn, sink, 1, savepoint2);
        await(
                () -> CollectingSink.results(sink).size() >= workload.changes(),
                Duration.ofSeconds(60));
        Thread.sleep(500); // a duplicate would arrive now
        third.cancel().get();

        List<ChangeEvent> received = CollectingSink.results(sink);
        System.out.printf(
                "first record after %d ms; %d changes over 3 runs%n",
                firstRecordMillis, received.size());
        // Well under the 60 s discovery interval, with room for a slow machine's job start.
        assertThat(firstRecordMillis).isLessThan(30_000);
        assertThat(received).hasSize(workload.changes());
        assertThat(workload.verify(received)).isEmpty();
    }

    /**
     * LATEST is the job's start, not a reader's: a job stopped before any record arrived and
     * restored later still reads everything written in between (a connector that resolves LATEST
     * again on restore loses those records).
     */
    @Test
    void latestIsFixedAtJobStartEvenAcrossARestoreBeforeTheFirstRecord() throws Exception {
        String arn = DYNAMODB.createTable("latest", StreamViewType.NEW_AND_OLD_IMAGES);
        String sink = "latest";
        DYNAMODB.putItems("latest", "before-", 50); // before the job: never read

        JobClient first = start(arn, sink, 2, null, StartingPosition.latest());
        Thread.sleep(3000); // readers hold the job-start iterators and poll an idle stream
        String savepoint = Savepoints.stopWithSavepoint(first, savepoints.toString());
        assertThat(CollectingSink.<ChangeEvent>results(sink)).isEmpty();

        VersionedWorkload after =
                new VersionedWorkload(DYNAMODB.dynamoDbClient(), "latest", 20, 22);
        after.write(40); // while the job is stopped
        JobClient second = start(arn, sink, 2, savepoint, StartingPosition.latest());
        await(() -> CollectingSink.results(sink).size() >= 40, Duration.ofSeconds(60));
        Thread.sleep(500);
        second.cancel().get();

        List<ChangeEvent> received = CollectingSink.results(sink);
        assertThat(received).hasSize(after.changes());
        assertThat(after.verify(received)).isEmpty();
    }
}
