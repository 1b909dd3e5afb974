package io.github.ddbstreams.flink.source.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.aws.AwsConfig.CredentialsSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The options added for STS (assume-role, web identity), profile files and secret hygiene. */
class AwsConfigRoleOptionsTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/streams-reader";
    private static final String KEY_ID = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final String EXTERNAL_ID = "Ext3rnalIdShared-With.Partner";

    @ParameterizedTest
    @ValueSource(
            strings = {
                ROLE,
                "arn:aws-cn:iam::123456789012:role/path/to/reader",
                "arn:aws-us-gov:iam::123456789012:role/r+=,.@_-"
            })
    void acceptsRoleArnsOfEveryPartition(String arn) {
        AwsConfig config = AwsConfig.builder().assumeRole(arn, "flink").build();

        assertThat(config.getAssumeRoleArn()).contains(arn);
        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.DEFAULT_CHAIN);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "arn:aws:iam::12345:role/r",
                "arn:aws:iam::123456789012:user/alice",
                "arn:aws:s3:::bucket",
                "streams-reader",
                "arn:aws:iam::123456789012:role/",
                "arn:AWS:iam::123456789012:role/r"
            })
    void rejectsWhatIsNotARoleArnNamingTheOption(String arn) {
        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(arn, "flink"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "awsConfig.assumeRoleArn: '" + arn + "' is not an IAM role ARN");
        assertThatThrownBy(() -> AwsConfig.builder().webIdentityCredentials(arn, "/t", "flink"))
                .hasMessageStartingWith("awsConfig.webIdentityRoleArn: '" + arn + "'");
    }

    @Test
    void rejectsBlankRoleArn() {
        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(" ", "flink"))
                .hasMessage("awsConfig.assumeRoleArn must not be null or blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "has space", "slash/not/allowed"})
    void rejectsInvalidSessionNames(String name) {
        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(ROLE, name))
                .hasMessageStartingWith("awsConfig.assumeRoleSessionName: '" + name + "'");
        assertThatThrownBy(() -> AwsConfig.builder().webIdentityCredentials(ROLE, "/t", name))
                .hasMessageStartingWith("awsConfig.webIdentitySessionName: '" + name + "'");
    }

    @Test
    void sessionNamesAreAtMost64Characters() {
        AwsConfig.builder().assumeRole(ROLE, "s".repeat(64));
        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(ROLE, "s".repeat(65)))
                .hasMessageContaining("2 to 64");
    }

    @Test
    void rejectsInvalidExternalIdWithoutShowingIt() {
        String bad = "not valid because of spaces";

        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(ROLE, "flink", bad, null))
                .hasMessageStartingWith("awsConfig.assumeRoleExternalId is not a valid external id")
                .message()
                .doesNotContain(bad);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT14M59S", "PT12H0.5S", "PT12H1S", "PT0S", "PT-1H"})
    void rejectsDurationsStsRefuses(String text) {
        Duration duration = Duration.parse(text);

        assertThatThrownBy(() -> AwsConfig.builder().assumeRole(ROLE, "flink", null, duration))
                .hasMessageStartingWith("awsConfig.assumeRoleDuration: " + duration)
                .hasMessageContaining("15 minutes")
                .hasMessageContaining("12 hours");
    }

    @Test
    void acceptsTheDurationBounds() {
        AwsConfig.builder().assumeRole(ROLE, "flink", null, Duration.ofMinutes(15)).build();
        AwsConfig.builder().assumeRole(ROLE, "flink", null, Duration.ofHours(12)).build();
    }

    @Test
    void webIdentityNeedsATokenFile() {
        assertThatThrownBy(() -> AwsConfig.builder().webIdentityCredentials(ROLE, " ", "flink"))
                .hasMessage("awsConfig.webIdentityTokenFile must not be null or blank");

        AwsConfig config =
                AwsConfig.builder().webIdentityCredentials(ROLE, "/var/run/token", "flink").build();
        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.WEB_IDENTITY);
        assertThat(config.getWebIdentityRoleArn()).contains(ROLE);
    }

    @Test
    void profileFileMustNotBeBlank() {
        assertThatThrownBy(() -> AwsConfig.builder().profileCredentials("reader", ""))
                .hasMessage("awsConfig.profileFile must not be null or blank");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Zq9Xw\n", " Zq9Xw", "Zq9 Xw", "Zq9\u00e9Xw", "Zq9\tXw"})
    void rejectsSecretsWithCharactersNoSignerAcceptsWithoutShowingThem(String secret) {
        assertThatThrownBy(() -> AwsConfig.builder().staticCredentials(KEY_ID, secret))
                .hasMessageStartingWith("awsConfig.secretAccessKey contains whitespace")
                .message()
                .doesNotContain("Zq9");
        assertThatThrownBy(() -> AwsConfig.builder().staticCredentials(KEY_ID, SECRET, secret))
                .hasMessageStartingWith("awsConfig.sessionToken contains whitespace");
    }

    @Test
    void stsEndpointOverrideWithoutStsIsAMistake() {
        assertThatThrownBy(
                        () ->
                                AwsConfig.builder()
                                        .staticCredentials(KEY_ID, SECRET)
                                        .stsEndpointOverride("http://localhost:4566")
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("awsConfig.stsEndpointOverride is set, but no credentials");
        assertThatThrownBy(() -> AwsConfig.builder().stsEndpointOverride("localhost:4566"))
                .hasMessageStartingWith("awsConfig.stsEndpointOverride: 'localhost:4566'");

        AwsConfig config =
                AwsConfig.builder()
                        .assumeRole(ROLE, "flink")
                        .stsEndpointOverride("http://localhost:4566")
                        .build();
        assertThat(config.getStsEndpointOverride()).contains(URI.create("http://localhost:4566"));
    }

    @Test
    void roleIsALayerThatOutlivesAChangeOfBaseCredentials() {
        AwsConfig config =
                AwsConfig.builder()
                        .staticCredentials(KEY_ID, SECRET)
                        .assumeRole(ROLE, "flink")
                        .profileCredentials("base")
                        .build();

        assertThat(config.getCredentialsSource()).isEqualTo(CredentialsSource.PROFILE);
        assertThat(config.getAccessKeyId()).isEmpty();
        assertThat(config.getAssumeRoleArn()).contains(ROLE);
    }

    @Test
    void toStringShowsRolesAndPathsButMasksSecretsAndExternalId() {
        String text =
                AwsConfig.builder()
                        .region("eu-west-1")
                        .staticCredentials(KEY_ID, SECRET)
                        .assumeRole(ROLE, "flink-orders", EXTERNAL_ID, Duration.ofHours(2))
                        .stsEndpointOverride("https://sts.eu-west-1.amazonaws.com")
                        .build()
                        .toString();

        assertThat(text)
                .contains("assumeRoleArn=" + ROLE)
                .contains("assumeRoleSessionName=flink-orders")
                .contains("assumeRoleExternalId=****")
                .contains("assumeRoleDuration=PT2H")
                .contains("stsEndpointOverride=https://sts.eu-west-1.amazonaws.com")
                .doesNotContain(EXTERNAL_ID)
                .doesNotContain(SECRET)
                .doesNotContain(KEY_ID);

        assertThat(
                        AwsConfig.builder()
                                .webIdentityCredentials(ROLE, "/var/run/token", "pod")
                                .build()
                                .toString())
                .contains("credentials=WEB_IDENTITY")
                .contains("webIdentityRoleArn=" + ROLE)
                .contains("webIdentityTokenFile=/var/run/token")
                .contains("webIdentitySessionName=pod");
        assertThat(AwsConfig.builder().profileCredentials("p", "/etc/aws/creds").build().toString())
                .contains("profileName=p, profileFile=/etc/aws/creds");
    }

    @Test
    void everyOptionSurvivesJavaSerializationAndTakesPartInEquality() throws Exception {
        AwsConfig config =
                AwsConfig.builder()
                        .region("eu-west-1")
                        .webIdentityCredentials(ROLE, "/var/run/token", "pod")
                        .assumeRole(ROLE + "2", "chained", EXTERNAL_ID, Duration.ofHours(1))
                        .stsEndpointOverride("http://127.0.0.1:4566")
                        .build();

        AwsConfig copy = roundTrip(config);

        assertThat(copy).isEqualTo(config).hasSameHashCodeAs(config);
        assertThat(copy.toString()).isEqualTo(config.toString());
        assertThat(copy)
                .isNotEqualTo(
                        AwsConfig.builder()
                                .region("eu-west-1")
                                .webIdentityCredentials(ROLE, "/var/run/token", "pod")
                                .assumeRole(ROLE + "2", "chained", "other-id", Duration.ofHours(1))
                                .stsEndpointOverride("http://127.0.0.1:4566")
                                .build());
    }

    private static AwsConfig roundTrip(AwsConfig config) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(config);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (AwsConfig) in.readObject();
        }
    }
}
