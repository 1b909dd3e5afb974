package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;

/**
 * Benchmark 4, idle cost: an unbounded job (parallelism 1, default settings) on a fake stream of
 * many open shards that get no records. Once every shard has been polled, the fake's call counters
 * are read over a window: GetRecords and DescribeStream calls per shard per minute, against the
 * rate the idle poll interval allows (60 per minute at 1 s). The process's CPU use over the window
 * is reported too, to show there is no busy loop.
 */
final class IdleCostBenchmark {
    private IdleCostBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        int shards = mode.pick(200, 1000);
        Duration window = Duration.ofSeconds(mode.pick(20, 60));
        long intervalMillis =
                new Configuration().get(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL).toMillis();
        double allowedPerMinute = 60_000.0 / intervalMillis;
        FakeStreamsClient fake = new FakeStreamsClient();
        for (int i = 0; i < shards; i++) {
            fake.addShard(null);
        }
        var factory = FakeStreamsClients.factoryFor(fake);
        EmitStats stats = EmitStats.open();
        try {
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .streamArn(FakeStreamsClient.STREAM_ARN)
                            .startingPosition(StartingPosition.trimHorizon())
                            .streamsClientFactory(factory)
                            .build();
            JobClient job = BenchJobs.start(source, 1, stats, null);
            long getRecords;
            long describe;
            long iterators;
            long cpuNanos;
            long windowNanos;
            try {
                BenchJobs.await(
                        job,
                        () -> fake.getRecordsCalls.get() >= shards,
                        Duration.ofSeconds(60),
                        "every shard polled once");
                Thread.sleep(2000);
                long g0 = fake.getRecordsCalls.get();
                long d0 = fake.describeStreamCalls.get() + fake.listChildShardsCalls.get();
                long i0 = fake.getShardIteratorCalls.get();
                long c0 = processCpuNanos();
                long t0 = System.nanoTime();
                Thread.sleep(window.toMillis());
                getRecords = fake.getRecordsCalls.get() - g0;
                describe = fake.describeStreamCalls.get() + fake.listChildShardsCalls.get() - d0;
                iterators = fake.getShardIteratorCalls.get() - i0;
                cpuNanos = processCpuNanos() - c0;
                windowNanos = System.nanoTime() - t0;
            } finally {
                BenchJobs.cancel(job);
            }
            double minutes = windowNanos / 60e9;
            String name = String.format("idle/fake %,d idle shards, p=1", shards);
            String base = String.format("1 call per %d ms", intervalMillis);
            double getRecordsRate = getRecords / minutes / shards;
            double describeRate = describe / minutes / shards;
            log.printf(
                    "%s: over %.1f s: %d GetRecords, %d DescribeStream, %d GetShardIterator,"
                            + " %.1f CPU s%n",
                    name, windowNanos / 1e9, getRecords, describe, iterators, cpuNanos / 1e9);
            List<BenchResult> results = new ArrayList<>();
            results.add(
                    new BenchResult(
                            name,
                            "GetRecords calls per shard per minute",
                            getRecordsRate,
                            "/shard/min",
                            base,
                            allowedPerMinute,
                            "<= 1 per shard per interval",
                            getRecordsRate <= allowedPerMinute * 1.02));
            results.add(
                    new BenchResult(
                            name,
                            "DescribeStream calls per shard per minute",
                            describeRate,
                            "/shard/min",
                            "full listing every 10 s",
                            Math.ceil(shards / 100.0) * 6 / shards,
                            "",
                            null));
            results.add(
                    new BenchResult(
                            name,
                            "GetShardIterator calls per shard per minute",
                            iterators / minutes / shards,
                            "/shard/min",
                            base,
                            allowedPerMinute,
                            "0 once iterators are held",
                            iterators == 0));
            results.add(
                    new BenchResult(
                            name,
                            "process CPU while idle (whole mini cluster)",
                            100.0 * cpuNanos / windowNanos,
                            "% of a core",
                            "one core",
                            100,
                            "no busy loop",
                            null));
            return results;
        } finally {
            stats.close();
            FakeStreamsClients.remove(fake);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
