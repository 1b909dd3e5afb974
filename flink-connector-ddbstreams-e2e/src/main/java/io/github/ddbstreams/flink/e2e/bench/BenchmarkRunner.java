package io.github.ddbstreams.flink.e2e.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the performance benchmarks and writes their results, each with its same-run baseline, as a
 * markdown table. See docs/benchmarks.md for what each one measures.
 *
 * <pre>
 * BenchmarkRunner [--long] [--out FILE] [BENCHMARK...]
 * </pre>
 *
 * Without benchmark names it runs all of them, in the order of {@link #BENCHMARKS}. It runs in a
 * JVM of its own (exec:exec, see the e2e pom), because a mini cluster needs Flink on the system
 * class path.
 */
public final class BenchmarkRunner {

    /** One benchmark: a name on the command line and what it runs. */
    @FunctionalInterface
    interface Benchmark {
        List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception;
    }

    /** Every benchmark by name; memory first, while the heap is clean. */
    static final Map<String, Benchmark> BENCHMARKS = new LinkedHashMap<>();

    static {
        BENCHMARKS.put("memory", ReaderMemoryBenchmark::run);
        BENCHMARKS.put("enumerator", EnumeratorScaleBenchmark::run);
        BENCHMARKS.put("idle", IdleCostBenchmark::run);
        BENCHMARKS.put("drain-fake", BacklogDrainBenchmark::fake);
        BENCHMARKS.put("drain-local", BacklogDrainBenchmark::dynamoDbLocal);
        BENCHMARKS.put("latency", SteadyLatencyBenchmark::run);
        BENCHMARKS.put("rollover-fake", RolloverGapBenchmark::fake);
        BENCHMARKS.put("rollover-local", RolloverGapBenchmark::dynamoDbLocal);
        BENCHMARKS.put("snapshot", SnapshotBenchmark::run);
    }

    private BenchmarkRunner() {}

    public static void main(String[] args) throws Exception {
        // Before anything logs: DynamoDB Local brings log4j configurations of its own.
        System.setProperty("log4j2.configurationFile", "log4j2-demo.properties");
        BenchMode mode = BenchMode.SHORT;
        Path out = Path.of("target", "benchmarks.md");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--long":
                    mode = BenchMode.LONG;
                    break;
                case "--short":
                    mode = BenchMode.SHORT;
                    break;
                case "--out":
                    out = Path.of(args[++i]);
                    break;
                default:
                    if (!BENCHMARKS.containsKey(args[i])) {
                        System.err.println(
                                "Unknown benchmark '"
                                        + args[i]
                                        + "'; known: "
                                        + BENCHMARKS.keySet()
                                        + " (options: --long, --out FILE)");
                        System.exit(2);
                    }
                    names.add(args[i]);
            }
        }
        List<BenchResult> results = run(mode, names, System.out);
        write(out, mode, results);
        System.out.println();
        System.out.println(table(results));
        System.out.println("Written to " + out.toAbsolutePath());
        // DynamoDB Local leaves non-daemon threads behind.
        System.exit(0);
    }

    /** Runs the named benchmarks (all if none), logging progress to {@code log}. */
    public static List<BenchResult> run(BenchMode mode, List<String> names, PrintStream log)
            throws Exception {
        List<BenchResult> results = new ArrayList<>();
        for (Map.Entry<String, Benchmark> benchmark : BENCHMARKS.entrySet()) {
            if (!names.isEmpty() && !names.contains(benchmark.getKey())) {
                continue;
            }
            long start = System.nanoTime();
            log.printf("=== %s (%s mode)%n", benchmark.getKey(), mode);
            List<BenchResult> produced = benchmark.getValue().run(mode, log);
            for (BenchResult r : produced) {
                log.println(r.toMarkdownRow());
            }
            log.printf(
                    "=== %s done in %d s%n",
                    benchmark.getKey(), (System.nanoTime() - start) / 1_000_000_000L);
            results.addAll(produced);
        }
        return results;
    }

    /** The results as a markdown table. */
    public static String table(List<BenchResult> results) {
        StringBuilder table = new StringBuilder(BenchResult.markdownHeader()).append('\n');
        for (BenchResult r : results) {
            table.append(r.toMarkdownRow()).append('\n');
        }
        return table.toString();
    }

    /** Writes the table with a line on the mode and the machine. */
    public static void write(Path file, BenchMode mode, List<BenchResult> results)
            throws IOException {
        String header =
                String.format(
                        "# Benchmark results (%s mode)%n%n%s, %d cores, Java %s, max heap %d MB,"
                                + " %s%n%n",
                        mode,
                        Instant.now(),
                        Runtime.getRuntime().availableProcessors(),
                        System.getProperty("java.version"),
                        Runtime.getRuntime().maxMemory() >> 20,
                        ManagementFactory.getOperatingSystemMXBean().getName());
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, header + table(results), StandardCharsets.UTF_8);
    }
}
