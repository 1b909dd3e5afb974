package io.github.ddbstreams.flink.table;

import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ACCESS_KEY_ID;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_API_CALL_ATTEMPT_TIMEOUT;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_ARN;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_DURATION;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_EXTERNAL_ID;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_SESSION_NAME;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_CREDENTIALS_PROVIDER;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ENDPOINT;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_PROFILE_FILE;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_PROFILE_NAME;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_REGION;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SECRET_ACCESS_KEY;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SESSION_TOKEN;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_STS_ENDPOINT;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_ROLE_ARN;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_SESSION_NAME;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_TOKEN_FILE;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.DEFAULT_ROLE_SESSION_NAME;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.aws.AwsConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;

/**
 * Builds the {@link AwsConfig} of the {@code aws.*} table options. Errors name the table option; a
 * secret's value (secret key, session token, external id) never reaches a message, only its key.
 */
@Internal
final class AwsOptions {

    /** Each provider-specific option and the one provider that reads it. */
    private static final Map<ConfigOption<String>, String> PROVIDER_OF = new LinkedHashMap<>();

    static {
        PROVIDER_OF.put(AWS_ACCESS_KEY_ID, "static");
        PROVIDER_OF.put(AWS_SECRET_ACCESS_KEY, "static");
        PROVIDER_OF.put(AWS_SESSION_TOKEN, "static");
        PROVIDER_OF.put(AWS_PROFILE_NAME, "profile");
        PROVIDER_OF.put(AWS_PROFILE_FILE, "profile");
        PROVIDER_OF.put(AWS_WEB_IDENTITY_ROLE_ARN, "web-identity");
        PROVIDER_OF.put(AWS_WEB_IDENTITY_TOKEN_FILE, "web-identity");
        PROVIDER_OF.put(AWS_WEB_IDENTITY_SESSION_NAME, "web-identity");
    }

    private AwsOptions() {}

    static AwsConfig awsConfig(ReadableConfig options) {
        AwsConfigBuilder aws = AwsConfig.builder();
        options.getOptional(AWS_REGION)
                .ifPresent(region -> apply(AWS_REGION, () -> aws.region(region)));
        options.getOptional(AWS_ENDPOINT)
                .ifPresent(endpoint -> apply(AWS_ENDPOINT, () -> aws.endpointOverride(endpoint)));
        options.getOptional(AWS_API_CALL_ATTEMPT_TIMEOUT)
                .ifPresent(
                        timeout ->
                                apply(
                                        AWS_API_CALL_ATTEMPT_TIMEOUT,
                                        () -> aws.apiCallAttemptTimeout(timeout)));
        String provider =
                DynamoDbStreamsDynamicTableFactory.choice(
                        options,
                        AWS_CREDENTIALS_PROVIDER,
                        new String[] {"default", "static", "profile", "web-identity"},
                        s -> s);
        // Another provider's options would be ignored silently: a likely mistake.
        PROVIDER_OF.forEach(
                (option, owner) -> {
                    if (!owner.equals(provider) && options.getOptional(option).isPresent()) {
                        throw new ValidationException(
                                String.format(
                                        "'%s' is set but '%s' is '%s', which does not use it;"
                                                + " set '%s' = '%s' or remove '%s'.",
                                        option.key(),
                                        AWS_CREDENTIALS_PROVIDER.key(),
                                        provider,
                                        AWS_CREDENTIALS_PROVIDER.key(),
                                        owner,
                                        option.key()));
                    }
                });
        switch (provider) {
            case "static":
                requireSet(options, provider, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY);
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
                apply(
                        AWS_PROFILE_NAME,
                        () ->
                                aws.profileCredentials(
                                        options.get(AWS_PROFILE_NAME),
                                        options.getOptional(AWS_PROFILE_FILE).orElse(null)));
                break;
            case "web-identity":
                requireSet(
                        options, provider, AWS_WEB_IDENTITY_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE);
                apply(
                        AWS_WEB_IDENTITY_ROLE_ARN,
                        () ->
                                aws.webIdentityCredentials(
                                        options.get(AWS_WEB_IDENTITY_ROLE_ARN),
                                        options.get(AWS_WEB_IDENTITY_TOKEN_FILE),
                                        options.getOptional(AWS_WEB_IDENTITY_SESSION_NAME)
                                                .orElse(DEFAULT_ROLE_SESSION_NAME)));
                break;
            default:
                break;
        }
        assumeRole(options, aws);
        boolean usesSts =
                provider.equals("web-identity")
                        || options.getOptional(AWS_ASSUME_ROLE_ARN).isPresent();
        if (options.getOptional(AWS_STS_ENDPOINT).isPresent()) {
            if (!usesSts) {
                throw new ValidationException(
                        String.format(
                                "'%s' is set, but no credentials use STS: it applies only with"
                                        + " '%s' = 'web-identity' or with '%s'.",
                                AWS_STS_ENDPOINT.key(),
                                AWS_CREDENTIALS_PROVIDER.key(),
                                AWS_ASSUME_ROLE_ARN.key()));
            }
            apply(AWS_STS_ENDPOINT, () -> aws.stsEndpointOverride(options.get(AWS_STS_ENDPOINT)));
        }
        return aws.build();
    }

    private static void assumeRole(ReadableConfig options, AwsConfigBuilder aws) {
        if (options.getOptional(AWS_ASSUME_ROLE_ARN).isEmpty()) {
            for (ConfigOption<?> option :
                    List.of(
                            AWS_ASSUME_ROLE_SESSION_NAME,
                            AWS_ASSUME_ROLE_EXTERNAL_ID,
                            AWS_ASSUME_ROLE_DURATION)) {
                if (options.getOptional(option).isPresent()) {
                    throw new ValidationException(
                            String.format(
                                    "'%s' is set but '%s' is not: it applies only to a role to"
                                            + " assume; set '%s' or remove '%s'.",
                                    option.key(),
                                    AWS_ASSUME_ROLE_ARN.key(),
                                    AWS_ASSUME_ROLE_ARN.key(),
                                    option.key()));
                }
            }
            return;
        }
        String arn = options.get(AWS_ASSUME_ROLE_ARN);
        String session =
                options.getOptional(AWS_ASSUME_ROLE_SESSION_NAME).orElse(DEFAULT_ROLE_SESSION_NAME);
        String externalId = options.getOptional(AWS_ASSUME_ROLE_EXTERNAL_ID).orElse(null);
        Duration duration = options.getOptional(AWS_ASSUME_ROLE_DURATION).orElse(null);
        apply(AWS_ASSUME_ROLE_ARN, () -> aws.assumeRole(arn, session, externalId, duration));
    }

    /**
     * Runs a builder setter, turning its error into one that names the table option: the builder's
     * own message starts with its setting name ({@code awsConfig.xxx}), replaced here.
     */
    private static void apply(ConfigOption<?> option, Runnable setter) {
        try {
            setter.run();
        } catch (IllegalArgumentException e) {
            // AwsConfig's messages carry no secret values (it reports a bad secret by name).
            String message = String.valueOf(e.getMessage());
            ConfigOption<?> named = option;
            for (Map.Entry<String, ConfigOption<?>> name : BUILDER_NAMES.entrySet()) {
                if (message.startsWith(name.getKey())) {
                    named = name.getValue();
                    message = message.substring(name.getKey().length()).replaceFirst("^:? *", "");
                    break;
                }
            }
            throw new ValidationException(
                    "Invalid value for option '" + named.key() + "': " + message, e);
        }
    }

    /** The builder's setting names ({@code awsConfig.xxx}, as in its messages) per table option. */
    private static final Map<String, ConfigOption<?>> BUILDER_NAMES = new LinkedHashMap<>();

    static {
        BUILDER_NAMES.put("awsConfig.region", AWS_REGION);
        BUILDER_NAMES.put("awsConfig.endpointOverride", AWS_ENDPOINT);
        BUILDER_NAMES.put("awsConfig.stsEndpointOverride", AWS_STS_ENDPOINT);
        BUILDER_NAMES.put("awsConfig.accessKeyId", AWS_ACCESS_KEY_ID);
        BUILDER_NAMES.put("awsConfig.secretAccessKey", AWS_SECRET_ACCESS_KEY);
        BUILDER_NAMES.put("awsConfig.sessionToken", AWS_SESSION_TOKEN);
        BUILDER_NAMES.put("awsConfig.profileName", AWS_PROFILE_NAME);
        BUILDER_NAMES.put("awsConfig.profileFile", AWS_PROFILE_FILE);
        BUILDER_NAMES.put("awsConfig.webIdentityRoleArn", AWS_WEB_IDENTITY_ROLE_ARN);
        BUILDER_NAMES.put("awsConfig.webIdentityTokenFile", AWS_WEB_IDENTITY_TOKEN_FILE);
        BUILDER_NAMES.put("awsConfig.webIdentitySessionName", AWS_WEB_IDENTITY_SESSION_NAME);
        BUILDER_NAMES.put("awsConfig.assumeRoleArn", AWS_ASSUME_ROLE_ARN);
        BUILDER_NAMES.put("awsConfig.assumeRoleSessionName", AWS_ASSUME_ROLE_SESSION_NAME);
        BUILDER_NAMES.put("awsConfig.assumeRoleExternalId", AWS_ASSUME_ROLE_EXTERNAL_ID);
        BUILDER_NAMES.put("awsConfig.assumeRoleDuration", AWS_ASSUME_ROLE_DURATION);
        BUILDER_NAMES.put("awsConfig.apiCallAttemptTimeout", AWS_API_CALL_ATTEMPT_TIMEOUT);
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
}
