package io.github.ddbstreams.flink.e2e.bench;

/**
 * How big a benchmark run is. {@link #SHORT} is what CI runs (seconds per benchmark, to prove the
 * benchmarks still work); {@link #LONG} is the run whose numbers are worth quoting.
 */
public enum BenchMode {
    SHORT,
    LONG;

    /** {@code shortValue} in short mode, {@code longValue} in long mode. */
    public int pick(int shortValue, int longValue) {
        return this == LONG ? longValue : shortValue;
    }
}
