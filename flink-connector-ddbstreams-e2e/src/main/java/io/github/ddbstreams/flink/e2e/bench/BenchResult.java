package io.github.ddbstreams.flink.e2e.bench;

import java.util.Locale;

/**
 * One measured figure, with the baseline measured (or fixed by a target) in the same run.
 *
 * @param benchmark which benchmark produced it, e.g. {@code drain/dynamodb-local}
 * @param figure what was measured, e.g. {@code p=2 subtask 0 records/s}
 * @param value the measured value (NaN: could not be measured in this run)
 * @param unit the value's unit
 * @param baselineName what the value is compared with
 * @param baseline the baseline's value in the same unit
 * @param target the target, in words (empty: none)
 * @param met whether the target was met; null where there is no target or it needs a judgement
 */
public record BenchResult(
        String benchmark,
        String figure,
        double value,
        String unit,
        String baselineName,
        double baseline,
        String target,
        Boolean met) {

    /** value / baseline. */
    public double ratio() {
        return baseline == 0 ? Double.NaN : value / baseline;
    }

    /** A row of the markdown results table. */
    public String toMarkdownRow() {
        return String.format(
                Locale.ROOT,
                "| %s | %s | %s %s | %s: %s | %s | %s | %s |",
                benchmark,
                figure,
                number(value),
                unit,
                baselineName,
                number(baseline),
                Double.isNaN(ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", ratio()),
                target.isEmpty() ? "-" : target,
                met == null ? "-" : met ? "yes" : "**no**");
    }

    /** The header of the markdown results table. */
    public static String markdownHeader() {
        return "| benchmark | figure | value | baseline (same run) | ratio | target | met |\n"
                + "|---|---|---|---|---|---|---|";
    }

    static String number(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100 || v == Math.rint(v)) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.3g", v);
    }
}
