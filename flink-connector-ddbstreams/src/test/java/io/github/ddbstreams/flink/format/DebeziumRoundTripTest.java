package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import io.github.ddbstreams.flink.testutils.TestInitializationContext;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.debezium.DebeziumJsonDeserializationSchema;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Our Debezium envelopes read back by Flink's own {@code debezium-json} format, as a job reading
 * the Kafka topic we wrote would: the changelog kinds, every column's value and the metadata Flink
 * exposes ({@code source.table}, {@code ingestion-timestamp}, {@code source.timestamp}).
 */
class DebeziumRoundTripTest {

    private static final DataType PHYSICAL =
            DataTypes.ROW(
                    DataTypes.FIELD("pk", DataTypes.STRING()),
                    DataTypes.FIELD("sk", DataTypes.INT()),
                    DataTypes.FIELD("qty", DataTypes.BIGINT()),
                    DataTypes.FIELD("price", DataTypes.DECIMAL(38, 18)),
                    DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())),
                    DataTypes.FIELD("blob", DataTypes.BYTES()),
                    DataTypes.FIELD(
                            "address",
                            DataTypes.ROW(
                                    DataTypes.FIELD("city", DataTypes.STRING()),
                                    DataTypes.FIELD("zip", DataTypes.INT()))),
                    DataTypes.FIELD("active", DataTypes.BOOLEAN()),
                    DataTypes.FIELD("note", DataTypes.STRING()));

    /** Metadata columns follow the physical ones, in the order requested. */
    private static final int TABLE = 9;

    private static final int INGESTION_TS = 10;
    private static final int SOURCE_TS = 11;

    private static final String PRICE = "12345678901234567890.123456789012345678";
    private static final Instant CREATED = Instant.parse("2024-05-01T12:34:56Z");

    private final JsonChangeDeserializer ours = JsonChangeDeserializer.debezium();
    private DebeziumJsonDeserializationSchema flinks;

    @BeforeEach
    void openFlinksFormat() throws Exception {
        List<Object> metadata = new ArrayList<>();
        for (String name : List.of("SOURCE_TABLE", "INGESTION_TIMESTAMP", "SOURCE_TIMESTAMP")) {
            metadata.add(readableMetadata(name));
        }
        DataType produced =
                DataTypes.ROW(
                        DataTypes.FIELD("pk", DataTypes.STRING()),
                        DataTypes.FIELD("sk", DataTypes.INT()),
                        DataTypes.FIELD("qty", DataTypes.BIGINT()),
                        DataTypes.FIELD("price", DataTypes.DECIMAL(38, 18)),
                        DataTypes.FIELD("tags", DataTypes.ARRAY(DataTypes.STRING())),
                        DataTypes.FIELD("blob", DataTypes.BYTES()),
                        DataTypes.FIELD(
                                "address",
                                DataTypes.ROW(
                                        DataTypes.FIELD("city", DataTypes.STRING()),
                                        DataTypes.FIELD("zip", DataTypes.INT()))),
                        DataTypes.FIELD("active", DataTypes.BOOLEAN()),
                        DataTypes.FIELD("note", DataTypes.STRING()),
                        DataTypes.FIELD("table", DataTypes.STRING()),
                        DataTypes.FIELD("ingestion_ts", DataTypes.TIMESTAMP_LTZ(3)),
                        DataTypes.FIELD("source_ts", DataTypes.TIMESTAMP_LTZ(3)));
        flinks =
                newDebeziumSchema(
                        metadata, InternalTypeInfo.of((RowType) produced.getLogicalType()));
        flinks.open(new TestInitializationContext());
    }

    @Test
    void insertBecomesPlusI() throws Exception {
        List<RowData> rows = roundTrip(SampleRecords.insert("1", key(), item("3", true, "Lyon")));

        assertThat(rows).hasSize(1);
        RowData row = rows.get(0);
        assertThat(row.getRowKind()).isEqualTo(RowKind.INSERT);
        assertItem(row, 3L, true, "Lyon");
        assertThat(row.getDecimal(3, 38, 18).toBigDecimal()).isEqualTo(new BigDecimal(PRICE));
        assertThat(row.getArray(4).size()).isEqualTo(2);
        assertThat(row.getArray(4).getString(0).toString()).isEqualTo("red");
        assertThat(row.getArray(4).getString(1).toString()).isEqualTo("blue");
        assertThat(row.getBinary(5)).containsExactly(0, 1, -1, 127);
        assertThat(row.isNullAt(8)).as("DynamoDB NULL is SQL NULL").isTrue();
        assertThat(row.getString(TABLE).toString()).isEqualTo("Orders");
        assertThat(row.getTimestamp(INGESTION_TS, 3).toInstant()).isEqualTo(CREATED);
        assertThat(row.getTimestamp(SOURCE_TS, 3).toInstant()).isEqualTo(CREATED);
    }

    @Test
    void modifyBecomesMinusUPlusU() throws Exception {
        List<RowData> rows =
                roundTrip(
                        SampleRecords.modify(
                                "2", key(), item("3", true, "Lyon"), item("4", false, "Paris")));

        assertThat(rows)
                .extracting(RowData::getRowKind)
                .containsExactly(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        assertItem(rows.get(0), 3L, true, "Lyon");
        assertItem(rows.get(1), 4L, false, "Paris");
    }

    @Test
    void removeBecomesMinusD() throws Exception {
        List<RowData> rows =
                roundTrip(SampleRecords.ttlRemove("3", key(), item("4", false, "Paris")));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getRowKind()).isEqualTo(RowKind.DELETE);
        assertItem(rows.get(0), 4L, false, "Paris");
        assertThat(rows.get(0).getString(TABLE).toString()).isEqualTo("Orders");
    }

    private List<RowData> roundTrip(Record record) throws Exception {
        List<String> json = new ArrayList<>();
        ours.deserialize(record, STREAM_ARN, SHARD_ID, new ListCollector<>(json));
        assertThat(json).hasSize(1);
        List<RowData> rows = new ArrayList<>();
        flinks.deserialize(json.get(0).getBytes(StandardCharsets.UTF_8), new ListCollector<>(rows));
        return rows;
    }

    private static void assertItem(RowData row, long qty, boolean active, String city) {
        assertThat(row.getString(0).toString()).isEqualTo("order-1");
        assertThat(row.getInt(1)).isEqualTo(7);
        assertThat(row.getLong(2)).isEqualTo(qty);
        assertThat(row.getBoolean(7)).isEqualTo(active);
        RowData address = row.getRow(6, 2);
        assertThat(address.getString(0).toString()).isEqualTo(city);
        assertThat(address.getInt(1)).isEqualTo(69001);
    }

    private static Map<String, AttributeValue> key() {
        return SampleRecords.key("order-1", 7);
    }

    private static Map<String, AttributeValue> item(String qty, boolean active, String city) {
        Map<String, AttributeValue> item = key();
        item.put("qty", AttributeValue.fromN(qty));
        item.put("price", AttributeValue.fromN(PRICE));
        item.put("tags", AttributeValue.fromSs(List.of("red", "blue")));
        item.put("blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, -1, 127})));
        Map<String, AttributeValue> address = new LinkedHashMap<>();
        address.put("city", AttributeValue.fromS(city));
        address.put("zip", AttributeValue.fromN("69001"));
        item.put("address", AttributeValue.fromM(address));
        item.put("active", AttributeValue.fromBool(active));
        item.put("note", AttributeValue.fromNul(true));
        return item;
    }

    /**
     * Flink's metadata enum is package-private (the table factory normally picks it); reflection
     * lets this test request metadata exactly as {@code 'format' = 'debezium-json'} would.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readableMetadata(String name) throws ClassNotFoundException {
        Class enumClass =
                Class.forName(
                        "org.apache.flink.formats.json.debezium."
                                + "DebeziumJsonDecodingFormat$ReadableMetadata");
        return Enum.valueOf(enumClass, name);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static DebeziumJsonDeserializationSchema newDebeziumSchema(
            List<Object> metadata, InternalTypeInfo<RowData> produced) {
        return new DebeziumJsonDeserializationSchema(
                PHYSICAL, (List) metadata, produced, false, false, TimestampFormat.ISO_8601);
    }
}
