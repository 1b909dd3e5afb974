package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/** Runs a source into an {@link EmitProbe} on a mini cluster of its own in this JVM. */
final class BenchJobs {
    private BenchJobs() {}

    private static StreamExecutionEnvironment env(
            DynamoDbStreamsSource<ChangeEvent> source,
            int parallelism,
            EmitStats stats,
            String writeTimeAttribute) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "dynamodb-stream")
                .filter(new EmitProbe(stats.runId, writeTimeAttribute))
                .name("probe")
                .sinkTo(new DiscardingSink<>())
                .name("discard");
        return env;
    }

    /** Runs a bounded source to its end; returns the job's wall time in nanoseconds. */
    static long runBounded(
            DynamoDbStreamsSource<ChangeEvent> source, int parallelism, EmitStats stats)
            throws Exception {
        long start = System.nanoTime();
        env(source, parallelism, stats, null).execute("bench-bounded");
        return System.nanoTime() - start;
    }

    /** Starts an unbounded job and returns at once. */
    static JobClient start(
            DynamoDbStreamsSource<ChangeEvent> source,
            int parallelism,
            EmitStats stats,
            String writeTimeAttribute)
            throws Exception {
        return env(source, parallelism, stats, writeTimeAttribute).executeAsync("bench");
    }

    /** Waits until {@code condition} holds; fails if the job ended or the timeout passed. */
    static void await(JobClient job, BooleanSupplier condition, Duration timeout, String what)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
            if (status.isGloballyTerminalState()) {
                job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
                throw new IllegalStateException("The job ended (" + status + ") before " + what);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "Timed out after " + timeout + " waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Cancels the job and waits until it is gone. */
    static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }
}
