package io.github.ddbstreams.flink.source.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ddbstreams.flink.testutils.HttpStub;
import io.github.ddbstreams.flink.testutils.HttpStub.Request;
import io.github.ddbstreams.flink.testutils.HttpStub.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.model.StsException;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Which SDK providers each kind of credentials builds, and how they behave: profile files from a
 * temporary file, assume-role and web identity against a local STS stub returning canned XML.
 */
class AwsCredentialsProvidersTest {

    private static final Region REGION = Region.EU_WEST_1;
    private static final String ROLE = "arn:aws:iam::123456789012:role/streams-reader";
    private static final String BASE_KEY_ID = "AKIABASEKEYEXAMPLE01";
    private static final String BASE_SECRET = "BaseSecretThatMustStayInTheJvm0123456789";
    private static final String ROLE_KEY_ID = "ASIAROLEKEYEXAMPLE01";
    private static final String ROLE_SECRET = "RoleSecretFromStsExample0123456789abcdef";
    private static final String ROLE_TOKEN = "RoleSessionTokenFromStsExample";

    @TempDir Path dir;

    @Test
    void staticCredentialsOwnNothing() {
        try (CloseableCredentialsProvider p =
                AwsConfig.builder()
                        .staticCredentials(BASE_KEY_ID, BASE_SECRET)
                        .build()
                        .createCredentialsProvider(REGION)) {
            assertThat(p.provider()).isInstanceOf(StaticCredentialsProvider.class);
            assertThat(p.resources()).isEmpty();
            assertThat(p.resolveCredentials().accessKeyId()).isEqualTo(BASE_KEY_ID);
            assertThat(p.toString()).doesNotContain(BASE_KEY_ID).doesNotContain(BASE_SECRET);
        }
    }

    @Test
    void defaultChainIsOwnedSoThatItIsClosed() {
        try (CloseableCredentialsProvider p =
                AwsConfig.defaults().createCredentialsProvider(REGION)) {
            assertThat(p.provider()).isInstanceOf(DefaultCredentialsProvider.class);
            assertThat(p.resources()).containsExactly((SdkAutoCloseable) p.provider());
        }
    }

    @Test
    void profileFromAGivenFileResolvesItsOwnKey() throws Exception {
        Path file = credentialsFile();

        try (CloseableCredentialsProvider p =
                AwsConfig.builder()
                        .profileCredentials("reader", file.toString())
                        .build()
                        .createCredentialsProvider(REGION)) {
            AwsCredentials credentials = p.resolveCredentials();

            assertThat(p.provider()).isInstanceOf(ProfileCredentialsProvider.class);
            assertThat(credentials.accessKeyId()).isEqualTo("AKIAREADERPROFILE001");
            assertThat(credentials.secretAccessKey()).isEqualTo("readerSecret0123456789");
        }
    }

    @Test
    void missingProfileFailsWithoutShowingTheSecretsInTheFile() throws Exception {
        Path file = credentialsFile();

        try (CloseableCredentialsProvider p =
                AwsConfig.builder()
                        .profileCredentials("missing", file.toString())
                        .build()
                        .createCredentialsProvider(REGION)) {
            Throwable failure = catchThrowable(p::resolveCredentials);

            assertThat(failure).isNotNull();
            assertThat(fullText(failure))
                    .contains("missing")
                    .doesNotContain("readerSecret")
                    .doesNotContain("writerSecret");
        }
    }

    @Test
    void assumeRoleIsBuiltWithoutCallingSts() throws Exception {
        try (HttpStub sts = HttpStub.start(r -> Response.xml(500, "unexpected"));
                CloseableCredentialsProvider p =
                        AwsConfig.builder()
                                .assumeRole(ROLE, "flink")
                                .stsEndpointOverride(sts.endpoint())
                                .build()
                                .createCredentialsProvider(REGION)) {
            assertThat(p.provider()).isInstanceOf(StsAssumeRoleCredentialsProvider.class);
            // The base chain, the STS client it signs for, the role provider: all closed with us.
            assertThat(p.resources()).hasSize(3);
            assertThat(p.resources().get(0)).isInstanceOf(DefaultCredentialsProvider.class);
            assertThat(p.resources().get(1)).isInstanceOf(StsClient.class);
            assertThat(p.resources().get(2)).isSameAs(p.provider());
            assertThat(sts.requests()).isEmpty();
        }
    }

    @Test
    void assumeRoleSignsWithTheBaseKeyAndReturnsTheRolesCredentials() throws Exception {
        try (HttpStub sts = HttpStub.start(r -> Response.xml(200, credentialsXml("AssumeRole")));
                CloseableCredentialsProvider p =
                        AwsConfig.builder()
                                .staticCredentials(BASE_KEY_ID, BASE_SECRET)
                                .assumeRole(ROLE, "flink-orders", "partner-42", Duration.ofHours(1))
                                .stsEndpointOverride(sts.endpoint())
                                .build()
                                .createCredentialsProvider(REGION)) {
            AwsCredentials credentials = p.resolveCredentials();

            assertThat(credentials.accessKeyId()).isEqualTo(ROLE_KEY_ID);
            assertThat(credentials.secretAccessKey()).isEqualTo(ROLE_SECRET);
            assertThat(((AwsSessionCredentials) credentials).sessionToken()).isEqualTo(ROLE_TOKEN);
            assertThat(sts.requests()).hasSize(1);
            Request call = sts.requests().get(0);
            assertThat(call.form())
                    .containsEntry("Action", "AssumeRole")
                    .containsEntry("RoleArn", ROLE)
                    .containsEntry("RoleSessionName", "flink-orders")
                    .containsEntry("ExternalId", "partner-42")
                    .containsEntry("DurationSeconds", "3600");
            assertThat(call.header("Authorization"))
                    .contains("Credential=" + BASE_KEY_ID + "/")
                    .contains("/eu-west-1/sts/aws4_request");
            // Signing proves possession of the secret without sending it.
            assertThat(call.text()).doesNotContain(BASE_SECRET);
        }
    }

    @Test
    void closingReleasesTheStsClient() throws Exception {
        try (HttpStub sts = HttpStub.start(r -> Response.xml(200, credentialsXml("AssumeRole")))) {
            CloseableCredentialsProvider p =
                    AwsConfig.builder()
                            .staticCredentials(BASE_KEY_ID, BASE_SECRET)
                            .assumeRole(ROLE, "flink")
                            .stsEndpointOverride(sts.endpoint())
                            .build()
                            .createCredentialsProvider(REGION);
            StsClient client =
                    p.resources().stream()
                            .filter(StsClient.class::isInstance)
                            .map(StsClient.class::cast)
                            .findFirst()
                            .orElseThrow();

            p.close();
            p.close();

            assertThatThrownBy(client::getCallerIdentity).isInstanceOf(IllegalStateException.class);
            assertThat(sts.requests()).isEmpty();
        }
    }

    @Test
    void stsRefusalsDoNotCarryTheBaseSecret() throws Exception {
        String refusal =
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
                        + "<Type>Sender</Type><Code>AccessDenied</Code><Message>User:"
                        + " arn:aws:iam::123456789012:user/base is not authorized to perform:"
                        + " sts:AssumeRole on resource: "
                        + ROLE
                        + "</Message></Error><RequestId>r-1</RequestId></ErrorResponse>";
        try (HttpStub sts = HttpStub.start(r -> Response.xml(403, refusal));
                CloseableCredentialsProvider p =
                        AwsConfig.builder()
                                .staticCredentials(BASE_KEY_ID, BASE_SECRET)
                                .assumeRole(ROLE, "flink")
                                .stsEndpointOverride(sts.endpoint())
                                .build()
                                .createCredentialsProvider(REGION)) {
            Throwable failure = catchThrowable(p::resolveCredentials);
            assertThat(failure).isInstanceOf(StsException.class);
            assertThat(fullText(failure))
                    .contains("not authorized")
                    .contains(ROLE)
                    .doesNotContain(BASE_SECRET);
        }
    }

    @Test
    void webIdentityReadsTheTokenFileAgainAtEveryRefresh() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "first.oidc.token\n");
        // Credentials that are stale at once make the provider refresh on every call.
        Instant expiry = Instant.now().plusSeconds(5);
        try (HttpStub sts =
                        HttpStub.start(
                                r ->
                                        Response.xml(
                                                200,
                                                credentialsXml(
                                                        "AssumeRoleWithWebIdentity", expiry)));
                CloseableCredentialsProvider p =
                        AwsConfig.builder()
                                .webIdentityCredentials(ROLE, token.toString(), "pod-1")
                                .stsEndpointOverride(sts.endpoint())
                                .build()
                                .createCredentialsProvider(REGION)) {
            assertThat(p.provider())
                    .isInstanceOf(StsAssumeRoleWithWebIdentityCredentialsProvider.class);
            assertThat(sts.requests()).isEmpty();

            assertThat(p.resolveCredentials().accessKeyId()).isEqualTo(ROLE_KEY_ID);
            Files.writeString(token, "second.oidc.token");
            p.resolveCredentials();

            List<Request> calls = sts.requests();
            assertThat(calls).hasSizeGreaterThanOrEqualTo(2);
            Map<String, String> first = calls.get(0).form();
            assertThat(first)
                    .containsEntry("Action", "AssumeRoleWithWebIdentity")
                    .containsEntry("RoleArn", ROLE)
                    .containsEntry("RoleSessionName", "pod-1")
                    .containsEntry("WebIdentityToken", "first.oidc.token");
            assertThat(calls.get(calls.size() - 1).form())
                    .containsEntry("WebIdentityToken", "second.oidc.token");
            // The token is the proof: the call is not signed with any key.
            assertThat(calls.get(0).header("Authorization")).isNull();
        }
    }

    @Test
    void unreadableTokenFileNamesTheOptionAndThePath() throws Exception {
        Path missing = dir.resolve("no-such-token");
        try (HttpStub sts = HttpStub.start(r -> Response.xml(500, "unexpected"));
                CloseableCredentialsProvider p =
                        AwsConfig.builder()
                                .webIdentityCredentials(ROLE, missing.toString(), "pod-1")
                                .stsEndpointOverride(sts.endpoint())
                                .build()
                                .createCredentialsProvider(REGION)) {
            Throwable failure = catchThrowable(p::resolveCredentials);

            assertThat(failure).isNotNull();
            assertThat(fullText(failure))
                    .contains("awsConfig.webIdentityTokenFile")
                    .contains(missing.toString());
            assertThat(sts.requests()).isEmpty();
        }
    }

    private Path credentialsFile() throws Exception {
        Path file = dir.resolve("credentials");
        Files.writeString(
                file,
                "[reader]\n"
                        + "aws_access_key_id = AKIAREADERPROFILE001\n"
                        + "aws_secret_access_key = readerSecret0123456789\n"
                        + "\n"
                        + "[writer]\n"
                        + "aws_access_key_id = AKIAWRITERPROFILE001\n"
                        + "aws_secret_access_key = writerSecret0123456789\n");
        return file;
    }

    private static String credentialsXml(String action) {
        return credentialsXml(action, Instant.now().plus(Duration.ofHours(1)));
    }

    private static String credentialsXml(String action, Instant expiry) {
        return "<"
                + action
                + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><"
                + action
                + "Result><Credentials><AccessKeyId>"
                + ROLE_KEY_ID
                + "</AccessKeyId><SecretAccessKey>"
                + ROLE_SECRET
                + "</SecretAccessKey><SessionToken>"
                + ROLE_TOKEN
                + "</SessionToken><Expiration>"
                + expiry
                + "</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:flink"
                + "</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/streams-reader/"
                + "flink</Arn></AssumedRoleUser></"
                + action
                + "Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></"
                + action
                + "Response>";
    }

    /** Every message, class name and frame of the failure and its causes and suppressed. */
    static String fullText(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text + "\n" + failure;
    }
}
