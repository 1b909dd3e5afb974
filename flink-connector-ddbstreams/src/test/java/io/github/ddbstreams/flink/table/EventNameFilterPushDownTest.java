package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown.Result;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.CallExpression;
import org.apache.flink.table.expressions.FieldReferenceExpression;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.expressions.ValueLiteralExpression;
import org.apache.flink.table.functions.BuiltInFunctionDefinition;
import org.apache.flink.table.functions.BuiltInFunctionDefinitions;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Filter push-down on the {@code event_name} metadata column: which predicates the source takes,
 * which it leaves to the planner, and that the deserializer drops the filtered records before
 * converting them.
 */
class EventNameFilterPushDownTest {

    private static final DataType PHYSICAL =
            DataTypes.ROW(
                    DataTypes.FIELD("order_id", DataTypes.STRING()),
                    DataTypes.FIELD("amount", DataTypes.INT()));

    /** order_id, then the metadata columns shard_id and event_name: event_name is field 2. */
    private static final DataType PRODUCED =
            DataTypes.ROW(
                    DataTypes.FIELD("order_id", DataTypes.STRING()),
                    DataTypes.FIELD("shard", DataTypes.STRING()),
                    DataTypes.FIELD("ev", DataTypes.STRING()));

    private static final FieldReferenceExpression EVENT =
            new FieldReferenceExpression("ev", DataTypes.STRING(), 0, 2);
    private static final FieldReferenceExpression SHARD =
            new FieldReferenceExpression("shard", DataTypes.STRING(), 0, 1);
    private static final FieldReferenceExpression ORDER_ID =
            new FieldReferenceExpression("order_id", DataTypes.STRING(), 0, 0);

    private static DynamoDbStreamsDynamicTableSource source(TableChangelogMode mode) {
        DynamoDbStreamsDynamicTableSource source =
                new DynamoDbStreamsDynamicTableSource(
                        new SourceSettings(
                                null,
                                "orders",
                                StartingPosition.latest(),
                                AwsConfig.defaults(),
                                false,
                                new Configuration()),
                        PHYSICAL,
                        List.of("pk", "amount"),
                        new int[0],
                        mode,
                        true,
                        null);
        source.applyReadableMetadata(List.of("shard_id", "event_name"), PRODUCED);
        source.applyProjection(
                new int[][] {{0}},
                PRODUCED); // the planner passes the produced type with the metadata columns
        return source;
    }

    private static ResolvedExpression call(
            BuiltInFunctionDefinition function, ResolvedExpression... args) {
        return CallExpression.permanent(function, List.of(args), DataTypes.BOOLEAN());
    }

    private static ResolvedExpression eq(ResolvedExpression field, String value) {
        return call(BuiltInFunctionDefinitions.EQUALS, field, new ValueLiteralExpression(value));
    }

    private static ResolvedExpression ne(ResolvedExpression field, String value) {
        return call(
                BuiltInFunctionDefinitions.NOT_EQUALS, field, new ValueLiteralExpression(value));
    }

    private static List<String> kept(EventNameFilter filter) {
        List<String> kept = new ArrayList<>();
        for (String name : List.of("INSERT", "MODIFY", "REMOVE", "OTHER")) {
            if (filter.test(name)) {
                kept.add(name);
            }
        }
        return kept;
    }

    @Test
    void equalityInequalityInAndNotInAreTakenAndTheRestLeftToThePlanner() {
        DynamoDbStreamsDynamicTableSource source = source(TableChangelogMode.APPEND);
        ResolvedExpression in =
                call(BuiltInFunctionDefinitions.OR, eq(EVENT, "INSERT"), eq(EVENT, "MODIFY"));
        ResolvedExpression notRemove = ne(EVENT, "REMOVE");
        ResolvedExpression onShard = eq(SHARD, "shard-1");
        ResolvedExpression mixed =
                call(BuiltInFunctionDefinitions.OR, eq(EVENT, "INSERT"), eq(ORDER_ID, "o1"));

        Result result = source.applyFilters(List.of(in, onShard, notRemove, mixed));

        assertThat(result.getAcceptedFilters()).containsExactly(in, notRemove);
        assertThat(result.getRemainingFilters()).containsExactly(onShard, mixed);
        assertThat(kept(source.eventNameFilter())).containsExactly("INSERT", "MODIFY");
        assertThat(source.copy()).isEqualTo(source);
        assertThat(source.asSummaryString()).contains("event_name IN");
    }

    @Test
    void literalFirstAndNotInForms() {
        DynamoDbStreamsDynamicTableSource source = source(TableChangelogMode.APPEND);
        ResolvedExpression literalFirst =
                call(
                        BuiltInFunctionDefinitions.NOT_EQUALS,
                        new ValueLiteralExpression("INSERT"),
                        EVENT);
        ResolvedExpression notIn =
                call(BuiltInFunctionDefinitions.AND, ne(EVENT, "MODIFY"), ne(EVENT, "OTHER"));

        assertThat(source.applyFilters(List.of(literalFirst, notIn)).getRemainingFilters())
                .isEmpty();
        assertThat(kept(source.eventNameFilter())).containsExactly("REMOVE");
    }

    @Test
    void changelogAndUpsertModesKeepEveryFilter() {
        for (TableChangelogMode mode :
                List.of(TableChangelogMode.CHANGELOG, TableChangelogMode.UPSERT)) {
            DynamoDbStreamsDynamicTableSource source = source(mode);
            ResolvedExpression filter = eq(EVENT, "INSERT");
            Result result = source.applyFilters(List.of(filter));
            assertThat(result.getAcceptedFilters()).as(mode.name()).isEmpty();
            assertThat(result.getRemainingFilters()).containsExactly(filter);
            assertThat(source.eventNameFilter().matchesAll()).isTrue();
        }
    }

    @Test
    void withoutTheEventNameColumnNothingIsTaken() {
        DynamoDbStreamsDynamicTableSource source =
                new DynamoDbStreamsDynamicTableSource(
                        source(TableChangelogMode.APPEND).settings(),
                        PHYSICAL,
                        List.of("pk", "amount"),
                        new int[0],
                        TableChangelogMode.APPEND,
                        true,
                        null);
        ResolvedExpression filter =
                eq(new FieldReferenceExpression("order_id", DataTypes.STRING(), 0, 0), "INSERT");
        assertThat(source.applyFilters(List.of(filter)).getRemainingFilters())
                .containsExactly(filter);
    }

    @Test
    void theDeserializerDropsFilteredRecordsBeforeConverting() {
        EventNameFilter onlyInserts = EventNameFilter.ALL.and(eq(EVENT, "INSERT"), 2).orElseThrow();
        RowDataChangelogDeserializer deserializer =
                new RowDataChangelogDeserializer(
                        TableChangelogMode.APPEND,
                        new ItemConverter(
                                List.of("amount"),
                                List.of("amount"),
                                List.of(DataTypes.INT().getLogicalType()),
                                true),
                        List.of(ReadableMetadata.EVENT_NAME),
                        List.of(),
                        onlyInserts,
                        null);
        List<RowData> rows = new ArrayList<>();
        Collector<RowData> out =
                new Collector<>() {
                    @Override
                    public void collect(RowData row) {
                        rows.add(row);
                    }

                    @Override
                    public void close() {}
                };

        // The MODIFY's amount does not convert to INT: had it been converted, the job would fail.
        deserializer.deserialize(record(OperationType.MODIFY, "ten"), "arn", "shard-1", out);
        deserializer.deserialize(record(OperationType.REMOVE, "7"), "arn", "shard-1", out);
        deserializer.deserialize(record(OperationType.INSERT, "5"), "arn", "shard-1", out);

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getInt(0)).isEqualTo(5);
        assertThat(rows.get(0).getString(1).toString()).isEqualTo("INSERT");
    }

    private static Record record(OperationType event, String amount) {
        Map<String, AttributeValue> item =
                Map.of(
                        "pk",
                        AttributeValue.fromS("o1"),
                        "amount",
                        amount.equals("ten")
                                ? AttributeValue.fromS(amount)
                                : AttributeValue.fromN(amount));
        return Record.builder()
                .eventID("e-" + event)
                .eventName(event)
                .dynamodb(
                        StreamRecord.builder()
                                .keys(Map.of("pk", AttributeValue.fromS("o1")))
                                .newImage(item)
                                .oldImage(item)
                                .sequenceNumber("1")
                                .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                                .approximateCreationDateTime(Instant.EPOCH)
                                .build())
                .build();
    }
}
