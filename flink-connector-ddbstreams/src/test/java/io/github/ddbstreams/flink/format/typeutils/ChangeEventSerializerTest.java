package io.github.ddbstreams.flink.format.typeutils;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static io.github.ddbstreams.flink.testutils.SampleRecords.itemWithEveryType;
import static io.github.ddbstreams.flink.testutils.SampleRecords.key;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.SnapshotRecords;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Flink's own serializer contract (copy, reuse, snapshot/restore, duplicate, ...) for ours. */
class ChangeEventSerializerTest extends SerializerTestBase<ChangeEvent> {

    @Override
    protected TypeSerializer<ChangeEvent> createSerializer() {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    protected Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    @Override
    protected ChangeEvent[] getTestData() {
        Map<String, AttributeValue> big = key("big", 1);
        // Longer than writeUTF's 64 KB limit, as DynamoDB strings may be (up to 400 KB).
        big.put("text", AttributeValue.fromS("é".repeat(70_000)));
        return new ChangeEvent[] {
            ChangeEvent.fromRecord(
                    SampleRecords.insert("1", key("a", 1), itemWithEveryType("a", 1)),
                    STREAM_ARN,
                    SHARD_ID),
            ChangeEvent.fromRecord(
                    SampleRecords.modify(
                            "2", key("a", 1), itemWithEveryType("a", 1), itemWithEveryType("a", 2)),
                    STREAM_ARN,
                    SHARD_ID),
            ChangeEvent.fromRecord(
                    SampleRecords.ttlRemove("3", key("b", 2), key("b", 2)), STREAM_ARN, SHARD_ID),
            ChangeEvent.fromRecord(
                    SampleRecords.insert("4", key("big", 1), big), STREAM_ARN, SHARD_ID),
            // Nothing optional: no event id, no time, no images, no keys.
            ChangeEvent.builder()
                    .streamArn("")
                    .shardId("s")
                    .sequenceNumber("0")
                    .eventName(ChangeEvent.EventName.REMOVE)
                    .build(),
            ChangeEvent.builder()
                    .streamArn(STREAM_ARN)
                    .shardId(SHARD_ID)
                    .sequenceNumber("99999999999999999999999")
                    .eventId("e")
                    .eventName(ChangeEvent.EventName.MODIFY)
                    .approximateCreationTime(Instant.ofEpochSecond(-5, 123_456_789))
                    .sizeBytes(Long.MAX_VALUE)
                    .keys(key("c", 3))
                    .oldImage(key("c", 3))
                    .build(),
            // A snapshot row: no sequence number.
            ChangeEvent.fromRecord(
                    SnapshotRecords.of(
                            itemWithEveryType("d", 4),
                            List.of("pk", "sk"),
                            Instant.ofEpochSecond(1_714_521_600),
                            StreamViewType.NEW_AND_OLD_IMAGES),
                    STREAM_ARN,
                    "segment-3"),
        };
    }
}
