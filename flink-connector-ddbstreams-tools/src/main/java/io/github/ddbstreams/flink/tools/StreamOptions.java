package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.aws.AwsConfigBuilder;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.io.PrintWriter;
import javax.annotation.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The options that pick the stream a command works on, shared by every command (a picocli mixin).
 * Without {@code --stream-arn} or {@code --table} the command runs on the embedded demo.
 */
final class StreamOptions {

    @Option(
            names = "--demo",
            description =
                    "Start an embedded DynamoDB Local with a demo table whose stream has a"
                            + " rolled-over shard lineage (the default without --stream-arn or"
                            + " --table).")
    boolean demo;

    @Option(
            names = "--stream-arn",
            paramLabel = "ARN",
            description =
                    "The stream to read, e.g. arn:aws:dynamodb:eu-west-1:123456789012:"
                            + "table/orders/stream/2024-01-01T00:00:00.000.")
    @Nullable
    String streamArn;

    @Option(
            names = "--table",
            paramLabel = "NAME",
            description = "Read the table's latest stream (DescribeTable.LatestStreamArn).")
    @Nullable
    String table;

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description = "AWS region, e.g. eu-west-1 (default: the SDK's region chain).")
    @Nullable
    String region;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "Endpoint override, e.g. http://localhost:8000 for DynamoDB Local.")
    @Nullable
    String endpoint;

    @Option(
            names = "--profile",
            paramLabel = "NAME",
            description =
                    "Credentials from this profile of the shared AWS files (default: the SDK's"
                            + " default credentials chain).")
    @Nullable
    String profile;

    /**
     * Checks the combination of options and connects. Usage errors are {@link ParameterException}s
     * naming the bad option, so picocli reports them as such.
     */
    StreamTarget open(CommandSpec spec, PrintWriter err) {
        CommandLine cmd = spec.commandLine();
        if (streamArn != null && table != null) {
            throw new ParameterException(
                    cmd, "--stream-arn and --table both name the stream: give only one");
        }
        boolean real = streamArn != null || table != null;
        if (demo && (real || region != null || endpoint != null || profile != null)) {
            throw new ParameterException(
                    cmd,
                    "--demo runs its own embedded DynamoDB Local: it cannot be combined with "
                            + firstRealOption());
        }
        if (!real) {
            if (region != null || endpoint != null || profile != null) {
                throw new ParameterException(
                        cmd,
                        firstRealOption()
                                + " needs --stream-arn or --table (without them the command"
                                + " runs on the embedded demo)");
            }
            return StreamTarget.demo(DemoStream.start(err));
        }
        if (streamArn != null && !isStreamArn(streamArn)) {
            throw new ParameterException(
                    cmd,
                    "--stream-arn: '"
                            + streamArn
                            + "' is not a DynamoDB stream ARN; expected"
                            + " arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE/stream/LABEL");
        }
        AwsConfig config = awsConfig(cmd);
        StreamsClient client = SdkStreamsClient.create(config);
        try {
            String arn = streamArn != null ? streamArn : client.resolveLatestStreamArn(table);
            return StreamTarget.of(client, arn);
        } catch (ResourceNotFoundException e) {
            client.close();
            throw new IllegalArgumentException(
                    "table '" + table + "' not found: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private AwsConfig awsConfig(CommandLine cmd) {
        AwsConfigBuilder builder = AwsConfig.builder();
        try {
            if (region != null) {
                builder.region(region);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--region: " + stripPrefix(e.getMessage()), e);
        }
        try {
            if (endpoint != null) {
                builder.endpointOverride(endpoint);
            }
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cmd, "--endpoint: " + stripPrefix(e.getMessage()), e);
        }
        if (profile != null) {
            if (profile.isBlank()) {
                throw new ParameterException(cmd, "--profile: the profile name is blank");
            }
            builder.profileCredentials(profile);
        }
        return builder.build();
    }

    private String firstRealOption() {
        if (streamArn != null) {
            return "--stream-arn";
        }
        if (table != null) {
            return "--table";
        }
        if (region != null) {
            return "--region";
        }
        return endpoint != null ? "--endpoint" : "--profile";
    }

    /** AwsConfig names its own setting ("awsConfig.region: ..."); the CLI names the option. */
    private static String stripPrefix(String message) {
        int colon = message.indexOf(": ");
        return message.startsWith("awsConfig.") && colon > 0
                ? message.substring(colon + 2)
                : message;
    }

    private static boolean isStreamArn(String arn) {
        return arn.startsWith("arn:") && arn.contains(":dynamodb:") && arn.contains("/stream/");
    }
}
