package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/** The demo's Flink job: the DynamoDB Streams source into a printing sink, on a local cluster. */
final class DemoPipeline {

    static final int PARALLELISM = 2;
    static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(2);

    private DemoPipeline() {}

    /** Starts the job on a mini cluster in this JVM and returns at once. */
    static JobClient start(DynamoDbStreamsSource<ChangeEvent> source, String runId, boolean print)
            throws Exception {
        Configuration conf = new Configuration();
        // ChangeEvent has its own serializer: prove that no type falls back to Kryo.
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        // A failure should end the demo with its cause, not restart it (a print sink would then
        // print some changes twice: exactly-once holds for Flink state, not for stdout).
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(PARALLELISM, conf);
        env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis());
        // addTo: a snapshot-then-stream source needs the per-item merge it adds after itself.
        source.addTo(env, WatermarkStrategy.noWatermarks(), "dynamodb-stream")
                .sinkTo(new PrintingSink(runId, print))
                .name("print");
        return env.executeAsync("ddbstreams-demo");
    }

    /**
     * Throws if the job has ended (it never ends by itself while running: the source is unbounded),
     * with the job's failure as cause when it failed.
     */
    static void checkRunning(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (status.isGloballyTerminalState()) {
            // For a failed job this throws with the failure as cause.
            job.getJobExecutionResult().get(10, TimeUnit.SECONDS);
            throw new IllegalStateException("The Flink job ended unexpectedly: " + status);
        }
    }

    /** Cancels the job and waits until it is gone. */
    static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(10, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            job.cancel().get(30, TimeUnit.SECONDS);
        }
    }
}
