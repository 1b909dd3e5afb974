package io.github.ddbstreams.flink.table;

import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ACCESS_KEY_ID;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_CREDENTIALS_PROVIDER;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ENDPOINT;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_PROFILE_NAME;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_REGION;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SECRET_ACCESS_KEY;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SESSION_TOKEN;

import io.github.ddbstreams.flink.source.AwsConfig;
import io.github.ddbstreams.flink.source.AwsConfigBuilder;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * Builds the {@link AwsConfig} of the {@code aws.*} table options. Errors name the table option; a
 * secret's value never reaches a message (only its key does).
 */
@Internal
final class AwsOptions {

    private AwsOptions() {}

    static AwsConfig awsConfig(ReadableConfig options) {
        AwsConfigBuilder aws = AwsConfig.builder();
        options.getOptional(AWS_REGION)
                .ifPresent(region -> apply(AWS_REGION, () -> aws.region(region)));
        options.getOptional(AWS_ENDPOINT)
                .ifPresent(endpoint -> apply(AWS_ENDPOINT, () -> aws.endpointOverride(endpoint)));
        String provider =
                DynamoDbStreamsDynamicTableFactory.choice(
                        options,
                        AWS_CREDENTIALS_PROVIDER,
                        new String[] {"default", "static", "profile"},
                        s -> s);
        switch (provider) {
            case "static":
                requireSet(options, provider, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY);
                rejectSet(options, provider, AWS_PROFILE_NAME);
                apply(
                        AWS_ACCESS_KEY_ID,
                        () ->
                                aws.staticCredentials(
                                        options.get(AWS_ACCESS_KEY_ID),
                                        options.get(AWS_SECRET_ACCESS_KEY),
                                        options.getOptional(AWS_SESSION_TOKEN).orElse(null)));
                break;
            case "profile":
                requireSet(options, provider, AWS_PROFILE_NAME);
                rejectSet(
                        options,
                        provider,
                        AWS_ACCESS_KEY_ID,
                        AWS_SECRET_ACCESS_KEY,
                        AWS_SESSION_TOKEN);
                apply(
                        AWS_PROFILE_NAME,
                        () -> aws.profileCredentials(options.get(AWS_PROFILE_NAME)));
                break;
            default:
                // Credentials given without 'static' would be ignored silently: a likely mistake.
                rejectSet(
                        options,
                        provider,
                        AWS_ACCESS_KEY_ID,
                        AWS_SECRET_ACCESS_KEY,
                        AWS_SESSION_TOKEN,
                        AWS_PROFILE_NAME);
        }
        return aws.build();
    }

    private static void apply(ConfigOption<String> option, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            // AwsConfig's messages carry no secret values (it reports a blank secret by name).
            throw new ValidationException(
                    "Invalid value for option '" + option.key() + "': " + e.getMessage(), e);
        }
    }

    @SafeVarargs
    private static void requireSet(
            ReadableConfig options, String provider, ConfigOption<String>... required) {
        List<String> missing = new ArrayList<>();
        for (ConfigOption<String> option : required) {
            if (options.getOptional(option).filter(v -> !v.isBlank()).isEmpty()) {
                missing.add("'" + option.key() + "'");
            }
        }
        if (!missing.isEmpty()) {
            throw new ValidationException(
                    String.format(
                            "'%s' = '%s' needs %s.",
                            AWS_CREDENTIALS_PROVIDER.key(),
                            provider,
                            String.join(" and ", missing)));
        }
    }

    @SafeVarargs
    private static void rejectSet(
            ReadableConfig options, String provider, ConfigOption<String>... unused) {
        for (ConfigOption<String> option : unused) {
            if (options.getOptional(option).isPresent()) {
                throw new ValidationException(
                        String.format(
                                "'%s' is set but '%s' is '%s', which does not use it; set '%s' ="
                                        + " '%s' or remove '%s'.",
                                option.key(),
                                AWS_CREDENTIALS_PROVIDER.key(),
                                provider,
                                AWS_CREDENTIALS_PROVIDER.key(),
                                option == AWS_PROFILE_NAME ? "profile" : "static",
                                option.key()));
            }
        }
    }
}
