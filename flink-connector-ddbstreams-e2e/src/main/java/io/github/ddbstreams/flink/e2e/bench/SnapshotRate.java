package io.github.ddbstreams.flink.e2e.bench;

import static io.github.ddbstreams.flink.e2e.bench.SnapshotBenchmark.PAGE_SIZE;
import static io.github.ddbstreams.flink.e2e.bench.SnapshotBenchmark.PARALLELISM;
import static io.github.ddbstreams.flink.e2e.bench.SnapshotBenchmark.SEGMENTS;
import static io.github.ddbstreams.flink.e2e.bench.SnapshotBenchmark.TABLE;
import static io.github.ddbstreams.flink.e2e.bench.SnapshotBenchmark.TARGET_RATIO;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.PrintStream;
import java.util.List;

/**
 * Part 1 of {@link SnapshotBenchmark}: the rate of a bounded snapshot job against {@link RawScan}
 * over the same table, segments and page size.
 */
final class SnapshotRate {
    private static final int RATE_ROUNDS = 3;

    private SnapshotRate() {}

    /**
     * Part 1; returns the best baseline run (its read units size the budget of part 2). The job and
     * the raw loop take turns, {@value #RATE_ROUNDS} rounds after an unreported warm-up of each,
     * and the best run of each is compared: DynamoDB Local's server, in this JVM, is still being
     * compiled during the first runs (a raw loop ran 40 % faster right after a job than right
     * before it), so a single run of either side mostly measures when it ran.
     */
    static RawScan run(DynamoDbLocal local, int items, PrintStream log, List<BenchResult> results)
            throws Exception {
        runJob(local, items);
        rawScan(local, items);
        RawScan base = null;
        EmitStats best = null;
        long bestWall = 0;
        for (int round = 1; round <= RATE_ROUNDS; round++) {
            EmitStats stats = EmitStats.open();
            long wall;
            try {
                wall =
                        BenchJobs.runBounded(
                                SnapshotBenchmark.source(local).bounded().build(),
                                PARALLELISM,
                                stats);
            } finally {
                stats.close();
            }
            checkEmitted(stats, items);
            RawScan raw = rawScan(local, items);
            log.printf(
                    "snapshot: round %d: job %.0f items/s first to last row (subtasks %.0f and"
                            + " %.0f; %d and %d rows), %.0f start to finish (%d ms); raw Scan %.0f"
                            + " items/s (%.0f start to end, %.0f read units)%n",
                    round,
                    stats.totalRate(),
                    stats.rate(0),
                    stats.rate(1),
                    stats.countBySubtask.get(0),
                    stats.countBySubtask.get(1),
                    items * 1e9 / wall,
                    wall / 1_000_000,
                    raw.rate(),
                    raw.wallRate(),
                    raw.readUnits);
            if (best == null || stats.totalRate() > best.totalRate()) {
                best = stats;
                bestWall = wall;
            }
            if (base == null || raw.rate() > base.rate()) {
                base = raw;
            }
        }
        double rate = best.totalRate();
        double wallRate = items * 1e9 / bestWall;
        log.printf(
                "snapshot: best of %d: job %.0f items/s, raw Scan %.0f items/s (%.2f)%n",
                RATE_ROUNDS, rate, base.rate(), rate / base.rate());
        String name =
                String.format(
                        "snapshot/dynamodb-local %,d items, p=%d, %d segments",
                        items, PARALLELISM, SEGMENTS);
        String baseName = PARALLELISM + " threads parallel Scan loop";
        results.add(
                new BenchResult(
                        name,
                        "items/s, first to last row, best of " + RATE_ROUNDS,
                        rate,
                        "items/s",
                        baseName + ", best of " + RATE_ROUNDS,
                        base.rate(),
                        ">= 0.90 x baseline",
                        rate / base.rate() >= TARGET_RATIO));
        results.add(
                new BenchResult(
                        name,
                        "items/s, job start to finish (the best run)",
                        wallRate,
                        "items/s",
                        baseName + ", start to end",
                        base.wallRate(),
                        "",
                        null));
        return base;
    }

    /** One unreported bounded snapshot job (the warm-up). */
    private static void runJob(DynamoDbLocal local, int items) throws Exception {
        EmitStats stats = EmitStats.open();
        try {
            BenchJobs.runBounded(
                    SnapshotBenchmark.source(local).bounded().build(), PARALLELISM, stats);
        } finally {
            stats.close();
        }
        checkEmitted(stats, items);
    }

    private static void checkEmitted(EmitStats stats, int items) {
        if (stats.total.get() != items) {
            throw new IllegalStateException(
                    "The snapshot job emitted " + stats.total.get() + " rows, not " + items);
        }
    }

    private static RawScan rawScan(DynamoDbLocal local, int items) throws Exception {
        return checked(
                RawScan.run(local.dynamoDbClient(), TABLE, SEGMENTS, PAGE_SIZE, PARALLELISM),
                items);
    }

    private static RawScan checked(RawScan scan, int items) {
        if (scan.count != items) {
            throw new IllegalStateException("The raw Scan read " + scan.count + " items");
        }
        return scan;
    }
}
