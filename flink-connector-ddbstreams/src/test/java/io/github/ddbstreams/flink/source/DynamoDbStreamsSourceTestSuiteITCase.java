package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.testutils.DynamoDbLocalResource;
import io.github.ddbstreams.flink.testutils.DynamoDbStreamsSourceExternalContext;
import org.apache.flink.connector.testframe.environment.MiniClusterTestEnvironment;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.junit.annotations.TestContext;
import org.apache.flink.connector.testframe.junit.annotations.TestEnv;
import org.apache.flink.connector.testframe.junit.annotations.TestExternalSystem;
import org.apache.flink.connector.testframe.junit.annotations.TestSemantics;
import org.apache.flink.connector.testframe.testsuites.SourceTestSuiteBase;
import org.apache.flink.core.execution.CheckpointingMode;

/**
 * Flink's own connector test suite against the source on a MiniCluster and DynamoDB Local: single
 * and multiple splits, idle readers, savepoint restore at the same, higher and lower parallelism,
 * the {@code numRecordsIn} metric, and TaskManager failover, all exactly-once. See {@link
 * DynamoDbStreamsSourceExternalContext} for how the framework's splits map onto a stream (one item
 * per split, a shard rollover after every batch).
 */
class DynamoDbStreamsSourceTestSuiteITCase extends SourceTestSuiteBase<String> {

    @TestEnv final MiniClusterTestEnvironment flink = new MiniClusterTestEnvironment();

    @TestExternalSystem final DynamoDbLocalResource dynamoDb = new DynamoDbLocalResource();

    @TestContext
    final ExternalContextFactory<DynamoDbStreamsSourceExternalContext> contexts =
            DynamoDbStreamsSourceExternalContext.factory(dynamoDb);

    @TestSemantics
    final CheckpointingMode[] semantics = new CheckpointingMode[] {CheckpointingMode.EXACTLY_ONCE};
}
