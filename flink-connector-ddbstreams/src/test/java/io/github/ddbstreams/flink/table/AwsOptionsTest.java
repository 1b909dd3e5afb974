package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.utils.FactoryMocks;
import org.junit.jupiter.api.Test;

/**
 * The STS-based credentials options (web identity, assume-role, STS endpoint) and profile files, as
 * the table factory turns them into the DataStream {@link AwsConfig}, and their errors.
 */
class AwsOptionsTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/streams-reader";
    private static final String OTHER_ROLE = "arn:aws:iam::210987654321:role/path/cross-account";
    private static final String EXTERNAL_ID = "Ext3rnal-Id-Value-42";
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private static final ResolvedSchema SCHEMA =
            ResolvedSchema.of(Column.physical("pk", DataTypes.STRING()));

    private static Map<String, String> options(Consumer<Map<String, String>> changes) {
        Map<String, String> options = new HashMap<>();
        options.put("connector", "dynamodb-streams");
        options.put("table-name", "orders");
        options.put("aws.region", "eu-west-1");
        changes.accept(options);
        return options;
    }

    private static AwsConfig awsConfig(Consumer<Map<String, String>> changes) {
        DynamicTableSource source = FactoryMocks.createTableSource(SCHEMA, options(changes));
        return ((DynamoDbStreamsDynamicTableSource) source).settings().awsConfig();
    }

    /**
     * Every message along the cause chain, which never shows the secret key. The external id is
     * absent from this connector's messages (the causes); Flink's own wrapper lists the table
     * options and masks only keys with words such as "secret" or "token", so it may show it.
     */
    private static String errorOf(Consumer<Map<String, String>> changes) {
        Map<String, String> options = options(changes);
        Throwable error = null;
        try {
            FactoryMocks.createTableSource(SCHEMA, options);
        } catch (Throwable t) {
            error = t;
        }
        assertThat(error).as("options %s must be rejected", options).isNotNull();
        assertThat(error.getCause()).as("the connector's own error").isNotNull();
        StringBuilder sb = new StringBuilder(error.getMessage()).append(" | ");
        for (Throwable t = error.getCause(); t != null; t = t.getCause()) {
            assertThat(t.getMessage()).doesNotContain(EXTERNAL_ID);
            sb.append(t.getMessage()).append(" | ");
        }
        String text = sb.toString();
        assertThat(text).doesNotContain(SECRET);
        return text;
    }

    @Test
    void webIdentityWithAnAssumedRoleAndAnStsEndpoint() {
        AwsConfig config =
                awsConfig(
                        o -> {
                            o.put("aws.credentials.provider", "web-identity");
                            o.put("aws.credentials.role-arn", ROLE);
                            o.put("aws.credentials.web-identity-token-file", "/var/run/token");
                            o.put("aws.credentials.role-session-name", "orders-job");
                            o.put("aws.assume-role.arn", OTHER_ROLE);
                            o.put("aws.assume-role.session-name", "orders-cross");
                            o.put("aws.assume-role.external-id", EXTERNAL_ID);
                            o.put("aws.assume-role.duration", "30 min");
                            o.put("aws.sts.endpoint", "https://sts.eu-west-1.amazonaws.com");
                        });

        assertThat(config)
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .webIdentityCredentials(ROLE, "/var/run/token", "orders-job")
                                .assumeRole(
                                        OTHER_ROLE,
                                        "orders-cross",
                                        EXTERNAL_ID,
                                        Duration.ofMinutes(30))
                                .stsEndpointOverride("https://sts.eu-west-1.amazonaws.com")
                                .build());
        assertThat(config.toString()).doesNotContain(EXTERNAL_ID);
    }

    @Test
    void sessionNamesDefaultToTheConnectorsName() {
        assertThat(
                        awsConfig(
                                o -> {
                                    o.put("aws.credentials.provider", "web-identity");
                                    o.put("aws.credentials.role-arn", ROLE);
                                    o.put("aws.credentials.web-identity-token-file", "/t");
                                }))
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .webIdentityCredentials(ROLE, "/t", "flink-dynamodb-streams")
                                .build());
        assertThat(awsConfig(o -> o.put("aws.assume-role.arn", ROLE)))
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .assumeRole(ROLE, "flink-dynamodb-streams")
                                .build());
    }

    @Test
    void anAssumedRoleOnStaticOrProfileCredentials() {
        assertThat(
                        awsConfig(
                                o -> {
                                    o.put("aws.credentials.provider", "static");
                                    o.put("aws.credentials.access-key-id", "AKIAEXAMPLE123");
                                    o.put("aws.credentials.secret-access-key", SECRET);
                                    o.put("aws.assume-role.arn", ROLE);
                                }))
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .staticCredentials("AKIAEXAMPLE123", SECRET)
                                .assumeRole(ROLE, "flink-dynamodb-streams")
                                .build());
        assertThat(
                        awsConfig(
                                o -> {
                                    o.put("aws.credentials.provider", "profile");
                                    o.put("aws.credentials.profile-name", "base");
                                    o.put("aws.credentials.profile-file", "/etc/flink/aws");
                                    o.put("aws.assume-role.arn", ROLE);
                                    o.put("aws.assume-role.session-name", "s1");
                                }))
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .profileCredentials("base", "/etc/flink/aws")
                                .assumeRole(ROLE, "s1")
                                .build());
    }

    @Test
    void webIdentityNeedsItsRoleAndTokenFile() {
        assertThat(errorOf(o -> o.put("aws.credentials.provider", "web-identity")))
                .contains(
                        "'aws.credentials.provider' = 'web-identity' needs"
                                + " 'aws.credentials.role-arn' and"
                                + " 'aws.credentials.web-identity-token-file'");
        assertThat(errorOf(o -> o.put("aws.credentials.provider", "oidc")))
                .contains("'default', 'static', 'profile', 'web-identity'");
    }

    @Test
    void anotherProvidersOptionsAreRejectedNamingTheProviderThatReadsThem() {
        assertThat(errorOf(o -> o.put("aws.credentials.role-arn", ROLE)))
                .contains(
                        "'aws.credentials.role-arn' is set but 'aws.credentials.provider' is"
                                + " 'default'",
                        "'web-identity'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.credentials.provider", "web-identity");
                                    o.put("aws.credentials.role-arn", ROLE);
                                    o.put("aws.credentials.web-identity-token-file", "/t");
                                    o.put("aws.credentials.profile-file", "/f");
                                }))
                .contains("'aws.credentials.profile-file'", "'profile'");
    }

    @Test
    void assumeRoleSettingsWithoutARoleAreRejected() {
        for (String option :
                List.of(
                        "aws.assume-role.session-name",
                        "aws.assume-role.external-id",
                        "aws.assume-role.duration")) {
            String value = option.endsWith("duration") ? "1 h" : EXTERNAL_ID;
            assertThat(errorOf(o -> o.put(option, value)))
                    .contains("'" + option + "' is set but 'aws.assume-role.arn' is not");
        }
    }

    @Test
    void stsEndpointNeedsCredentialsThatUseSts() {
        assertThat(errorOf(o -> o.put("aws.sts.endpoint", "https://sts.example.com")))
                .contains("'aws.sts.endpoint'", "'web-identity'", "'aws.assume-role.arn'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.assume-role.arn", ROLE);
                                    o.put("aws.sts.endpoint", "sts.example.com");
                                }))
                .contains("'aws.sts.endpoint'", "sts.example.com", "absolute http or https");
    }

    @Test
    void badValuesNameTheirOptionAndNeverTheExternalId() {
        assertThat(errorOf(o -> o.put("aws.assume-role.arn", "arn:aws:iam::12:user/bob")))
                .contains("'aws.assume-role.arn'", "arn:aws:iam::12:user/bob", "IAM role ARN");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.assume-role.arn", ROLE);
                                    o.put("aws.assume-role.session-name", "has space");
                                }))
                .contains("'aws.assume-role.session-name'", "role session name");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.assume-role.arn", ROLE);
                                    o.put("aws.assume-role.external-id", EXTERNAL_ID + " !");
                                }))
                .contains("'aws.assume-role.external-id'", "not a valid external id");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.assume-role.arn", ROLE);
                                    o.put("aws.assume-role.external-id", EXTERNAL_ID);
                                    o.put("aws.assume-role.duration", "5 min");
                                }))
                .contains("'aws.assume-role.duration'", "15 minutes");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.credentials.provider", "web-identity");
                                    o.put("aws.credentials.role-arn", "role/streams");
                                    o.put("aws.credentials.web-identity-token-file", "/t");
                                }))
                .contains("'aws.credentials.role-arn'", "IAM role ARN");
    }

    @Test
    void apiCallAttemptTimeoutReachesTheAwsConfig() {
        assertThat(awsConfig(o -> o.put("aws.api-call-attempt-timeout", "2 s")))
                .isEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .apiCallAttemptTimeout(Duration.ofSeconds(2))
                                .build());
        assertThat(awsConfig(o -> {}).getApiCallAttemptTimeout()).isEmpty();
        assertThat(errorOf(o -> o.put("aws.api-call-attempt-timeout", "0 s")))
                .contains("'aws.api-call-attempt-timeout'", "not positive");
    }
}
