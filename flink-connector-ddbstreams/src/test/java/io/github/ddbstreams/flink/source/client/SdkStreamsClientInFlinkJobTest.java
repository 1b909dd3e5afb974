package io.github.ddbstreams.flink.source.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.CollectionUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Flink's runtime and DynamoDB Local share one test JVM (and its Jackson, Guava, log4j, Jetty), and
 * an {@link AwsConfig} travels inside a job graph to a task that builds the real client.
 */
class SdkStreamsClientInFlinkJobTest {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @Test
    void taskResolvesStreamArnsThroughTheSdkClient() throws Exception {
        String ordersArn = DYNAMODB.createTable("orders", StreamViewType.NEW_AND_OLD_IMAGES);
        String usersArn = DYNAMODB.createTable("users", StreamViewType.KEYS_ONLY);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);

        List<String> arns;
        try (CloseableIterator<String> results =
                env.fromData("orders", "users")
                        .map(new ResolveStreamArn(DYNAMODB.awsConfig()))
                        .executeAndCollect()) {
            arns = CollectionUtil.iteratorToList(results);
        }

        assertThat(arns).containsExactlyInAnyOrder(ordersArn, usersArn);
    }

    private static final class ResolveStreamArn extends RichMapFunction<String, String> {
        private final AwsConfig awsConfig;
        private transient SdkStreamsClient client;

        ResolveStreamArn(AwsConfig awsConfig) {
            this.awsConfig = awsConfig;
        }

        @Override
        public void open(OpenContext openContext) {
            client = SdkStreamsClient.create(awsConfig);
        }

        @Override
        public String map(String table) {
            return client.resolveLatestStreamArn(table);
        }

        @Override
        public void close() {
            if (client != null) {
                client.close();
            }
        }
    }
}
