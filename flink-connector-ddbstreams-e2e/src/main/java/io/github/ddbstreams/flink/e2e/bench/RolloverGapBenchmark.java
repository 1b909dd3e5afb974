package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Benchmark 3, rollover gap: a steady write load with forced shard rollovers; for every parent and
 * child that both emitted records, the time from the parent's last record emitted to the child's
 * first record emitted, p50/p99. The shard discovery interval stays at its default, so a gap below
 * it shows the interval is not the floor. The write gap (child's first write minus parent's last
 * write) is reported alongside: that part of the gap is the load's, not the connector's.
 */
final class RolloverGapBenchmark {
    private static final long TARGET_MILLIS = 1000;

    private RolloverGapBenchmark() {}

    static List<BenchResult> dynamoDbLocal(BenchMode mode, PrintStream log) throws Exception {
        int rollovers = mode.pick(5, 20);
        int writesPerSecond = 50;
        long rolloverEveryMillis = 3000;
        EmitStats stats = EmitStats.open();
        try (DynamoDbLocal local = DynamoDbLocal.start()) {
            String arn = local.createTable("rollover", StreamViewType.NEW_AND_OLD_IMAGES);
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .streamArn(arn)
                            .startingPosition(StartingPosition.trimHorizon())
                            .awsConfig(local.awsConfig())
                            .build();
            JobClient job = BenchJobs.start(source, 1, stats, SteadyLatencyBenchmark.WRITE_TIME);
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
            AtomicLong written = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            try {
                // Writes and rollovers share a thread: a rollover falls between two writes.
                writer.scheduleAtFixedRate(
                        () -> {
                            try {
                                local.putItem(
                                        "rollover",
                                        Map.of(
                                                DynamoDbLocal.HASH_KEY,
                                                AttributeValue.fromS("item-" + written.get() % 100),
                                                SteadyLatencyBenchmark.WRITE_TIME,
                                                AttributeValue.fromN(
                                                        Long.toString(System.nanoTime()))));
                                written.incrementAndGet();
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                            }
                        },
                        0,
                        1_000_000 / writesPerSecond,
                        TimeUnit.MICROSECONDS);
                writer.scheduleAtFixedRate(
                        local::triggerShardRollovers,
                        rolloverEveryMillis,
                        rolloverEveryMillis,
                        TimeUnit.MILLISECONDS);
                Thread.sleep(rolloverEveryMillis * rollovers + rolloverEveryMillis / 2);
                writer.shutdown();
                writer.awaitTermination(10, TimeUnit.SECONDS);
                if (failure.get() != null) {
                    throw new IllegalStateException("writes failed", failure.get());
                }
                long expected = written.get();
                BenchJobs.await(
                        job,
                        () -> stats.total.get() >= expected,
                        Duration.ofSeconds(60),
                        "every write");
            } finally {
                writer.shutdownNow();
                BenchJobs.cancel(job);
            }
            Map<String, String> parents = new HashMap<>();
            String start = null;
            do {
                String from = start;
                var description =
                        local.streamsClient()
                                .describeStream(r -> r.streamArn(arn).exclusiveStartShardId(from))
                                .streamDescription();
                description.shards().forEach(s -> parents.put(s.shardId(), s.parentShardId()));
                start = description.lastEvaluatedShardId();
            } while (start != null);
            return gaps(
                    String.format(
                            "rollover/dynamodb-local %d writes/s, rollover every %d s",
                            writesPerSecond, rolloverEveryMillis / 1000),
                    parents,
                    stats,
                    log);
        } finally {
            stats.close();
        }
    }

    static List<BenchResult> fake(BenchMode mode, PrintStream log) throws Exception {
        int lineages = 8;
        long rolloverEveryMillis = 250;
        Duration duration = Duration.ofSeconds(mode.pick(10, 60));
        FakeStreamsClient fake = new FakeStreamsClient();
        fake.setClock(System.currentTimeMillis());
        fake.setGetRecordsLatencyMillis(10);
        List<String> open = new ArrayList<>();
        Map<String, String> parents = new HashMap<>();
        for (int i = 0; i < lineages; i++) {
            open.add(fake.addShard(null));
        }
        var factory = FakeStreamsClients.factoryFor(fake);
        EmitStats stats = EmitStats.open();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        try {
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .streamArn(FakeStreamsClient.STREAM_ARN)
                            .startingPosition(StartingPosition.trimHorizon())
                            .streamsClientFactory(factory)
                            .build();
            JobClient job = BenchJobs.start(source, 2, stats, "version");
            AtomicLong written = new AtomicLong();
            AtomicLong ticks = new AtomicLong();
            try {
                long tickMillis = 10;
                long ticksPerRollover = rolloverEveryMillis / tickMillis;
                writer.scheduleAtFixedRate(
                        () -> {
                            long tick = ticks.incrementAndGet();
                            fake.setClock(System.currentTimeMillis());
                            if (tick % ticksPerRollover == 0) {
                                int lineage = (int) (tick / ticksPerRollover % lineages);
                                String parent = open.get(lineage);
                                String child = fake.rollover(parent);
                                parents.put(child, parent);
                                open.set(lineage, child);
                            }
                            for (String shard : open) {
                                fake.put(shard, "k", OperationType.MODIFY, System.nanoTime());
                                written.incrementAndGet();
                            }
                        },
                        0,
                        tickMillis,
                        TimeUnit.MILLISECONDS);
                Thread.sleep(duration.toMillis());
                writer.shutdown();
                writer.awaitTermination(10, TimeUnit.SECONDS);
                long expected = written.get();
                BenchJobs.await(
                        job,
                        () -> stats.total.get() >= expected,
                        Duration.ofSeconds(60),
                        "every write");
            } finally {
                BenchJobs.cancel(job);
            }
            return gaps(
                    String.format(
                            "rollover/fake %d lineages, p=2, a rollover every %d ms",
                            lineages, rolloverEveryMillis),
                    parents,
                    stats,
                    log);
        } finally {
            writer.shutdownNow();
            stats.close();
            FakeStreamsClients.remove(fake);
        }
    }

    private static List<BenchResult> gaps(
            String name, Map<String, String> parents, EmitStats stats, PrintStream log) {
        List<Double> gaps = new ArrayList<>();
        List<Double> writeGaps = new ArrayList<>();
        parents.forEach(
                (child, parent) -> {
                    EmitStats.ShardTimes c = stats.shards.get(child);
                    EmitStats.ShardTimes p = parent == null ? null : stats.shards.get(parent);
                    if (c != null && p != null) {
                        gaps.add((c.firstEmit - p.lastEmit) / 1e6);
                        writeGaps.add((c.firstWrite - p.lastWrite) / 1e6);
                    }
                });
        Samples gap = new Samples(gaps);
        Samples writeGap = new Samples(writeGaps);
        long discoveryMillis =
                new Configuration()
                        .get(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL)
                        .toMillis();
        log.printf(
                "%s: %d parent/child pairs; write gap p50 %.1f ms p99 %.1f ms%n",
                name, gap.size(), writeGap.percentile(50), writeGap.percentile(99));
        String base = "discovery interval";
        List<BenchResult> results = new ArrayList<>();
        results.add(
                new BenchResult(
                        name,
                        "gap p50 (" + gap.size() + " rollovers)",
                        gap.percentile(50),
                        "ms",
                        base,
                        discoveryMillis,
                        "",
                        null));
        double p99 = gap.percentile(99);
        results.add(
                new BenchResult(
                        name,
                        "gap p99",
                        p99,
                        "ms",
                        base,
                        discoveryMillis,
                        "< 1000 ms",
                        Double.isNaN(p99) ? null : p99 < TARGET_MILLIS));
        results.add(
                new BenchResult(
                        name,
                        "write gap p99 (the load's share)",
                        writeGap.percentile(99),
                        "ms",
                        base,
                        discoveryMillis,
                        "",
                        null));
        return results;
    }
}
