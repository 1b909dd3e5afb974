package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.aws.AwsConfigBuilder;
import java.io.PrintStream;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;

/**
 * The demo against an existing stream (on AWS, or any endpoint given with {@code --endpoint}):
 * prints its changes until the duration ends. Credentials come from the AWS SDK's default chain;
 * nothing is written.
 */
final class AwsDemo {

    private AwsDemo() {}

    /**
     * Builds the source the settings describe.
     *
     * @throws IllegalArgumentException if a setting is invalid, naming it
     */
    static DynamoDbStreamsSource<ChangeEvent> source(DemoSettings settings) {
        AwsConfigBuilder aws = AwsConfig.builder();
        if (settings.region != null) {
            aws.region(settings.region);
        }
        if (settings.endpoint != null) {
            aws.endpointOverride(settings.endpoint);
        }
        DynamoDbStreamsSourceBuilder<ChangeEvent> builder =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .startingPosition(settings.awsStartingPosition)
                        .awsConfig(aws.build());
        if (settings.streamArn != null) {
            builder.streamArn(settings.streamArn);
        } else {
            builder.tableName(settings.tableName);
        }
        return builder.build();
    }

    /** Waited after reaching {@code --max}, so that a duplicate would have time to show. */
    private static final long SETTLE_MILLIS = 1000;

    /**
     * Runs the job for the settings' duration, or until {@code --max} changes are printed; returns
     * the number of changes printed.
     */
    static int run(
            DynamoDbStreamsSource<ChangeEvent> source, DemoSettings settings, PrintStream log)
            throws Exception {
        String runId = UUID.randomUUID().toString();
        ReceivedChanges.open(runId);
        try {
            JobClient job = DemoPipeline.start(source, runId, settings.print);
            log.printf(
                    "Flink job %s reading %s from %s for %d s%n",
                    job.getJobID(),
                    settings.streamArn != null
                            ? settings.streamArn
                            : "the current stream of table " + settings.tableName,
                    settings.awsStartingPosition,
                    settings.duration.toSeconds());
            long end = System.nanoTime() + settings.duration.toNanos();
            while (System.nanoTime() < end && !reachedMax(runId, settings)) {
                DemoPipeline.checkRunning(job);
                Thread.sleep(Math.min(100, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
            }
            if (reachedMax(runId, settings)) {
                Thread.sleep(SETTLE_MILLIS);
            }
            DemoPipeline.cancel(job);
            int printed = ReceivedChanges.count(runId);
            log.println();
            log.printf("=== Demo summary ===%nchanges printed: %d%n", printed);
            return printed;
        } finally {
            ReceivedChanges.close(runId);
        }
    }

    private static boolean reachedMax(String runId, DemoSettings settings) {
        return settings.maxChanges > 0 && ReceivedChanges.count(runId) >= settings.maxChanges;
    }
}
