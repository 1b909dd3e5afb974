package io.github.ddbstreams.flink.e2e.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs every benchmark in short mode, so CI proves they still run, and writes the results table to
 * {@code target/benchmarks.md}. Asserts only that each benchmark produced its figures: the figures
 * themselves depend on the machine and are reported, not checked (see docs/benchmarks.md).
 */
class BenchmarksSmokeITCase {

    @Test
    void everyBenchmarkProducesItsFiguresInShortMode() throws Exception {
        List<BenchResult> results = BenchmarkRunner.run(BenchMode.SHORT, List.of(), System.out);
        Path table = Path.of("target", "benchmarks.md");
        BenchmarkRunner.write(table, BenchMode.SHORT, results);

        for (String benchmark : BenchmarkRunner.BENCHMARKS.keySet()) {
            String prefix = benchmark.replaceFirst("-.*", "");
            assertThat(results)
                    .as("figures of %s", benchmark)
                    .anyMatch(r -> r.benchmark().startsWith(prefix));
        }
        assertThat(results)
                .allSatisfy(
                        r -> {
                            assertThat(r.baseline()).as(r.figure()).isFinite();
                            // A rate has no value only for a subtask that was given no shard.
                            if (!r.figure().contains("(0 records)")) {
                                assertThat(r.value())
                                        .as(r.benchmark() + ": " + r.figure())
                                        .isNotNaN();
                            }
                        });
        assertThat(Files.readString(table)).contains("| benchmark |", "drain/", "latency/");
    }
}
