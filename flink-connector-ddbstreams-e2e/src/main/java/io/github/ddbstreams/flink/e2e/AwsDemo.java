package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.AwsConfig;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import java.io.PrintStream;
import java.util.UUID;
import org.apache.flink.core.execution.JobClient;

/**
 * The demo against a real DynamoDB stream: prints its changes until the duration ends. Credentials
 * come from the AWS SDK's default chain; nothing is written.
 */
final class AwsDemo {

    private AwsDemo() {}

    /** Returns the number of changes printed. */
    static int run(DemoSettings settings, PrintStream log) throws Exception {
        AwsConfig.Builder aws = AwsConfig.builder();
        if (settings.region != null) {
            aws.region(settings.region);
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
        DynamoDbStreamsSource<ChangeEvent> source = builder.build();

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
            while (System.nanoTime() < end) {
                DemoPipeline.checkRunning(job);
                Thread.sleep(Math.min(200, Math.max(1, (end - System.nanoTime()) / 1_000_000)));
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
}
