package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.SnapshotRecords;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.UserCodeClassLoader;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Row kinds per changelog mode, metadata columns, view type errors and conversion errors. */
class RowDataChangelogDeserializerTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-05-01T00:00:00.000";
    private static final String SHARD = "shardId-00000001714521600000-a1b2c3d4";

    /** Columns order_id (attribute pk), customer, amount DECIMAL(10, 2). */
    private static ItemConverter converter(boolean failOnError) {
        List<LogicalType> types =
                List.of(
                        DataTypes.STRING().getLogicalType(),
                        DataTypes.STRING().getLogicalType(),
                        DataTypes.DECIMAL(10, 2).getLogicalType());
        return new ItemConverter(
                List.of("order_id", "customer", "amount"),
                List.of("pk", "customer", "amount"),
                types,
                failOnError);
    }

    private static RowDataChangelogDeserializer deserializer(
            TableChangelogMode mode, List<ReadableMetadata> metadata) {
        return new RowDataChangelogDeserializer(
                mode, converter(true), metadata, List.of("pk"), EventNameFilter.ALL, null);
    }

    private static Map<String, AttributeValue> item(String pk, String customer, String amount) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS(pk));
        item.put("customer", AttributeValue.fromS(customer));
        item.put("amount", AttributeValue.fromN(amount));
        return item;
    }

    private static Record record(
            OperationType event,
            StreamViewType view,
            Map<String, AttributeValue> keys,
            Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
        StreamRecord.Builder change =
                StreamRecord.builder()
                        .keys(keys)
                        .sequenceNumber("000000000000000000042")
                        .sizeBytes(77L)
                        .streamViewType(view)
                        .approximateCreationDateTime(Instant.parse("2024-05-01T12:00:00Z"));
        if (oldImage != null) {
            change.oldImage(oldImage);
        }
        if (newImage != null) {
            change.newImage(newImage);
        }
        return Record.builder()
                .eventID("event-1")
                .eventName(event)
                .dynamodb(change.build())
                .build();
    }

    private static Map<String, AttributeValue> key(String pk) {
        return Map.of("pk", AttributeValue.fromS(pk));
    }

    private static List<RowData> deserialize(RowDataChangelogDeserializer d, Record record) {
        List<RowData> rows = new ArrayList<>();
        d.deserialize(
                record,
                ARN,
                SHARD,
                new Collector<>() {
                    @Override
                    public void collect(RowData row) {
                        rows.add(row);
                    }

                    @Override
                    public void close() {}
                });
        return rows;
    }

    private static GenericRowData row(RowKind kind, Object... fields) {
        GenericRowData row = GenericRowData.of(fields);
        row.setRowKind(kind);
        return row;
    }

    private static StringData s(String text) {
        return StringData.fromString(text);
    }

    private static DecimalData d(String amount) {
        return DecimalData.fromBigDecimal(new BigDecimal(amount), 10, 2);
    }

    @Test
    void changelogModeEmitsInsertsUpdatePairsAndDeletesFromTheImages() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.CHANGELOG, List.of());
        StreamViewType view = StreamViewType.NEW_AND_OLD_IMAGES;

        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.INSERT,
                                        view,
                                        key("o1"),
                                        null,
                                        item("o1", "ann", "10"))))
                .containsExactly(row(RowKind.INSERT, s("o1"), s("ann"), d("10")));
        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.MODIFY,
                                        view,
                                        key("o1"),
                                        item("o1", "ann", "10"),
                                        item("o1", "bob", "12.5"))))
                .containsExactly(
                        row(RowKind.UPDATE_BEFORE, s("o1"), s("ann"), d("10")),
                        row(RowKind.UPDATE_AFTER, s("o1"), s("bob"), d("12.5")));
        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.REMOVE,
                                        view,
                                        key("o1"),
                                        item("o1", "bob", "12.5"),
                                        null)))
                .containsExactly(row(RowKind.DELETE, s("o1"), s("bob"), d("12.5")));
    }

    private static Record snapshotRow(StreamViewType viewType) {
        return SnapshotRecords.of(
                item("o1", "alice", "9.50"),
                List.of("pk"),
                Instant.parse("2024-05-01T12:00:00Z"),
                viewType);
    }

    @Test
    void aSnapshotRowIsAnInsertOfTheItemInEveryModeWithItsMetadata() {
        Record snapshot = snapshotRow(StreamViewType.NEW_IMAGE);
        List<ReadableMetadata> metadata =
                List.of(ReadableMetadata.EVENT_NAME, ReadableMetadata.SEQUENCE_NUMBER);

        for (TableChangelogMode mode : TableChangelogMode.values()) {
            if (mode == TableChangelogMode.CHANGELOG) {
                continue; // needs old images: a NEW_IMAGE stream fails it, see the matrix test
            }
            assertThat(deserialize(deserializer(mode, metadata), snapshot))
                    .as("mode %s", mode)
                    .containsExactly(
                            row(
                                    RowKind.INSERT,
                                    s("o1"),
                                    s("alice"),
                                    d("9.50"),
                                    s("SNAPSHOT"),
                                    null));
        }
        Record ofFullStream = snapshotRow(StreamViewType.NEW_AND_OLD_IMAGES);
        assertThat(deserialize(deserializer(TableChangelogMode.CHANGELOG, List.of()), ofFullStream))
                .containsExactly(row(RowKind.INSERT, s("o1"), s("alice"), d("9.50")));
    }

    @Test
    void changelogModeFailsOnTheFirstRecordOfAStreamWithoutOldImages() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.CHANGELOG, List.of());
        // An INSERT carries everything changelog mode needs from it, yet the stream cannot serve
        // the MODIFY and REMOVE records to come: fail now, not hours later.
        Record insert =
                record(
                        OperationType.INSERT,
                        StreamViewType.NEW_IMAGE,
                        key("o1"),
                        null,
                        item("o1", "ann", "1"));
        assertThatThrownBy(() -> deserialize(d, insert))
                .hasMessageContaining("comes from a stream of view type NEW_IMAGE")
                .hasMessageContaining("'changelog.mode' = 'changelog'")
                .hasMessageContaining("needs stream view type NEW_AND_OLD_IMAGES")
                .hasMessageContaining("'upsert'");
        Record keysOnlyRemove =
                record(OperationType.REMOVE, StreamViewType.KEYS_ONLY, key("o1"), null, null);
        assertThatThrownBy(() -> deserialize(d, keysOnlyRemove))
                .hasMessageContaining("view type KEYS_ONLY");
    }

    @Test
    void aRecordWithoutAViewTypeIsCheckedByItsImages() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.CHANGELOG, List.of());
        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.INSERT,
                                        null,
                                        key("o1"),
                                        null,
                                        item("o1", "ann", "1"))))
                .containsExactly(row(RowKind.INSERT, s("o1"), s("ann"), d("1")));
        Record modifyWithoutOld =
                record(OperationType.MODIFY, null, key("o1"), null, item("o1", "ann", "2"));
        assertThatThrownBy(() -> deserialize(d, modifyWithoutOld))
                .hasMessageContaining("has no OldImage")
                .hasMessageContaining("needs stream view type NEW_AND_OLD_IMAGES");
    }

    @Test
    void theViewTypeMatrix() {
        Map<TableChangelogMode, List<StreamViewType>> served =
                Map.of(
                        TableChangelogMode.CHANGELOG,
                        List.of(StreamViewType.NEW_AND_OLD_IMAGES),
                        TableChangelogMode.UPSERT,
                        List.of(StreamViewType.NEW_IMAGE, StreamViewType.NEW_AND_OLD_IMAGES),
                        TableChangelogMode.APPEND,
                        List.of(
                                StreamViewType.KEYS_ONLY,
                                StreamViewType.NEW_IMAGE,
                                StreamViewType.OLD_IMAGE,
                                StreamViewType.NEW_AND_OLD_IMAGES));
        for (TableChangelogMode mode : TableChangelogMode.values()) {
            for (StreamViewType view :
                    List.of(
                            StreamViewType.KEYS_ONLY,
                            StreamViewType.NEW_IMAGE,
                            StreamViewType.OLD_IMAGE,
                            StreamViewType.NEW_AND_OLD_IMAGES)) {
                RowDataChangelogDeserializer d = deserializer(mode, List.of());
                Record remove =
                        record(
                                OperationType.REMOVE,
                                view,
                                key("o1"),
                                view == StreamViewType.OLD_IMAGE
                                                || view == StreamViewType.NEW_AND_OLD_IMAGES
                                        ? item("o1", "ann", "1")
                                        : null,
                                null);
                boolean fits = served.get(mode).contains(view);
                if (fits) {
                    assertThat(deserialize(d, remove)).as(mode + " on " + view).hasSize(1);
                } else {
                    assertThatThrownBy(() -> deserialize(d, remove))
                            .as(mode + " on " + view)
                            .hasMessageContaining("view type " + view);
                }
            }
        }
    }

    @Test
    void upsertModeDeletesByKeyWhenThereIsNoOldImage() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.UPSERT, List.of());
        StreamViewType view = StreamViewType.NEW_IMAGE;

        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.INSERT,
                                        view,
                                        key("o1"),
                                        null,
                                        item("o1", "ann", "1"))))
                .containsExactly(row(RowKind.INSERT, s("o1"), s("ann"), d("1")));
        assertThat(
                        deserialize(
                                d,
                                record(
                                        OperationType.MODIFY,
                                        view,
                                        key("o1"),
                                        null,
                                        item("o1", "ann", "2"))))
                .containsExactly(row(RowKind.UPDATE_AFTER, s("o1"), s("ann"), d("2")));
        assertThat(deserialize(d, record(OperationType.REMOVE, view, key("o1"), null, null)))
                .containsExactly(row(RowKind.DELETE, s("o1"), null, null));

        Record keysOnly =
                record(OperationType.MODIFY, StreamViewType.KEYS_ONLY, key("o1"), null, null);
        assertThatThrownBy(() -> deserialize(d, keysOnly))
                .hasMessageContaining("'changelog.mode' = 'upsert'")
                .hasMessageContaining("NEW_IMAGE or NEW_AND_OLD_IMAGES")
                .hasMessageContaining("KEYS_ONLY")
                .hasMessageContaining("'append'");
    }

    @Test
    void upsertModeRejectsAPrimaryKeyThatIsNotTheTablesKey() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.UPSERT, List.of());
        Map<String, AttributeValue> compositeKey = new HashMap<>(key("o1"));
        compositeKey.put("sk", AttributeValue.fromN("1"));
        Record record =
                record(
                        OperationType.INSERT,
                        StreamViewType.NEW_IMAGE,
                        compositeKey,
                        null,
                        item("o1", "ann", "1"));
        assertThatThrownBy(() -> deserialize(d, record))
                .hasMessageContaining("PRIMARY KEY")
                .hasMessageContaining("[pk]")
                .hasMessageContaining("sk");
    }

    @Test
    void appendModeEmitsOneInsertPerRecordWithTheBestImageAndEveryMetadataColumn() {
        RowDataChangelogDeserializer d =
                deserializer(TableChangelogMode.APPEND, List.of(ReadableMetadata.values()));
        Record ttlDelete =
                record(
                                OperationType.REMOVE,
                                StreamViewType.NEW_AND_OLD_IMAGES,
                                key("o1"),
                                item("o1", "ann", "3"),
                                null)
                        .toBuilder()
                        .userIdentity(
                                Identity.builder()
                                        .type("Service")
                                        .principalId("dynamodb.amazonaws.com")
                                        .build())
                        .build();

        List<RowData> rows = deserialize(d, ttlDelete);

        Map<Object, Object> keys = Map.of(s("pk"), s("o1"));
        assertThat(rows)
                .containsExactly(
                        row(
                                RowKind.INSERT,
                                s("o1"),
                                s("ann"),
                                d("3"),
                                s("REMOVE"),
                                s("event-1"),
                                s("000000000000000000042"),
                                s(SHARD),
                                TimestampData.fromInstant(Instant.parse("2024-05-01T12:00:00Z")),
                                77L,
                                true,
                                s(ARN),
                                new GenericMapData(keys)));

        Record keysOnlyInsert =
                record(OperationType.INSERT, StreamViewType.KEYS_ONLY, key("o2"), null, null);
        RowData keysOnlyRow = deserialize(d, keysOnlyInsert).get(0);
        assertThat(keysOnlyRow.getString(0)).isEqualTo(s("o2"));
        assertThat(keysOnlyRow.isNullAt(1)).isTrue();
        assertThat(keysOnlyRow.getString(3)).isEqualTo(s("INSERT"));
        assertThat(keysOnlyRow.getBoolean(9)).isFalse();
    }

    @Test
    void aConversionErrorFailsWithAttributeKeyAndTypes() {
        RowDataChangelogDeserializer d = deserializer(TableChangelogMode.APPEND, List.of());
        Map<String, AttributeValue> bad = item("o9", "ann", "1");
        bad.put("amount", AttributeValue.fromS("ten"));
        Record record =
                record(OperationType.INSERT, StreamViewType.NEW_IMAGE, key("o9"), null, bad);

        assertThatThrownBy(() -> deserialize(d, record))
                .hasMessageContaining("attribute 'amount'")
                .hasMessageContaining("key {pk=S:o9}")
                .hasMessageContaining("column 'amount' of type DECIMAL(10, 2)")
                .hasMessageContaining("DynamoDB type S")
                .hasMessageContaining("'conversion.on-error' = 'null'");
    }

    @Test
    void aConversionErrorBecomesNullAndIsCountedWhenConfigured() {
        RowDataChangelogDeserializer d =
                new RowDataChangelogDeserializer(
                        TableChangelogMode.APPEND,
                        converter(false),
                        List.of(),
                        List.of(),
                        EventNameFilter.ALL,
                        null);
        Map<String, Counter> counters = new HashMap<>();
        d.open(
                new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return new UnregisteredMetricsGroup() {
                            @Override
                            public Counter counter(String name) {
                                return counters.computeIfAbsent(name, n -> new SimpleCounter());
                            }
                        };
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        throw new UnsupportedOperationException();
                    }
                });
        Map<String, AttributeValue> bad = item("o9", "ann", "123456789012");
        bad.put("customer", AttributeValue.fromBool(true));

        List<RowData> rows =
                deserialize(
                        d,
                        record(
                                OperationType.INSERT,
                                StreamViewType.NEW_IMAGE,
                                key("o9"),
                                null,
                                bad));

        assertThat(rows).containsExactly(row(RowKind.INSERT, s("o9"), null, null));
        assertThat(counters.get(RowDataChangelogDeserializer.CONVERSION_ERRORS_METRIC).getCount())
                .isEqualTo(2);
    }
}
