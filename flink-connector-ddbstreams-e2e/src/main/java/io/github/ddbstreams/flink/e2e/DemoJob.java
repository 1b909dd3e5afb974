package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;

/**
 * The demo: a Flink job that prints the changes of a DynamoDB stream, one line per change.
 *
 * <p>By default it needs no AWS account: it starts DynamoDB Local in this JVM, puts 50 items in a
 * table, reads the table snapshot then stream (its contents, then every change) with parallelism 2
 * and checkpoints every 2 s, while it writes a steady mix of inserts, updates and deletes and rolls
 * the stream's shards over every 10 s, and after 30 s prints how many changes were written and rows
 * printed (and whether each item's rows are its snapshot state, then every later change once, in
 * order). With {@code --stream-arn} or {@code --table} it reads an existing stream instead (on AWS,
 * or on the endpoint given with {@code --endpoint}). {@code --help} lists the options.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -B -q -pl flink-connector-ddbstreams-e2e exec:exec -Ddemo.args="--duration 60s"
 * </pre>
 */
public final class DemoJob {

    private static final String LOG_CONFIG_PROPERTY = "log4j2.configurationFile";

    private DemoJob() {}

    /**
     * Runs the demo and exits the JVM: 0 on success, 1 if the check or the job failed, 2 on bad
     * arguments.
     */
    public static void main(String[] args) {
        if (System.getProperty(LOG_CONFIG_PROPERTY) == null) {
            // Before anything logs: otherwise a log4j configuration of DynamoDB Local's is chosen.
            System.setProperty(LOG_CONFIG_PROPERTY, "log4j2-demo.properties");
        }
        int exitCode;
        try {
            exitCode = run(args);
        } catch (Throwable t) {
            System.out.flush();
            System.err.println("Demo failed:");
            t.printStackTrace();
            exitCode = 1;
        }
        System.out.flush();
        System.err.flush();
        // DynamoDB Local leaves a non-daemon scheduler thread running after it stops.
        System.exit(exitCode);
    }

    private static int run(String[] args) throws Exception {
        DemoSettings settings;
        DynamoDbStreamsSource<ChangeEvent> awsSource = null;
        try {
            settings = DemoSettings.parse(args);
            if (settings.isAws() && !settings.help) {
                // Built here so that a bad ARN, table name or region is a usage error.
                awsSource = AwsDemo.source(settings);
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println();
            System.err.println(DemoSettings.USAGE);
            return 2;
        }
        if (settings.help) {
            System.out.println(DemoSettings.USAGE);
            return 0;
        }
        if (awsSource != null) {
            AwsDemo.run(awsSource, settings, System.out);
            return 0;
        }
        return LocalDemo.run(settings, System.out).printSummary(System.out) ? 0 : 1;
    }
}
