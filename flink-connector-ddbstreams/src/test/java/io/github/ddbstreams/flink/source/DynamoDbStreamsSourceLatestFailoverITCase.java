package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.highavailability.nonha.embedded.HaLeadershipControl;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * LATEST across a JobManager failover before the first checkpoint (checkpointing is off): the new
 * JobMaster creates a fresh enumerator from the job graph, and it must not take LATEST again.
 * Records written between the first start and the failover, on a shard that closed in between and
 * on its child, and records written across the failover, are all emitted after it.
 */
class DynamoDbStreamsSourceLatestFailoverITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final String TABLE = "latest_failover";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Keys seen by the operators that opened before / after the failover, by run. */
    private static final Set<String> SEEN_BEFORE = ConcurrentHashMap.newKeySet();

    private static final Set<String> SEEN_AFTER = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger OPENED_AFTER = new AtomicInteger();
    private static volatile long failoverAtNanos = Long.MAX_VALUE;

    @Test
    void nothingWrittenAfterTheFirstStartIsLostByAJobManagerFailoverBeforeAnyCheckpoint()
            throws Exception {
        DynamoDbLocal dynamoDb = DYNAMODB.get();
        String arn = dynamoDb.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
        dynamoDb.putItems(TABLE, "before-", 20);

        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(2)
                                .setHaServices(MiniCluster.HaServices.WITH_LEADERSHIP_CONTROL)
                                .withRandomPorts()
                                .build());
        cluster.start();
        try {
            JobID job = submit(cluster, arn);
            probeUntilReading(dynamoDb);

            // Between the first start and the failover, on a shard closed in between and its child.
            Set<String> afterStart = new HashSet<>(write(dynamoDb, "between-a-", 50));
            dynamoDb.triggerShardRollovers();
            afterStart.addAll(write(dynamoDb, "between-b-", 50));
            await(() -> SEEN_BEFORE.containsAll(afterStart), "read before the failover");

            failoverAtNanos = System.nanoTime();
            HaLeadershipControl leadership = cluster.getHaLeadershipControl().orElseThrow();
            leadership.revokeJobMasterLeadership(job).get();
            afterStart.addAll(write(dynamoDb, "across-a-", 50));
            leadership.grantJobMasterLeadership(job).get();
            afterStart.addAll(write(dynamoDb, "across-b-", 50));
            await(() -> OPENED_AFTER.get() > 0, "the job restarted");
            afterStart.addAll(write(dynamoDb, "after-", 50));

            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (!SEEN_AFTER.containsAll(afterStart) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Set<String> missing = new TreeSet<>(afterStart);
            missing.removeAll(SEEN_AFTER);
            assertThat(missing)
                    .as(
                            "of %d written after the first start, lost by the failover",
                            afterStart.size())
                    .isEmpty();
            cluster.cancelJob(job).get();
        } finally {
            cluster.close();
        }
    }

    private static JobID submit(MiniCluster cluster, String arn) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        // No checkpointing: the failover finds no checkpoint to restore the enumerator from.
        StreamExecutionEnvironment env =
                new TestStreamEnvironment(cluster, conf, 2, List.of(), List.of());
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(StartingPosition.latest())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(100))
                        .shardDiscoveryInterval(Duration.ofMillis(500))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "ddb-streams")
                .map(new Recorder())
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync("latest-failover").getJobID();
    }

    /**
     * Writes one probe item after another until the job emits one: from then on the job has
     * resolved LATEST, and whatever is written counts as written after its start.
     */
    private static void probeUntilReading(DynamoDbLocal dynamoDb) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        for (int i = 0; SEEN_BEFORE.stream().noneMatch(k -> k.startsWith("probe-")); i++) {
            assertThat(System.nanoTime()).as("the job emits a probe").isLessThan(deadline);
            dynamoDb.putItem(
                    TABLE, Map.of(DynamoDbLocal.HASH_KEY, AttributeValue.fromS("probe-" + i)));
            Thread.sleep(200);
        }
    }

    private static Set<String> write(DynamoDbLocal dynamoDb, String prefix, int count) {
        dynamoDb.putItems(TABLE, prefix, count);
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < count; i++) {
            keys.add(prefix + i);
        }
        return keys;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** Notes each record's key, in the set of the side of the failover this instance opened on. */
    private static final class Recorder extends RichMapFunction<ChangeEvent, String> {
        private static final long serialVersionUID = 1L;
        private transient Set<String> seen;

        @Override
        public void open(OpenContext openContext) {
            boolean after = System.nanoTime() >= failoverAtNanos;
            seen = after ? SEEN_AFTER : SEEN_BEFORE;
            if (after) {
                OPENED_AFTER.incrementAndGet();
            }
        }

        @Override
        public String map(ChangeEvent event) {
            String key = event.getKeys().get(DynamoDbLocal.HASH_KEY).s();
            seen.add(key);
            return key;
        }
    }
}
