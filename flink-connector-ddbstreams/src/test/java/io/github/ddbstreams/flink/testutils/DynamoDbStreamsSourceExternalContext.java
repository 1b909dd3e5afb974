package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.StartingPosition;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalContextFactory;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * DynamoDB Streams on {@link DynamoDbLocal} as seen by Flink's connector testing framework ({@code
 * SourceTestSuiteBase}).
 *
 * <p>How the framework's notions map onto a stream:
 *
 * <ul>
 *   <li><b>One table per context.</b> The source reads one stream, and the framework creates the
 *       source before (or after) the split writers, so every framework split of a test case must
 *       land in the same stream: the context creates one fresh table, and its source reads that
 *       table's stream from {@code TRIM_HORIZON}.
 *   <li><b>A framework split is one item.</b> The framework demands per-split order and nothing
 *       across splits; DynamoDB Streams promises exactly that per item (per key). Each split writer
 *       owns one key and writes every record as a new version of that item ({@code PutItem} with
 *       the record in attribute {@value PayloadDeserializer#ATTRIBUTE}), and {@link
 *       PayloadDeserializer} turns each stream record back into the written string. Mapping a split
 *       to one table+stream per split is impossible (the source reads one stream), and mapping it
 *       to many keys would rely on cross-key order, which DynamoDB does not promise.
 *   <li><b>Shards: a rollover after every batch.</b> DynamoDB Local gives a new table one shard and
 *       never splits it, so without help every case would read a single shard. After each {@link
 *       ExternalSystemSplitDataWriter#writeRecords} the writer rolls every open shard over (closed,
 *       one child), so each batch lands in its own shard of one lineage: the suite then also proves
 *       parent-before-child reads, child discovery, and positions of finished and open shards
 *       across savepoints, rescaling and TaskManager failover. The stream never has more than one
 *       open shard, so at any moment at most one reader has work; the others are idle, which is the
 *       honest shape of a DynamoDB stream that has not split.
 * </ul>
 *
 * <p>The framework compares records with {@code equals} and requires records of different splits to
 * differ: each generated string names its split, and a context-wide counter makes every string
 * unique, which also guarantees each {@code PutItem} changes the item (an unchanged item emits no
 * stream record).
 */
public final class DynamoDbStreamsSourceExternalContext
        implements DataStreamSourceExternalContext<String> {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private final DynamoDbLocal dynamoDb;
    private final String table;
    private final String streamArn;
    private final AtomicInteger splits = new AtomicInteger();
    private final AtomicLong records = new AtomicLong();

    private DynamoDbStreamsSourceExternalContext(DynamoDbLocal dynamoDb) {
        this.dynamoDb = dynamoDb;
        this.table = "suite-" + TABLES.incrementAndGet();
        this.streamArn = dynamoDb.createTable(table, StreamViewType.NEW_IMAGE);
    }

    /** Makes a context (a fresh table) per test case on the resource's DynamoDB Local. */
    public static ExternalContextFactory<DynamoDbStreamsSourceExternalContext> factory(
            DynamoDbLocalResource dynamoDb) {
        return testName -> new DynamoDbStreamsSourceExternalContext(dynamoDb.get());
    }

    /** The stream every source of this context reads. */
    public String streamArn() {
        return streamArn;
    }

    @Override
    public Source<String, ?, ?> createSource(TestingSourceSettings sourceSettings) {
        DynamoDbStreamsSourceBuilder<String> builder =
                DynamoDbStreamsSource.<String>builder()
                        .streamArn(streamArn)
                        .startingPosition(StartingPosition.trimHorizon())
                        .awsConfig(dynamoDb.awsConfig())
                        .deserializer(new PayloadDeserializer())
                        // Short intervals: the suite's cases wait for every record.
                        .idlePollInterval(Duration.ofMillis(50))
                        .shardDiscoveryInterval(Duration.ofSeconds(1));
        if (sourceSettings.getBoundedness() == Boundedness.BOUNDED) {
            builder.bounded();
        }
        return builder.build();
    }

    @Override
    public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
            TestingSourceSettings sourceSettings) {
        return new ItemWriter("split-" + splits.getAndIncrement());
    }

    @Override
    public List<String> generateTestData(
            TestingSourceSettings sourceSettings, int splitIndex, long seed) {
        Random random = new Random(seed);
        int count = 10 + random.nextInt(21);
        List<String> data = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            data.add(
                    String.format(
                            "split-%d-record-%d-%08x",
                            splitIndex, records.getAndIncrement(), random.nextInt()));
        }
        return data;
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }

    @Override
    public List<URL> getConnectorJarPaths() {
        // The MiniCluster runs in this JVM: the connector is on its classpath already.
        return List.of();
    }

    @Override
    public void close() {
        try {
            dynamoDb.dynamoDbClient().deleteTable(r -> r.tableName(table));
        } catch (RuntimeException e) {
            // Best effort: the whole instance goes away after the test class.
        }
    }

    /** Writes one framework split: successive versions of one item. */
    private final class ItemWriter implements ExternalSystemSplitDataWriter<String> {
        private final String key;

        ItemWriter(String key) {
            this.key = key;
        }

        @Override
        public void writeRecords(List<String> batch) {
            for (String record : batch) {
                // One PutItem per record, in order: a batch write gives no order within a batch.
                dynamoDb.putItem(
                        table,
                        Map.of(
                                DynamoDbLocal.HASH_KEY,
                                AttributeValue.fromS(key),
                                PayloadDeserializer.ATTRIBUTE,
                                AttributeValue.fromS(record)));
            }
            dynamoDb.triggerShardRollovers();
        }

        @Override
        public void close() {}
    }
}
