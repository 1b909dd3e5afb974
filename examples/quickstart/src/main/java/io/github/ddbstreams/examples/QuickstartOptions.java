package io.github.ddbstreams.examples;

import java.util.Map;
import java.util.Optional;

/**
 * The quickstart jobs' command line. Without {@code --table} or {@code --stream-arn} they run
 * against an embedded DynamoDB Local that {@link LocalOrders} fills with sample orders.
 */
record QuickstartOptions(
        Optional<String> table, Optional<String> streamArn, Optional<String> region, String from) {

    static final String USAGE =
            String.join(
                    "\n",
                    "Options (none: an embedded DynamoDB Local with sample orders):",
                    "  --table NAME       read the current stream of this DynamoDB table",
                    "  --stream-arn ARN   read this DynamoDB stream",
                    "  --region R         its AWS region (default: the AWS SDK's region chain)",
                    "  --from P           latest (default) or trim-horizon",
                    "AWS credentials come from the AWS SDK's default chain (environment, profile,"
                            + " instance role...).");

    /**
     * With checkpoints on, Flink restarts a failing job forever by default: a misconfigured one (no
     * region, no credentials, a wrong table) would repeat its error every few seconds and never
     * end. Three attempts ride out a passing fault and then fail the run.
     */
    static final Map<String, String> RESTARTS =
            Map.of(
                    "restart-strategy.type", "fixed-delay",
                    "restart-strategy.fixed-delay.attempts", "3",
                    "restart-strategy.fixed-delay.delay", "5 s");

    static QuickstartOptions parse(String[] args) {
        String table = null;
        String streamArn = null;
        String region = null;
        String from = "latest";
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help")) {
                System.out.println(USAGE);
                System.exit(0);
            }
            if (i + 1 >= args.length) {
                throw usage("Option " + option + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--table" -> table = value;
                case "--stream-arn" -> streamArn = value;
                case "--region" -> region = value;
                case "--from" -> from = value;
                default -> throw usage("Unknown option " + option);
            }
        }
        if (table != null && streamArn != null) {
            throw usage("Give --table or --stream-arn, not both");
        }
        if (!from.equals("latest") && !from.equals("trim-horizon")) {
            throw usage("--from is latest or trim-horizon, not " + from);
        }
        if (table == null && streamArn == null && region != null) {
            throw usage("--region needs --table or --stream-arn");
        }
        return new QuickstartOptions(
                Optional.ofNullable(table),
                Optional.ofNullable(streamArn),
                Optional.ofNullable(region),
                from);
    }

    /** No stream named: run against the embedded DynamoDB Local. */
    boolean local() {
        return table.isEmpty() && streamArn.isEmpty();
    }

    private static IllegalArgumentException usage(String problem) {
        return new IllegalArgumentException(problem + "\n" + USAGE);
    }
}
