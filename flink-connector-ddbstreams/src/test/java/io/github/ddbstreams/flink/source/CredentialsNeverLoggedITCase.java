package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.LogCapture;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A job configured with static keys fails (its stream does not exist) while every logger of the JVM
 * is captured at level ALL, including the AWS SDK's and the HTTP client's wire logs. Neither the
 * logs, nor the failure with all its causes, nor the {@code toString} of the source and its
 * configuration may contain the secret access key.
 */
class CredentialsNeverLoggedITCase {

    private static final String SECRET = "S3cr3tValueThatMustNeverBeLogged";
    private static final String KEY_ID = "AKIALOGCAPTURE000001";

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(1);

    @Test
    void secretAppearsNowhereWhenAJobWithStaticKeysFails() throws Exception {
        String arn =
                "arn:aws:dynamodb:ddblocal:000000000000:table/no-such-table/stream/"
                        + "2026-01-01T00:00:00.000";
        AwsConfig aws =
                AwsConfig.builder()
                        .region(DynamoDbLocal.REGION)
                        .endpointOverride(DYNAMODB.endpoint())
                        .staticCredentials(KEY_ID, SECRET)
                        .build();
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(arn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(aws)
                        .build();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        Throwable failure;
        String logs;
        long events;
        try (LogCapture capture = LogCapture.everything()) {
            failure =
                    catchThrowable(
                            () ->
                                    env.fromSource(
                                                    source,
                                                    WatermarkStrategy.noWatermarks(),
                                                    "missing")
                                            .executeAndCollect("credentials-never-logged", 1));
            logs = capture.text();
            events = capture.eventCount();
        }

        assertThat(failure).as("the job must fail for a stream that does not exist").isNotNull();
        String failureText = stackTrace(failure);
        assertThat(failureText).contains(arn).contains("does not exist");
        // The capture must have seen the job, the failure and the signed AWS calls, or its
        // silence about the secret would prove nothing.
        assertThat(events).isGreaterThan(100);
        assertThat(logs)
                .contains("credentials-never-logged")
                .contains(arn)
                .contains("Credential=" + KEY_ID + "/");

        assertThat(logs).doesNotContain(SECRET);
        assertThat(failureText).doesNotContain(SECRET);
        assertThat(source.toString()).doesNotContain(SECRET);
        assertThat(aws.toString()).doesNotContain(SECRET).doesNotContain(KEY_ID);
    }

    private static String stackTrace(Throwable failure) {
        StringWriter text = new StringWriter();
        failure.printStackTrace(new PrintWriter(text));
        return text.toString();
    }
}
