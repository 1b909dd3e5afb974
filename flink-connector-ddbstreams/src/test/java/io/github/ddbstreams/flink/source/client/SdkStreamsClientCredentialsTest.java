package io.github.ddbstreams.flink.source.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.HttpStub;
import io.github.ddbstreams.flink.testutils.HttpStub.Response;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The streams calls of {@link SdkStreamsClient} are signed with the assumed role's credentials, not
 * the base ones: STS and DynamoDB Streams are both local stubs that record what they receive.
 */
class SdkStreamsClientCredentialsTest {

    private static final String ROLE = "arn:aws:iam::123456789012:role/streams-reader";
    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2026-01-01T00:00:00.000";

    @Test
    void assumedRoleSignsTheStreamsCalls() throws Exception {
        String credentials =
                "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                        + "<AssumeRoleResult><Credentials><AccessKeyId>ASIAROLEKEY000000001"
                        + "</AccessKeyId><SecretAccessKey>roleSecret</SecretAccessKey>"
                        + "<SessionToken>roleToken</SessionToken><Expiration>"
                        + Instant.now().plusSeconds(3600)
                        + "</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROA:s"
                        + "</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
                        + "</AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>";
        String stream =
                "{\"StreamDescription\":{\"StreamArn\":\""
                        + ARN
                        + "\",\"StreamStatus\":\"ENABLED\",\"StreamViewType\":\"KEYS_ONLY\","
                        + "\"Shards\":[]}}";
        try (HttpStub sts = HttpStub.start(r -> Response.xml(200, credentials));
                HttpStub streams = HttpStub.start(r -> Response.json(200, stream));
                SdkStreamsClient client =
                        SdkStreamsClient.create(
                                AwsConfig.builder()
                                        .region("eu-west-1")
                                        .endpointOverride(streams.endpoint())
                                        .staticCredentials("AKIABASEKEY000000001", "baseSecret")
                                        .assumeRole(ROLE, "flink")
                                        .stsEndpointOverride(sts.endpoint())
                                        .build())) {
            StreamPage page = client.describeStream(ARN, null);

            assertThat(page.shards()).isEmpty();
            assertThat(sts.requests()).hasSize(1);
            assertThat(sts.requests().get(0).header("Authorization"))
                    .contains("Credential=AKIABASEKEY000000001/");
            assertThat(streams.requests()).hasSize(1);
            assertThat(streams.requests().get(0).header("Authorization"))
                    .contains("Credential=ASIAROLEKEY000000001/")
                    .contains("/eu-west-1/dynamodb/aws4_request");
            assertThat(streams.requests().get(0).header("X-Amz-Security-Token"))
                    .isEqualTo("roleToken");
        }
    }
}
