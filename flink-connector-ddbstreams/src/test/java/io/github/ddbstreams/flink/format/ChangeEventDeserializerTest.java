package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static io.github.ddbstreams.flink.testutils.SampleRecords.itemWithEveryType;
import static io.github.ddbstreams.flink.testutils.SampleRecords.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.typeutils.ChangeEventTypeInfo;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

class ChangeEventDeserializerTest {

    private final ChangeEventDeserializer deserializer = ChangeEventDeserializer.create();

    @Test
    void insertCarriesNewImageOnly() throws Exception {
        Map<String, AttributeValue> item = itemWithEveryType("order-1", 1);
        ChangeEvent event = single(SampleRecords.insert("100", key("order-1", 1), item));

        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.INSERT);
        assertThat(event.getStreamArn()).isEqualTo(STREAM_ARN);
        assertThat(event.getTableName()).isEqualTo("Orders");
        assertThat(event.getShardId()).isEqualTo(SHARD_ID);
        assertThat(event.getSequenceNumber()).isEqualTo("100");
        assertThat(event.getEventId()).isEqualTo("evt-100");
        assertThat(event.getApproximateCreationTime())
                .isEqualTo(Instant.parse("2024-05-01T12:34:56Z"));
        assertThat(event.getSizeBytes()).isEqualTo(103L);
        assertThat(event.getKeys()).isEqualTo(key("order-1", 1));
        assertThat(event.getNewImage()).isEqualTo(item);
        assertThat(event.hasNewImage()).isTrue();
        assertThat(event.getOldImage()).isEmpty();
        assertThat(event.hasOldImage()).isFalse();
        assertThat(event.isTtlDelete()).isFalse();
    }

    @Test
    void modifyCarriesBothImages() throws Exception {
        Map<String, AttributeValue> before = key("order-2", 2);
        before.put("status", AttributeValue.fromS("NEW"));
        Map<String, AttributeValue> after = key("order-2", 2);
        after.put("status", AttributeValue.fromS("PAID"));

        ChangeEvent event = single(SampleRecords.modify("200", key("order-2", 2), before, after));

        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.MODIFY);
        assertThat(event.getOldImage()).isEqualTo(before);
        assertThat(event.getNewImage()).isEqualTo(after);
        assertThat(event.hasOldImage()).isTrue();
        assertThat(event.hasNewImage()).isTrue();
    }

    @Test
    void userRemoveIsNotTtl() throws Exception {
        Map<String, AttributeValue> before = itemWithEveryType("order-3", 3);
        ChangeEvent event = single(SampleRecords.remove("300", key("order-3", 3), before));

        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.REMOVE);
        assertThat(event.getOldImage()).isEqualTo(before);
        assertThat(event.hasNewImage()).isFalse();
        assertThat(event.getNewImage()).isEmpty();
        assertThat(event.isTtlDelete()).isFalse();
    }

    @Test
    void ttlRemoveIsFlagged() throws Exception {
        ChangeEvent event =
                single(SampleRecords.ttlRemove("400", key("order-4", 4), key("order-4", 4)));

        assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.REMOVE);
        assertThat(event.isTtlDelete()).isTrue();
        assertThat(event.toString()).contains("REMOVE (TTL)");
    }

    @Test
    void otherServiceIdentityIsNotTtl() throws Exception {
        Identity other = Identity.builder().type("Service").principalId("example.com").build();
        Record record =
                SampleRecords.record(
                        OperationType.REMOVE, "401", key("a", 1), key("a", 1), null, other);

        assertThat(single(record).isTtlDelete()).isFalse();
    }

    @Test
    void keysOnlyRecordHasNoImages() throws Exception {
        Record record =
                Record.builder()
                        .eventID("e1")
                        .eventName(OperationType.INSERT)
                        .dynamodb(
                                StreamRecord.builder()
                                        .keys(key("k", 9))
                                        .sequenceNumber("900")
                                        .build())
                        .build();

        ChangeEvent event = single(record);

        assertThat(event.getKeys()).isEqualTo(key("k", 9));
        assertThat(event.getOldImage()).isEmpty();
        assertThat(event.getNewImage()).isEmpty();
        assertThat(event.hasOldImage()).isFalse();
        assertThat(event.hasNewImage()).isFalse();
        // Absent in the record: documented as null / 0, never invented.
        assertThat(event.getApproximateCreationTime()).isNull();
        assertThat(event.getSizeBytes()).isZero();
    }

    @Test
    void imagesAreUnmodifiableAndDetachedFromTheRecord() throws Exception {
        Map<String, AttributeValue> keys = key("k", 1);
        ChangeEvent event =
                ChangeEvent.builder()
                        .streamArn(STREAM_ARN)
                        .shardId(SHARD_ID)
                        .sequenceNumber("1")
                        .eventName(ChangeEvent.EventName.INSERT)
                        .keys(keys)
                        .newImage(keys)
                        .build();
        keys.put("extra", AttributeValue.fromS("x"));

        assertThat(event.getKeys()).doesNotContainKey("extra");
        assertThatThrownBy(() -> event.getNewImage().put("x", AttributeValue.fromS("y")))
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> event.getOldImage().put("x", AttributeValue.fromS("y")))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void unknownEventNameFailsNamingTheRecord() {
        Record record =
                Record.builder()
                        .eventID("evt-x")
                        .eventName("UPSERT")
                        .dynamodb(StreamRecord.builder().sequenceNumber("1").build())
                        .build();

        assertThatThrownBy(() -> single(record))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evt-x")
                .hasMessageContaining("UPSERT")
                .hasMessageContaining(SHARD_ID);
    }

    @Test
    void recordWithoutDataFails() {
        Record record = Record.builder().eventID("evt-y").eventName(OperationType.INSERT).build();

        assertThatThrownBy(() -> single(record))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("evt-y");
    }

    @Test
    void producesOurTypeInfoAndSurvivesJavaSerialization() throws Exception {
        assertThat(deserializer.getProducedType())
                .isEqualTo(TypeInformation.of(ChangeEvent.class))
                .isInstanceOf(ChangeEventTypeInfo.class);

        // The deserializer travels inside the job graph.
        ChangeEventDeserializer copy =
                InstantiationUtil.clone(deserializer, getClass().getClassLoader());
        List<ChangeEvent> out = new ArrayList<>();
        copy.deserialize(
                SampleRecords.insert("5", key("a", 1), key("a", 1)),
                STREAM_ARN,
                SHARD_ID,
                new ListCollector(out));
        assertThat(out).hasSize(1);
    }

    @Test
    void toStringIsShort() throws Exception {
        ChangeEvent event =
                single(
                        SampleRecords.insert(
                                "777", key("order-1", 1), itemWithEveryType("order-1", 1)));

        assertThat(event.toString())
                .isEqualTo(
                        "ChangeEvent{INSERT, keys={pk=AttributeValue(S=order-1),"
                                + " sk=AttributeValue(N=1)}, seq=777}");
    }

    private ChangeEvent single(Record record) throws Exception {
        List<ChangeEvent> out = new ArrayList<>();
        deserializer.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector(out));
        assertThat(out).hasSize(1);
        return out.get(0);
    }

    private static final class ListCollector implements Collector<ChangeEvent> {
        private final List<ChangeEvent> out;

        ListCollector(List<ChangeEvent> out) {
            this.out = out;
        }

        @Override
        public void collect(ChangeEvent record) {
            out.add(record);
        }

        @Override
        public void close() {}
    }
}
