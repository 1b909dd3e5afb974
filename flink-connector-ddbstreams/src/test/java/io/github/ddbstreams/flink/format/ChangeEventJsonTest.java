package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddbstreams.flink.testutils.DynamoDbJsonReader;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

class ChangeEventJsonTest {

    /** Reads numbers as BigDecimal/BigInteger, so an assertion sees every digit written. */
    private static final ObjectMapper EXACT =
            new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private static ChangeEvent event(software.amazon.awssdk.services.dynamodb.model.Record r) {
        return ChangeEvent.fromRecord(r, STREAM_ARN, SHARD_ID);
    }

    private static JsonNode parse(String json) throws Exception {
        return EXACT.readTree(json);
    }

    @Test
    void plainDocumentCarriesMetadata() throws Exception {
        ChangeEvent insert =
                event(
                        SampleRecords.insert(
                                "100", SampleRecords.key("a", 1), SampleRecords.key("a", 1)));

        JsonNode doc = parse(ChangeEventJson.toPlainJson(insert));

        assertThat(doc.get("eventName").textValue()).isEqualTo("INSERT");
        assertThat(doc.get("eventId").textValue()).isEqualTo("evt-100");
        assertThat(doc.get("streamArn").textValue()).isEqualTo(STREAM_ARN);
        assertThat(doc.get("tableName").textValue()).isEqualTo("Orders");
        assertThat(doc.get("shardId").textValue()).isEqualTo(SHARD_ID);
        assertThat(doc.get("sequenceNumber").textValue()).isEqualTo("100");
        assertThat(doc.get("approximateCreationTime").textValue())
                .isEqualTo("2024-05-01T12:34:56Z");
        assertThat(doc.get("ttlDelete").booleanValue()).isFalse();
        assertThat(doc.get("keys").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1}");
        assertThat(doc.get("oldImage").isNull()).as("INSERT has no old image").isTrue();
        assertThat(doc.get("newImage").get("pk").textValue()).isEqualTo("a");
    }

    @Test
    void plainImageUnwrapsEveryType() throws Exception {
        String json = ChangeEventJson.itemToPlainJson(SampleRecords.itemWithEveryType("a", 1));
        JsonNode item = parse(json);

        assertThat(item.get("name").textValue()).isEqualTo("Zoë 🚀 \u0000 tab\t");
        assertThat(item.get("price").decimalValue())
                .isEqualTo(new BigDecimal("12345678901234567890.123456789012345678"));
        assertThat(item.get("negative").decimalValue()).isEqualTo(new BigDecimal("-1E-130"));
        assertThat(item.get("blob").textValue()).isEqualTo("AAH/fw==");
        assertThat(item.get("active").booleanValue()).isTrue();
        assertThat(item.get("archived").isBoolean()).isTrue();
        assertThat(item.get("archived").booleanValue()).isFalse();
        assertThat(item.get("nothing").isNull()).isTrue();
        assertThat(item.get("tags").toString()).isEqualTo("[\"b\",\"a\",\"\"]");
        // The text, not a parsed node: Jackson's tree would strip the trailing zero on reading.
        assertThat(json).contains("\"scores\":[1,2.50,-3]");
        assertThat(item.get("scores").get(2).bigIntegerValue()).isEqualTo(BigInteger.valueOf(-3));
        assertThat(item.get("chunks").toString()).isEqualTo("[\"AQ==\",\"\"]");
        assertThat(item.get("address").get("zip").bigIntegerValue())
                .isEqualTo(BigInteger.valueOf(69001));
        assertThat(item.get("address").get("inner").toString())
                .isEqualTo("{\"deep\":[{}],\"emptyList\":[]}");
        assertThat(item.get("history").toString())
                .isEqualTo("[\"created\",7,null,[false],{\"k\":[\"x\"]}]");
    }

    @Test
    void numbersKeepEveryDigit() throws Exception {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        // 38 significant digits, DynamoDB's maximum: a double would keep about 17.
        item.put("big", AttributeValue.fromN("12345678901234567890123456789012345678"));
        item.put("decimal", AttributeValue.fromN("0.10000000000000000000000000000000000001"));
        item.put("huge", AttributeValue.fromN("9.9999999999999999999999999999999999999E+125"));
        item.put("halfOnly", AttributeValue.fromN(".5"));

        String json = ChangeEventJson.itemToPlainJson(item);
        JsonNode parsed = parse(json);

        assertThat(json).contains("12345678901234567890123456789012345678");
        assertThat(parsed.get("big").bigIntegerValue())
                .isEqualTo(new BigInteger("12345678901234567890123456789012345678"));
        assertThat(parsed.get("decimal").decimalValue())
                .isEqualTo(new BigDecimal("0.10000000000000000000000000000000000001"));
        assertThat(parsed.get("huge").decimalValue())
                .isEqualByComparingTo("9.9999999999999999999999999999999999999E+125");
        assertThat(json).as("'.5' is not JSON; written as 0.5").contains("\"halfOnly\":0.5");
        assertThat(new ObjectMapper().readTree(json).get("big").isNumber())
                .as("a JSON number, not a string")
                .isTrue();
    }

    @Test
    void badNumberIsReportedNotWritten() {
        Map<String, AttributeValue> item = Map.of("n", AttributeValue.fromN("12abc"));
        assertThatThrownBy(() -> ChangeEventJson.itemToPlainJson(item))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("12abc");
    }

    @Test
    void dynamoDbJsonLosesNothing() throws Exception {
        Map<String, AttributeValue> old = SampleRecords.itemWithEveryType("a", 1);
        Map<String, AttributeValue> updated = SampleRecords.itemWithEveryType("a", 1);
        updated.put("price", AttributeValue.fromN("1.10"));
        ChangeEvent modify =
                event(SampleRecords.modify("7", SampleRecords.key("a", 1), old, updated));

        JsonNode doc = parse(ChangeEventJson.toDynamoDbJson(modify));

        assertThat(doc.get("eventName").textValue()).isEqualTo("MODIFY");
        assertThat(DynamoDbJsonReader.item(doc.get("oldImage"))).isEqualTo(old);
        assertThat(DynamoDbJsonReader.item(doc.get("newImage"))).isEqualTo(updated);
        assertThat(DynamoDbJsonReader.item(doc.get("keys"))).isEqualTo(SampleRecords.key("a", 1));
        assertThat(doc.get("newImage").get("price").toString())
                .as("numbers keep DynamoDB's spelling")
                .isEqualTo("{\"N\":\"1.10\"}");
        assertThat(doc.get("newImage").get("tags").toString())
                .isEqualTo("{\"SS\":[\"b\",\"a\",\"\"]}");
        assertThat(doc.get("newImage").get("nothing").toString()).isEqualTo("{\"NULL\":true}");
        assertThat(doc.get("newImage").get("blob").toString()).isEqualTo("{\"B\":\"AAH/fw==\"}");
    }

    @Test
    void debeziumEnvelopePerOperation() throws Exception {
        Map<String, AttributeValue> key = SampleRecords.key("a", 1);
        Map<String, AttributeValue> v1 = withQty(key, "1");
        Map<String, AttributeValue> v2 = withQty(key, "2");

        JsonNode c =
                parse(ChangeEventJson.toDebeziumJson(event(SampleRecords.insert("1", key, v1))));
        JsonNode u =
                parse(
                        ChangeEventJson.toDebeziumJson(
                                event(SampleRecords.modify("2", key, v1, v2))));
        JsonNode d =
                parse(ChangeEventJson.toDebeziumJson(event(SampleRecords.remove("3", key, v2))));

        assertThat(c.get("op").textValue()).isEqualTo("c");
        assertThat(c.get("before").isNull()).isTrue();
        assertThat(c.get("after").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1,\"qty\":1}");
        assertThat(u.get("op").textValue()).isEqualTo("u");
        assertThat(u.get("before").get("qty").intValue()).isEqualTo(1);
        assertThat(u.get("after").get("qty").intValue()).isEqualTo(2);
        assertThat(d.get("op").textValue()).isEqualTo("d");
        assertThat(d.get("before").get("qty").intValue()).isEqualTo(2);
        assertThat(d.get("after").isNull()).isTrue();

        long created = java.time.Instant.parse("2024-05-01T12:34:56Z").toEpochMilli();
        assertThat(d.get("ts_ms").longValue()).isEqualTo(created);
        JsonNode source = d.get("source");
        assertThat(source.get("table").textValue()).isEqualTo("Orders");
        assertThat(source.get("stream_arn").textValue()).isEqualTo(STREAM_ARN);
        assertThat(source.get("shard_id").textValue()).isEqualTo(SHARD_ID);
        assertThat(source.get("sequence_number").textValue()).isEqualTo("3");
        assertThat(source.get("ts_ms").longValue()).isEqualTo(created);
        assertThat(source.get("ttl_delete").booleanValue()).isFalse();
    }

    @Test
    void aSnapshotRowIsADebeziumReadWithoutSequenceNumber() throws Exception {
        Map<String, AttributeValue> item = withQty(SampleRecords.key("a", 1), "1");
        ChangeEvent row =
                ChangeEvent.fromRecord(
                        SnapshotRecords.of(
                                item,
                                List.of("pk", "sk"),
                                java.time.Instant.parse("2024-05-01T12:34:56Z"),
                                StreamViewType.NEW_AND_OLD_IMAGES),
                        STREAM_ARN,
                        "segment-0");

        JsonNode r = parse(ChangeEventJson.toDebeziumJson(row));
        JsonNode plain = parse(ChangeEventJson.toPlainJson(row));

        assertThat(r.get("op").textValue()).isEqualTo("r");
        assertThat(r.get("before").isNull()).isTrue();
        assertThat(r.get("after").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1,\"qty\":1}");
        assertThat(r.get("source").get("sequence_number").isNull()).isTrue();
        assertThat(plain.get("eventName").textValue()).isEqualTo("SNAPSHOT");
        assertThat(plain.get("sequenceNumber").isNull()).isTrue();
        assertThat(plain.get("oldImage").isNull()).isTrue();
    }

    @Test
    void debeziumMarksTtlDeletes() throws Exception {
        Map<String, AttributeValue> key = SampleRecords.key("a", 1);
        JsonNode d =
                parse(
                        ChangeEventJson.toDebeziumJson(
                                event(SampleRecords.ttlRemove("3", key, withQty(key, "1")))));
        assertThat(d.get("op").textValue()).isEqualTo("d");
        assertThat(d.get("source").get("ttl_delete").booleanValue()).isTrue();
    }

    @Test
    void debeziumFallsBackToKeysWhenTheViewHasNoImage() throws Exception {
        Map<String, AttributeValue> key = SampleRecords.key("a", 1);
        // A KEYS_ONLY stream: records carry keys and no image at all.
        JsonNode u =
                parse(
                        ChangeEventJson.toDebeziumJson(
                                event(
                                        SampleRecords.record(
                                                OperationType.MODIFY,
                                                "2",
                                                key,
                                                null,
                                                null,
                                                null))));
        JsonNode d =
                parse(
                        ChangeEventJson.toDebeziumJson(
                                event(
                                        SampleRecords.record(
                                                OperationType.REMOVE,
                                                "3",
                                                key,
                                                null,
                                                null,
                                                null))));

        assertThat(u.get("before").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1}");
        assertThat(u.get("after").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1}");
        assertThat(d.get("before").toString()).isEqualTo("{\"pk\":\"a\",\"sk\":1}");
        assertThat(d.get("after").isNull()).isTrue();
    }

    @Test
    void sameEventSameBytes() {
        ChangeEvent e =
                event(
                        SampleRecords.insert(
                                "1",
                                SampleRecords.key("a", 1),
                                SampleRecords.itemWithEveryType("a", 1)));
        for (JsonStyle style : JsonStyle.values()) {
            assertThat(ChangeEventJson.toJson(e, style))
                    .as(style.name())
                    .isEqualTo(ChangeEventJson.toJson(e, style));
        }
    }

    @Test
    void binarySetsInBothStyles() throws Exception {
        Map<String, AttributeValue> item =
                Map.of(
                        "bs",
                        AttributeValue.fromBs(
                                List.of(
                                        SdkBytes.fromByteArray(
                                                new byte[] {(byte) 0xfb, (byte) 0xff}),
                                        SdkBytes.fromByteArray(new byte[] {1, 2, 3}))));
        assertThat(ChangeEventJson.itemToPlainJson(item)).isEqualTo("{\"bs\":[\"+/8=\",\"AQID\"]}");
        assertThat(DynamoDbJsonReader.readItem(ChangeEventJson.itemToDynamoDbJson(item)))
                .isEqualTo(item);
    }

    private static Map<String, AttributeValue> withQty(
            Map<String, AttributeValue> key, String qty) {
        Map<String, AttributeValue> item = new LinkedHashMap<>(key);
        item.put("qty", AttributeValue.fromN(qty));
        return item;
    }
}
