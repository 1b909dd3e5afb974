package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The demo's real-stream mode, pointed at DynamoDB Local with {@code --endpoint}: it resolves the
 * table's stream, reads it with the default credentials chain and prints every change once.
 */
class AwsDemoITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private String previousKeyId;
    private String previousSecret;

    @BeforeEach
    void credentialsForTheDefaultChain() {
        // The default chain reads these system properties; DynamoDB Local keeps one database per
        // access key, so they must be the ones the test's own client used.
        previousKeyId = System.setProperty("aws.accessKeyId", DynamoDbLocal.ACCESS_KEY_ID);
        previousSecret = System.setProperty("aws.secretAccessKey", DynamoDbLocal.SECRET_ACCESS_KEY);
    }

    @AfterEach
    void restoreCredentials() {
        restore("aws.accessKeyId", previousKeyId);
        restore("aws.secretAccessKey", previousSecret);
    }

    @Test
    void printsEveryChangeOfAnExistingTableOnce() throws Exception {
        DYNAMODB.createTable("orders", StreamViewType.NEW_AND_OLD_IMAGES);
        DYNAMODB.get().putItems("orders", "order-", 30);
        DemoSettings settings =
                DemoSettings.parse(
                        "--table", "orders",
                        "--region", DynamoDbLocal.REGION,
                        "--endpoint", DYNAMODB.endpoint().toString(),
                        "--from", "trim-horizon",
                        "--max", "30",
                        "--duration", "120");
        ByteArrayOutputStream log = new ByteArrayOutputStream();

        int printed =
                AwsDemo.run(
                        AwsDemo.source(settings),
                        settings.withoutPrinting(),
                        new PrintStream(log, true, StandardCharsets.UTF_8));

        assertThat(printed).isEqualTo(30);
        assertThat(log.toString(StandardCharsets.UTF_8))
                .contains("the current stream of table orders")
                .contains("changes printed: 30");
    }

    @Test
    void aMalformedStreamArnIsRejectedBeforeAnyJobStarts() {
        DemoSettings settings =
                DemoSettings.parse("--stream-arn", "orders", "--region", "eu-west-1");

        assertThatThrownBy(() -> AwsDemo.source(settings))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a DynamoDB stream ARN");
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }
}
