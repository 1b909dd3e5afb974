package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.SnapshotRecords;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class SegmentCursorTest {

    private static final Instant READ_AT = Instant.parse("2026-12-04T03:00:00.250Z");

    @Test
    void asksForConsistentPagesOfItsSegmentFromItsProgress() {
        Map<String, AttributeValue> after = Map.of("pk", AttributeValue.fromS("k3"));
        SegmentCursor cursor =
                new SegmentCursor(
                        ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, "orders", 1, 4)
                                .after(after),
                        List.of("pk"),
                        StreamViewType.NEW_AND_OLD_IMAGES);

        ScanRequest request = cursor.nextRequest(250);

        assertThat(request.tableName()).isEqualTo("orders");
        assertThat(request.segment()).isEqualTo(1);
        assertThat(request.totalSegments()).isEqualTo(4);
        assertThat(request.exclusiveStartKey()).isEqualTo(after);
        assertThat(request.limit()).isEqualTo(250);
        assertThat(request.consistentRead()).isTrue();
        assertThat(request.returnConsumedCapacity()).isEqualTo(ReturnConsumedCapacity.TOTAL);
    }

    @Test
    void turnsPagesIntoSnapshotRowsAndProgressUntilTheLastPage() {
        SegmentCursor cursor =
                new SegmentCursor(
                        ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, "orders", 0, 2),
                        List.of("pk", "sk"),
                        StreamViewType.NEW_IMAGE);
        Map<String, AttributeValue> item =
                Map.of(
                        "pk", AttributeValue.fromS("a"),
                        "sk", AttributeValue.fromN("1"),
                        "v", AttributeValue.fromS("x"));
        Map<String, AttributeValue> lastKey =
                Map.of("pk", AttributeValue.fromS("a"), "sk", AttributeValue.fromN("1"));

        SegmentCursor.Page first =
                cursor.onPage(
                        ScanResponse.builder()
                                .items(item)
                                .lastEvaluatedKey(lastKey)
                                .consumedCapacity(
                                        ConsumedCapacity.builder().capacityUnits(2.5).build())
                                .build(),
                        READ_AT);

        assertThat(first.last()).isFalse();
        assertThat(first.consumedUnits()).isEqualTo(2.5);
        assertThat(first.rows()).hasSize(1);
        Record row = first.rows().get(0);
        assertThat(SnapshotRecords.isSnapshot(row)).isTrue();
        assertThat(row.dynamodb().keys()).isEqualTo(lastKey);
        assertThat(row.dynamodb().newImage()).isEqualTo(item);
        assertThat(row.dynamodb().approximateCreationDateTime()).isEqualTo(READ_AT);
        assertThat(row.dynamodb().streamViewType()).isEqualTo(StreamViewType.NEW_IMAGE);
        assertThat(cursor.progress().getExclusiveStartKey()).isEqualTo(lastKey);
        assertThat(cursor.nextRequest(10).exclusiveStartKey()).isEqualTo(lastKey);

        SegmentCursor.Page last = cursor.onPage(ScanResponse.builder().build(), READ_AT);

        assertThat(last.last()).isTrue();
        assertThat(last.rows()).isEmpty();
        assertThat(last.consumedUnits()).isZero();
        assertThat(cursor.isDone()).isTrue();
        assertThat(cursor.progress().isDone()).isTrue();
        assertThat(cursor.itemsRead()).isEqualTo(1);
        assertThatThrownBy(() -> cursor.nextRequest(10))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("#scan-0-of-2");
    }

    @Test
    void anItemWithoutItsKeyIsAnErrorNamingTheAttribute() {
        SegmentCursor cursor =
                new SegmentCursor(
                        ScanSegmentSplit.unread(SampleRecords.STREAM_ARN, "orders", 0, 1),
                        List.of("pk"),
                        StreamViewType.NEW_IMAGE);

        assertThatThrownBy(
                        () ->
                                cursor.onPage(
                                        ScanResponse.builder()
                                                .items(Map.of("other", AttributeValue.fromS("x")))
                                                .build(),
                                        READ_AT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pk");
    }

    @Test
    void aFinishedSegmentIsNotReadAgain() {
        assertThatThrownBy(
                        () ->
                                new SegmentCursor(
                                        ScanSegmentSplit.unread(
                                                        SampleRecords.STREAM_ARN, "orders", 0, 1)
                                                .after(null),
                                        List.of("pk"),
                                        StreamViewType.NEW_IMAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already read");
    }
}
