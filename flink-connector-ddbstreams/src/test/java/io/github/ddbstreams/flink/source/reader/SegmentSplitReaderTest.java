package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.testutils.FakeTable;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/** {@link SegmentSplitReader}'s faults and budget, on a fake that answers Scans from a script. */
class SegmentSplitReaderTest {

    private static final String TABLE = "orders";

    /** Answers each Scan with the next scripted answer: a page, or an error to throw. */
    private static final class ScriptedScans implements StreamsClient {
        final Deque<Supplier<ScanResponse>> answers = new ArrayDeque<>();
        final List<ScanRequest> requests = new ArrayList<>();

        ScriptedScans page(double units, boolean last, String... keys) {
            answers.add(
                    () -> {
                        List<Map<String, AttributeValue>> items = new ArrayList<>();
                        for (String key : keys) {
                            items.add(Map.of("pk", AttributeValue.fromS(key)));
                        }
                        ScanResponse.Builder page =
                                ScanResponse.builder()
                                        .items(items)
                                        .consumedCapacity(
                                                ConsumedCapacity.builder()
                                                        .capacityUnits(units)
                                                        .build());
                        if (!last) {
                            page.lastEvaluatedKey(items.get(items.size() - 1));
                        }
                        return page.build();
                    });
            return this;
        }

        ScriptedScans fail(RuntimeException error) {
            answers.add(
                    () -> {
                        throw error;
                    });
            return this;
        }

        @Override
        public ScanResponse scan(ScanRequest request) {
            requests.add(request);
            return answers.remove().get();
        }

        @Override
        public TableDescription describeTable(String tableName) {
            return TableDescription.builder()
                    .tableName(tableName)
                    .keySchema(
                            KeySchemaElement.builder()
                                    .attributeName("pk")
                                    .keyType(KeyType.HASH)
                                    .build())
                    .build();
        }

        @Override
        public String resolveLatestStreamArn(String tableName) {
            throw new UnsupportedOperationException("not a stream test");
        }

        @Override
        public StreamPage describeStream(String streamArn, String exclusiveStartShardId) {
            throw new UnsupportedOperationException("not a stream test");
        }

        @Override
        public List<Shard> listChildShards(String streamArn, String parentShardId) {
            throw new UnsupportedOperationException("not a stream test");
        }

        @Override
        public String getShardIterator(
                String streamArn, String shardId, ShardIteratorType type, String sequenceNumber) {
            throw new UnsupportedOperationException("not a stream test");
        }

        @Override
        public GetRecordsResponse getRecords(String shardIterator, int limit) {
            throw new UnsupportedOperationException("not a stream test");
        }

        @Override
        public void close() {}
    }

    private final ScriptedScans scans = new ScriptedScans();
    private final SnapshotReaderMetrics metrics = SnapshotReaderMetrics.unregistered();

    @Test
    void throttledScansAreRetriedWithBackOffAndCounted() throws IOException {
        scans.fail(throttled()).fail(throttled()).page(1, false, "a", "b").page(1, true, "c");
        SegmentSplitReader reader = reader(0);

        List<String> rows = new ArrayList<>();
        List<String> finished = new ArrayList<>();
        for (int i = 0; i < 200 && finished.isEmpty(); i++) {
            drain(reader.fetch(), rows, finished);
        }

        assertThat(rows).containsExactly("a", "b", "c");
        assertThat(finished).containsExactly(segment().splitId());
        assertThat(metrics.throttledScans()).isEqualTo(2);
        assertThat(metrics.itemsScanned()).isEqualTo(3);
        assertThat(metrics.bytesScanned()).isEqualTo(3 * ("pk".length() + "a".length()));
        // The retried calls asked for the same page; the next one went on after "b".
        assertThat(scans.requests.get(2).hasExclusiveStartKey()).isFalse();
        assertThat(scans.requests.get(3).exclusiveStartKey())
                .isEqualTo(Map.of("pk", AttributeValue.fromS("b")));
    }

    @Test
    void anErrorThatWillNotGoAwayFailsNamingTheSegmentAndTable() {
        scans.fail(
                ResourceNotFoundException.builder()
                        .message("Requested resource not found")
                        .statusCode(400)
                        .build());
        SegmentSplitReader reader = reader(0);

        assertThatThrownBy(reader::fetch)
                .isInstanceOf(IOException.class)
                .hasMessageContaining("segment 2 of 4 of table orders")
                .hasMessageContaining("Requested resource not found");
    }

    @Test
    void theReadUnitBudgetHoldsBackTheNextPage() throws IOException {
        // 10 units per second: the first page (10 units) uses the initial second's worth, the
        // second puts the budget 10 units in debt, so a third waits about a second.
        scans.page(10, false, "a").page(10, false, "b").page(10, true, "c");
        SegmentSplitReader reader = reader(10);
        List<String> rows = new ArrayList<>();
        List<String> finished = new ArrayList<>();

        drain(reader.fetch(), rows, finished);
        drain(reader.fetch(), rows, finished);
        drain(reader.fetch(), rows, finished);

        assertThat(rows).containsExactly("a", "b");
        assertThat(scans.requests).hasSize(2);
        assertThat(metrics.readUnits()).isEqualTo(20);
    }

    private SegmentSplitReader reader(double readUnitsPerSecond) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(2));
        SegmentSplitReader reader =
                new SegmentSplitReader(
                        scans, SegmentReaderSettings.of(config, 2, readUnitsPerSecond), metrics);
        reader.handleSplitsChanges(new SplitsAddition<DynamoDbSplit>(List.of(segment())));
        return reader;
    }

    private static ScanSegmentSplit segment() {
        return ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, TABLE, 2, 4);
    }

    private static ProvisionedThroughputExceededException throttled() {
        return FakeTable.throttled("throttled (fake)");
    }

    private static void drain(
            RecordsWithSplitIds<ShardElement> batch, List<String> rows, List<String> finished) {
        for (String split = batch.nextSplit(); split != null; split = batch.nextSplit()) {
            for (ShardElement e = batch.nextRecordFromSplit();
                    e != null;
                    e = batch.nextRecordFromSplit()) {
                if (e.record() != null) {
                    rows.add(e.record().dynamodb().keys().get("pk").s());
                }
            }
        }
        finished.addAll(batch.finishedSplits());
    }
}
