package io.github.ddbstreams.flink.source.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.HttpStub;
import io.github.ddbstreams.flink.testutils.HttpStub.Response;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * The AWS SDK's own errors about credentials and signatures, as our client surfaces them, carry no
 * secret: AWS refusing a signature (answered by a local stub, since DynamoDB Local accepts any
 * signature), and the SDK failing to find complete credentials.
 */
class SdkErrorsKeepSecretsTest {

    private static final String KEY_ID = "AKIASIGNATURETEST001";
    private static final String SECRET = "S3cr3tValueThatMustNeverBeLogged";
    private static final String TOKEN = "T0kenValueThatMustNeverBeLoggedEither";
    private static final String ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

    @TempDir Path dir;

    @Test
    void signatureRefusalCarriesNoSecret() throws Exception {
        String refusal =
                "{\"__type\":\"com.amazon.coral.service#InvalidSignatureException\","
                        + "\"message\":\"The request signature we calculated does not match the"
                        + " signature you provided. Check your AWS Secret Access Key and signing"
                        + " method.\"}";
        try (HttpStub aws = HttpStub.start(r -> Response.json(400, refusal));
                SdkStreamsClient client =
                        SdkStreamsClient.create(
                                AwsConfig.builder()
                                        .region("us-east-1")
                                        .endpointOverride(aws.endpoint())
                                        .staticCredentials(KEY_ID, SECRET, TOKEN)
                                        .build())) {
            Throwable failure = catchThrowable(() -> client.describeStream(ARN, null));

            assertThat(failure).isInstanceOf(DynamoDbException.class);
            assertThat(((DynamoDbException) failure).awsErrorDetails().errorCode())
                    .isEqualTo("InvalidSignatureException");
            assertThat(fullText(failure))
                    .contains("signature we calculated")
                    .doesNotContain(SECRET)
                    .doesNotContain(TOKEN);
            // The secret signs but never travels; the session token does travel, in a header.
            assertThat(aws.requests()).isNotEmpty();
            assertThat(aws.requests().get(0).text()).doesNotContain(SECRET).contains(KEY_ID);
        }
    }

    @Test
    void incompleteCredentialsErrorCarriesNoSecret() {
        // A secret without its key id, where the default chain looks first; every other link
        // of the chain is switched off, so that nothing leaves this machine.
        Map<String, String> properties = new HashMap<>();
        properties.put("aws.secretAccessKey", SECRET);
        properties.put("aws.sessionToken", TOKEN);
        properties.put("aws.disableEc2Metadata", "true");
        properties.put("aws.sharedCredentialsFile", dir.resolve("none").toString());
        properties.put("aws.configFile", dir.resolve("none-config").toString());
        Map<String, String> before = new HashMap<>();
        properties.forEach((k, v) -> before.put(k, System.setProperty(k, v)));
        try (HttpStub aws = HttpStub.start(r -> Response.json(500, "{}"));
                SdkStreamsClient client =
                        SdkStreamsClient.create(
                                AwsConfig.builder()
                                        .region("us-east-1")
                                        .endpointOverride(aws.endpoint())
                                        .build())) {
            Throwable failure = catchThrowable(() -> client.describeStream(ARN, null));

            assertThat(failure).isInstanceOf(SdkClientException.class);
            assertThat(fullText(failure))
                    .contains("Unable to load credentials")
                    .doesNotContain(SECRET)
                    .doesNotContain(TOKEN);
            assertThat(aws.requests()).isEmpty();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        } finally {
            before.forEach(
                    (k, v) -> {
                        if (v == null) {
                            System.clearProperty(k);
                        } else {
                            System.setProperty(k, v);
                        }
                    });
        }
    }

    private static String fullText(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text + "\n" + failure;
    }
}
