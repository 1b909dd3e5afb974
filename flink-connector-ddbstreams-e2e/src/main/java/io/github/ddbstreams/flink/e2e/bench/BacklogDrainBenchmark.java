package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Benchmark 1, backlog drain: a backlog of N records read in {@code bounded()} mode at parallelism
 * 1 and 2, in records per second per subtask (first to last record emitted), against the {@link
 * RawDrain} baseline on the same endpoint and the same records, measured before and after the jobs
 * (the better of the two counts), after one unreported warm-up job. Two endpoints: DynamoDB Local
 * over HTTP, and the fake endpoint with a per-call latency and many shards, where polling shards
 * concurrently matters.
 */
final class BacklogDrainBenchmark {
    static final double TARGET_RATIO = 0.9;

    /** DynamoDB Local rolls over the shards of all its streams at once: shards come in a chain. */
    private static final int LOCAL_SHARDS = 4;

    private static final int FAKE_LATENCY_MILLIS = 20;

    private BacklogDrainBenchmark() {}

    static List<BenchResult> dynamoDbLocal(BenchMode mode, PrintStream log) throws Exception {
        int records = mode.pick(20_000, 200_000);
        try (DynamoDbLocal local = DynamoDbLocal.start()) {
            String arn = local.createTable("drain", StreamViewType.NEW_AND_OLD_IMAGES);
            long loadStart = System.nanoTime();
            int perShard = records / LOCAL_SHARDS;
            for (int shard = 0; shard < LOCAL_SHARDS; shard++) {
                int from = shard * perShard;
                int to = shard == LOCAL_SHARDS - 1 ? records : from + perShard;
                load(local, from, to);
                if (shard < LOCAL_SHARDS - 1) {
                    local.triggerShardRollovers();
                }
            }
            log.printf(
                    "drain/dynamodb-local: loaded %,d records in %d s%n",
                    records, (System.nanoTime() - loadStart) / 1_000_000_000L);
            Supplier<RawDrain> baseline =
                    () -> RawDrain.withSdk(local.streamsClient(), arn, records);
            Supplier<DynamoDbStreamsSource<ChangeEvent>> source =
                    () ->
                            DynamoDbStreamsSource.<ChangeEvent>builder()
                                    .streamArn(arn)
                                    .startingPosition(StartingPosition.trimHorizon())
                                    .awsConfig(local.awsConfig())
                                    .bounded()
                                    .build();
            return compare("drain/dynamodb-local", records, baseline, source, log);
        }
    }

    static List<BenchResult> fake(BenchMode mode, PrintStream log) throws Exception {
        int records = mode.pick(20_000, 200_000);
        int shards = mode.pick(16, 64);
        FakeStreamsClient fake = new FakeStreamsClient();
        List<String> shardIds = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            shardIds.add(fake.addShard(null));
        }
        for (int i = 0; i < records; i++) {
            fake.put(shardIds.get(i % shards), "item-" + i, OperationType.INSERT, i);
        }
        fake.setGetRecordsLatencyMillis(FAKE_LATENCY_MILLIS);
        var factory = FakeStreamsClients.factoryFor(fake);
        try {
            Supplier<RawDrain> baseline =
                    () -> RawDrain.withClient(fake, FakeStreamsClient.STREAM_ARN, records);
            Supplier<DynamoDbStreamsSource<ChangeEvent>> source =
                    () ->
                            DynamoDbStreamsSource.<ChangeEvent>builder()
                                    .streamArn(FakeStreamsClient.STREAM_ARN)
                                    .startingPosition(StartingPosition.trimHorizon())
                                    .streamsClientFactory(factory)
                                    .bounded()
                                    .build();
            String name =
                    String.format(
                            "drain/fake %d shards, %d ms per GetRecords",
                            shards, FAKE_LATENCY_MILLIS);
            return compare(name, records, baseline, source, log);
        } finally {
            FakeStreamsClients.remove(fake);
        }
    }

    private static List<BenchResult> compare(
            String name,
            int records,
            Supplier<RawDrain> baseline,
            Supplier<DynamoDbStreamsSource<ChangeEvent>> source,
            PrintStream log)
            throws Exception {
        // Warm-up, not reported: the first job in a JVM pays for class loading and JIT compiling.
        EmitStats warmUp = EmitStats.open();
        try {
            BenchJobs.runBounded(source.get(), 1, warmUp);
        } finally {
            warmUp.close();
        }
        RawDrain before = checked(baseline.get(), records, "baseline");
        List<EmitStats> runs = new ArrayList<>();
        List<Long> wallNanos = new ArrayList<>();
        for (int parallelism = 1; parallelism <= 2; parallelism++) {
            EmitStats stats = EmitStats.open();
            try {
                wallNanos.add(BenchJobs.runBounded(source.get(), parallelism, stats));
            } finally {
                stats.close();
            }
            if (stats.total.get() != records) {
                throw new IllegalStateException(
                        String.format(
                                "%s: the job at parallelism %d emitted %d records, not %d",
                                name, parallelism, stats.total.get(), records));
            }
            runs.add(stats);
        }
        RawDrain after = checked(baseline.get(), records, "baseline");
        double base = Math.max(before.rate(), after.rate());
        log.printf(
                "%s: baseline %.0f then %.0f records/s; job wall time p=1 %d ms, p=2 %d ms%n",
                name,
                before.rate(),
                after.rate(),
                wallNanos.get(0) / 1_000_000,
                wallNanos.get(1) / 1_000_000);
        List<BenchResult> results = new ArrayList<>();
        for (int p = 1; p <= 2; p++) {
            EmitStats stats = runs.get(p - 1);
            for (int subtask = 0; subtask < p; subtask++) {
                long count = stats.countBySubtask.get(subtask);
                double rate = stats.rate(subtask);
                String figure =
                        String.format("p=%d subtask %d (%,d records) records/s", p, subtask, count);
                results.add(
                        new BenchResult(
                                name,
                                figure,
                                rate,
                                "rec/s",
                                "1 thread GetRecords loop",
                                base,
                                ">= 0.90 x baseline",
                                Double.isNaN(rate) ? null : rate / base >= TARGET_RATIO));
            }
        }
        return results;
    }

    private static RawDrain checked(RawDrain drain, int records, String what) {
        if (drain.count != records) {
            throw new IllegalStateException(
                    what + " read " + drain.count + " records, not " + records);
        }
        return drain;
    }

    /** Writes items [from, to) with BatchWriteItem on two threads. */
    private static void load(DynamoDbLocal local, int from, int to) throws Exception {
        String payload = "x".repeat(100);
        local.loadItems(
                "drain",
                from,
                to,
                i ->
                        Map.of(
                                DynamoDbLocal.HASH_KEY,
                                AttributeValue.fromS("item-" + i),
                                "value",
                                AttributeValue.fromN(Integer.toString(i)),
                                "payload",
                                AttributeValue.fromS(payload)));
    }
}
