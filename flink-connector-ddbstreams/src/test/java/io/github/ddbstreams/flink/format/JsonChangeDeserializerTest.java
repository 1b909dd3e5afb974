package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Record;

class JsonChangeDeserializerTest {

    private final Record record =
            SampleRecords.modify(
                    "42",
                    SampleRecords.key("a", 1),
                    SampleRecords.itemWithEveryType("a", 1),
                    SampleRecords.itemWithEveryType("a", 1));

    @Test
    void emitsOneDocumentPerRecordInItsStyle() throws Exception {
        for (JsonStyle style : JsonStyle.values()) {
            // Through Java serialization, as the source ships it to the task managers.
            JsonChangeDeserializer deserializer =
                    InstantiationUtil.clone(JsonChangeDeserializer.of(style));
            List<String> out = new ArrayList<>();

            deserializer.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector<>(out));

            assertThat(out)
                    .as(style.name())
                    .containsExactly(
                            ChangeEventJson.toJson(
                                    ChangeEvent.fromRecord(record, STREAM_ARN, SHARD_ID), style));
            assertThat(deserializer.getProducedType()).isEqualTo(Types.STRING);
        }
        assertThat(JsonChangeDeserializer.debezium().getStyle()).isEqualTo(JsonStyle.DEBEZIUM);
        assertThat(JsonChangeDeserializer.plain().getStyle()).isEqualTo(JsonStyle.PLAIN);
        assertThat(JsonChangeDeserializer.dynamoDbJson().getStyle())
                .isEqualTo(JsonStyle.DYNAMODB_JSON);
    }

    @Test
    void malformedRecordFailsLoudly() {
        Record noData =
                record.toBuilder()
                        .dynamodb(
                                (software.amazon.awssdk.services.dynamodb.model.StreamRecord) null)
                        .build();
        assertThatThrownBy(
                        () ->
                                JsonChangeDeserializer.plain()
                                        .deserialize(
                                                noData,
                                                STREAM_ARN,
                                                SHARD_ID,
                                                new ListCollector<>(new ArrayList<>())))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
