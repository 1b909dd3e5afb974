package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class FakeTableTest {

    private static FakeTable table(int items) {
        FakeTable table = new FakeTable("fake");
        for (int i = 0; i < items; i++) {
            table.load(String.format("item-%02d", i), 1);
        }
        return table;
    }

    /** Every page of {@code segment}, following LastEvaluatedKey, as lists of keys. */
    private static List<List<String>> pages(StreamsClient client, int segment, int total) {
        List<List<String>> pages = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanResponse page =
                    client.scan(
                            ScanRequest.builder()
                                    .tableName("fake")
                                    .segment(segment)
                                    .totalSegments(total)
                                    .exclusiveStartKey(start)
                                    .limit(2)
                                    .build());
            List<String> keys = new ArrayList<>();
            page.items().forEach(item -> keys.add(item.get(FakeTable.KEY).s()));
            pages.add(keys);
            start = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return pages;
    }

    @Test
    void segmentsSplitTheTableByKeyHashAndAreReadInKeyOrderPageByPage() {
        StreamsClient client = table(16).withStream(new FakeStreamsClient());
        // floorMod("item-NN".hashCode(), 4): 2 3 0 1 2 3 0 1 2 3 1 2 3 0 1 2 for NN = 00 .. 15.
        assertThat(pages(client, 0, 4))
                .containsExactly(List.of("item-02", "item-06"), List.of("item-13"));
        assertThat(pages(client, 2, 4))
                .containsExactly(
                        List.of("item-00", "item-04"),
                        List.of("item-08", "item-11"),
                        List.of("item-15"));
        // A full last page carries a LastEvaluatedKey, as on DynamoDB: an empty page ends it.
        assertThat(pages(client, 1, 4))
                .containsExactly(
                        List.of("item-03", "item-07"), List.of("item-10", "item-14"), List.of());
        for (int i = 0; i < 16; i++) {
            String key = String.format("item-%02d", i);
            assertThat(FakeTable.segmentOf(key, 4)).isEqualTo(Math.floorMod(key.hashCode(), 4));
        }
    }

    @Test
    void aLimitedSegmentIsThrottledBeyondItsPagesAndTheOthersAreNot() {
        FakeTable table = table(16);
        StreamsClient client = table.withStream(new FakeStreamsClient());
        table.limitPages(2, 1);
        ScanRequest first =
                ScanRequest.builder()
                        .tableName("fake")
                        .segment(2)
                        .totalSegments(4)
                        .limit(2)
                        .build();
        assertThat(client.scan(first).items()).hasSize(2);
        assertThatThrownBy(() -> client.scan(first))
                .isInstanceOfSatisfying(
                        SdkException.class,
                        e -> assertThat(AwsErrors.isThrottling(e)).as("throttling").isTrue());
        assertThat(pages(client, 3, 4)).hasSize(3);
        assertThat(table.pagesServed(2)).isEqualTo(1);
        assertThat(table.pagesServed(3)).isEqualTo(3);
        table.limitPages(2, 1);
        assertThat(client.scan(first).items()).hasSize(2);
        assertThat(table.scans()).hasSize(5);
        assertThatThrownBy(() -> client.scan(first.toBuilder().tableName("other").build()))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void writesChangeTheTableAndAppendTheirChangesWithOldAndNewImages() {
        FakeTable table = table(1);
        FakeStreamsClient stream = new FakeStreamsClient();
        String shard = stream.addShard(null);
        table.put(stream, shard, "item-00", 2);
        table.put(stream, shard, "new-00", 1);
        table.delete(stream, shard, "item-00");

        assertThat(table.versions()).containsExactly(Map.entry("new-00", 1L));
        assertThat(table.describe("fake").itemCount()).isEqualTo(1);
        assertThat(table.describe("fake").streamSpecification().streamViewType())
                .isEqualTo(StreamViewType.NEW_AND_OLD_IMAGES);
        String iterator =
                stream.getShardIterator(
                        FakeStreamsClient.STREAM_ARN, shard, ShardIteratorType.TRIM_HORIZON, null);
        List<Record> records = stream.getRecords(iterator, 10).records();
        assertThat(records)
                .extracting(Record::eventName)
                .containsExactly(OperationType.MODIFY, OperationType.INSERT, OperationType.REMOVE);
        assertThat(records.get(0).dynamodb().oldImage()).isEqualTo(FakeTable.image("item-00", 1));
        assertThat(records.get(0).dynamodb().newImage()).isEqualTo(FakeTable.image("item-00", 2));
        assertThat(records.get(1).dynamodb().hasOldImage()).isFalse();
        assertThat(records.get(2).dynamodb().oldImage()).isEqualTo(FakeTable.image("item-00", 2));
        assertThat(records.get(2).dynamodb().hasNewImage()).isFalse();
    }
}
