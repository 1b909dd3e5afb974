package io.github.ddbstreams.flink.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class SnapshotRecordsTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-05-01T00:00:00.000";

    private static Map<String, AttributeValue> item() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("status", AttributeValue.fromS("open"));
        item.put("sk", AttributeValue.fromN("7"));
        item.put("pk", AttributeValue.fromS("order-1"));
        return item;
    }

    @Test
    void anItemBecomesASnapshotChangeEventWithItsKeysAndReadTime() {
        Instant readAt = Instant.parse("2024-05-01T12:00:01.250Z");
        Record record =
                SnapshotRecords.of(
                        item(), List.of("pk", "sk"), readAt, StreamViewType.NEW_AND_OLD_IMAGES);

        ChangeEvent event = ChangeEvent.fromRecord(record, ARN, "segment-2");

        assertThat(SnapshotRecords.isSnapshot(record)).isTrue();
        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.SNAPSHOT);
        assertThat(event.getKeys().keySet()).containsExactly("pk", "sk");
        assertThat(event.getKeys().get("pk").s()).isEqualTo("order-1");
        assertThat(event.getNewImage()).isEqualTo(item());
        assertThat(event.hasOldImage()).isFalse();
        assertThat(event.getSequenceNumber()).isNull();
        assertThat(event.getEventId()).isNull();
        assertThat(event.getApproximateCreationTime()).isEqualTo(readAt);
        assertThat(event.getShardId()).isEqualTo("segment-2");
        assertThat(event.getTableName()).isEqualTo("Orders");
        assertThat(event.isTtlDelete()).isFalse();
    }

    @Test
    void aChangeStillNeedsItsSequenceNumber() {
        assertThatThrownBy(
                        () ->
                                ChangeEvent.builder()
                                        .streamArn(ARN)
                                        .shardId("s")
                                        .eventName(ChangeEvent.EventName.MODIFY)
                                        .build())
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("sequenceNumber");
    }

    @Test
    void anItemWithoutItsKeyAttributeIsRefusedNamingIt() {
        assertThatThrownBy(
                        () ->
                                SnapshotRecords.of(
                                        item(),
                                        List.of("pk", "createdAt"),
                                        Instant.EPOCH,
                                        StreamViewType.NEW_IMAGE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("createdAt");
    }

    @Test
    void aChangeIsNotASnapshot() {
        Record change = Record.builder().eventName("MODIFY").build();
        assertThat(SnapshotRecords.isSnapshot(change)).isFalse();
    }
}
