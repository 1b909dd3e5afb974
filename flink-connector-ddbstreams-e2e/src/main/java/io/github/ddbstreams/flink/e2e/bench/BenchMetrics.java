package io.github.ddbstreams.flink.e2e.bench;

import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * A metric reporter that keeps every metric a mini cluster in this JVM registers, so a benchmark
 * can read the connector's own counters while its job runs (e.g. the merge's {@code
 * snapshotRowsHeld}, summed over subtasks). Registered through {@link #addTo}; found by Flink
 * through {@code META-INF/services}.
 */
public final class BenchMetrics implements MetricReporter {

    /** Every registered metric, by its name and its group's scope (one entry per subtask). */
    private static final Map<String, Metric> METRICS = new ConcurrentHashMap<>();

    /** Makes the mini cluster started with {@code conf} report to this class. */
    static void addTo(Configuration conf) {
        conf.setString("metrics.reporter.bench.factory.class", Factory.class.getName());
    }

    /** The sum over every subtask of the counter or numeric gauge {@code name}; 0 if none. */
    static long sum(String name) {
        long sum = 0;
        for (Map.Entry<String, Metric> entry : METRICS.entrySet()) {
            if (!entry.getKey().endsWith("." + name)) {
                continue;
            }
            Metric metric = entry.getValue();
            if (metric instanceof Counter counter) {
                sum += counter.getCount();
            } else if (metric instanceof Gauge<?> gauge
                    && gauge.getValue() instanceof Number number) {
                sum += number.longValue();
            }
        }
        return sum;
    }

    /** Forgets every metric (the metrics of a finished job are removed by Flink anyway). */
    static void clear() {
        METRICS.clear();
    }

    @Override
    public void open(MetricConfig config) {}

    @Override
    public void close() {}

    @Override
    public void notifyOfAddedMetric(Metric metric, String metricName, MetricGroup group) {
        METRICS.put(group.getMetricIdentifier(metricName), metric);
    }

    @Override
    public void notifyOfRemovedMetric(Metric metric, String metricName, MetricGroup group) {
        METRICS.remove(group.getMetricIdentifier(metricName), metric);
    }

    /** Flink's entry point for the reporter. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new BenchMetrics();
        }
    }
}
