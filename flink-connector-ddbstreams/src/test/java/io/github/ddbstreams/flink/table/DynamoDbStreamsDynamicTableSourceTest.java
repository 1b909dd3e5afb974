package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.DataType;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Projection and metadata push-down: only what the query reads is converted. */
class DynamoDbStreamsDynamicTableSourceTest {

    private static final DataType PHYSICAL =
            DataTypes.ROW(
                    DataTypes.FIELD("order_id", DataTypes.STRING()),
                    DataTypes.FIELD("customer", DataTypes.STRING()),
                    DataTypes.FIELD("amount", DataTypes.INT()));

    private static DynamoDbStreamsDynamicTableSource source() {
        return new DynamoDbStreamsDynamicTableSource(
                new SourceSettings(
                        null,
                        "orders",
                        StartingPosition.latest(),
                        AwsConfig.defaults(),
                        false,
                        new Configuration()),
                PHYSICAL,
                List.of("pk", "customer", "amount"),
                new int[] {0},
                TableChangelogMode.CHANGELOG,
                true,
                null);
    }

    @Test
    void onlyProjectedColumnsAreConvertedInProjectedOrder() {
        DynamoDbStreamsDynamicTableSource source = source();
        DataType projected =
                DataTypes.ROW(
                        DataTypes.FIELD("amount", DataTypes.INT()),
                        DataTypes.FIELD("order_id", DataTypes.STRING()));
        source.applyProjection(new int[][] {{2}, {0}}, projected);

        ItemConverter converter = source.projectedItemConverter();
        // customer holds a number, which a STRING column would read fine, but a BOOL would fail:
        // unprojected, it must not be looked at.
        Map<String, AttributeValue> item =
                Map.of(
                        "pk", AttributeValue.fromS("o1"),
                        "customer", AttributeValue.fromBool(true),
                        "amount", AttributeValue.fromN("5"));
        GenericRowData row = new GenericRowData(2);
        assertThat(converter.convert(item, Map.of(), row)).isZero();
        assertThat(row).isEqualTo(GenericRowData.of(5, StringData.fromString("o1")));
    }

    @Test
    void copiesKeepPushedDownState() {
        DynamoDbStreamsDynamicTableSource source = source();
        source.applyProjection(
                new int[][] {{1}}, DataTypes.ROW(DataTypes.FIELD("customer", DataTypes.STRING())));
        source.applyReadableMetadata(
                List.of("event_name"),
                DataTypes.ROW(
                        DataTypes.FIELD("customer", DataTypes.STRING()),
                        DataTypes.FIELD("event_name", DataTypes.STRING())));

        assertThat(source.copy()).isEqualTo(source).isNotSameAs(source);
        assertThat(source.copy()).isNotEqualTo(source());
    }

    @Test
    void listsEveryMetadataColumn() {
        assertThat(source().listReadableMetadata())
                .containsOnlyKeys(
                        "event_name",
                        "event_id",
                        "sequence_number",
                        "shard_id",
                        "approximate_creation_time",
                        "size_bytes",
                        "is_ttl_delete",
                        "stream_arn",
                        "keys");
        assertThat(source().listReadableMetadata().get("approximate_creation_time"))
                .isEqualTo(DataTypes.TIMESTAMP_LTZ(3));
    }
}
