package io.github.ddbstreams.flink.e2e.bench;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles of a set of measurements (nearest-rank). */
final class Samples {
    private final double[] sorted;

    Samples(Collection<? extends Number> values) {
        sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
    }

    int size() {
        return sorted.length;
    }

    /** The p-th percentile, 0 < p <= 100; NaN without samples. */
    double percentile(double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    double max() {
        return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
    }

    @Override
    public String toString() {
        return Arrays.toString(sorted);
    }
}
