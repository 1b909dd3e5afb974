package io.github.ddbstreams.flink.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.connector.source.abilities.SupportsSourceWatermark;
import org.apache.flink.table.connector.source.abilities.SupportsWatermarkPushDown;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code dynamodb-streams} scan source: a changelog (or append) stream of a DynamoDB table's
 * changes. Converts only the projected columns and adds the requested metadata columns after them.
 * In append mode, simple predicates on the {@code event_name} metadata column are pushed into the
 * deserializer ({@link EventNameFilter}). Watermarks are generated inside the source, per shard
 * (per split), from a pushed-down {@code WATERMARK} clause or, for {@code SOURCE_WATERMARK()}, from
 * the records' creation times ({@link #applySourceWatermark}).
 */
@Internal
public final class DynamoDbStreamsDynamicTableSource
        implements ScanTableSource,
                SupportsProjectionPushDown,
                SupportsReadingMetadata,
                SupportsFilterPushDown,
                SupportsWatermarkPushDown,
                SupportsSourceWatermark {

    private final SourceSettings settings;
    private final DataType physicalDataType;
    private final List<String> attributeNames;
    private final int[] primaryKeyIndexes;
    private final TableChangelogMode mode;
    private final boolean failOnConversionError;
    @Nullable private final Integer parallelism;

    /** Top-level indexes of the physical columns the query reads, in produced order. */
    private int[] projection;

    private List<String> metadataKeys = List.of();
    private DataType producedDataType;
    private EventNameFilter eventNameFilter = EventNameFilter.ALL;

    /** The pushed-down watermark strategy; null for none. */
    @Nullable private WatermarkStrategy<RowData> watermarkStrategy;

    /** Whether {@link #watermarkStrategy} is the one of {@code SOURCE_WATERMARK()}. */
    private boolean sourceWatermark;

    DynamoDbStreamsDynamicTableSource(
            SourceSettings settings,
            DataType physicalDataType,
            List<String> attributeNames,
            int[] primaryKeyIndexes,
            TableChangelogMode mode,
            boolean failOnConversionError,
            @Nullable Integer parallelism) {
        this.settings = settings;
        this.physicalDataType = physicalDataType;
        this.attributeNames = List.copyOf(attributeNames);
        this.primaryKeyIndexes = primaryKeyIndexes.clone();
        this.mode = mode;
        this.failOnConversionError = failOnConversionError;
        this.parallelism = parallelism;
        int columns = physicalType().getFieldCount();
        this.projection = new int[columns];
        Arrays.setAll(projection, i -> i);
        this.producedDataType = physicalDataType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return mode.changelogMode();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        TypeInformation<RowData> producedType = context.createTypeInformation(producedDataType);
        RowDataChangelogDeserializer deserializer =
                new RowDataChangelogDeserializer(
                        mode,
                        projectedItemConverter(),
                        metadataKeys.stream().map(ReadableMetadata::ofKey).toList(),
                        primaryKeyAttributes(),
                        eventNameFilter,
                        producedType);
        return new DynamoDbStreamsScanProvider(
                settings.build(deserializer),
                watermarkStrategy != null ? watermarkStrategy : WatermarkStrategy.noWatermarks(),
                producedType,
                parallelism,
                asSummaryString());
    }

    /**
     * Takes the planner's strategy for the table's {@code WATERMARK} clause (already bound to the
     * produced row: projection and metadata are pushed first). The source's reader runs one
     * generator per shard and emits the minimum over its shards, so a shard that lags behind, or
     * the parent of a split shard not yet read to its end, holds the watermark back instead of
     * making its records late.
     */
    @Override
    public void applyWatermark(WatermarkStrategy<RowData> watermarkStrategy) {
        this.watermarkStrategy = watermarkStrategy;
        this.sourceWatermark = false;
    }

    /**
     * {@code WATERMARK FOR col AS SOURCE_WATERMARK()}: watermarks follow the records' {@code
     * ApproximateCreationDateTime}, the event timestamp the source gives every record, per shard:
     * the latest creation time read from the shard, less a millisecond. A shard's records come in
     * write order, so its creation times only go backwards if DynamoDB's approximate clock does;
     * only such a record could be late. Declare the clause on the {@code approximate_creation_time}
     * metadata column, whose values these watermarks describe.
     */
    @Override
    public void applySourceWatermark() {
        this.watermarkStrategy = WatermarkStrategy.forMonotonousTimestamps();
        this.sourceWatermark = true;
    }

    @Nullable
    WatermarkStrategy<RowData> watermarkStrategy() {
        return watermarkStrategy;
    }

    /** The converter of the projected columns; the planner validated the full schema already. */
    ItemConverter projectedItemConverter() {
        RowType physical = physicalType();
        List<String> columns = new ArrayList<>();
        List<String> attributes = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        for (int index : projection) {
            columns.add(physical.getFieldNames().get(index));
            attributes.add(attributeNames.get(index));
            types.add(physical.getTypeAt(index));
        }
        return new ItemConverter(columns, attributes, types, failOnConversionError);
    }

    private List<String> primaryKeyAttributes() {
        List<String> keys = new ArrayList<>();
        for (int index : primaryKeyIndexes) {
            keys.add(attributeNames.get(index));
        }
        return keys;
    }

    private RowType physicalType() {
        return (RowType) physicalDataType.getLogicalType();
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        this.projection = Arrays.stream(projectedFields).mapToInt(path -> path[0]).toArray();
        this.producedDataType = producedDataType;
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        Map<String, DataType> metadata = new LinkedHashMap<>();
        for (ReadableMetadata m : ReadableMetadata.values()) {
            metadata.put(m.key(), m.dataType());
        }
        return metadata;
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
        this.metadataKeys = List.copyOf(metadataKeys);
        this.producedDataType = producedDataType;
    }

    /**
     * Accepts predicates on the {@code event_name} metadata column in append mode only: there a row
     * is a record, so dropping a record is dropping its row. In upsert mode a filter before the
     * planner's normalizing step would change the result; changelog mode keeps its filters too, as
     * filtering a changelog by event has no use worth the risk.
     */
    @Override
    public Result applyFilters(List<ResolvedExpression> filters) {
        int eventNameField = eventNameField();
        if (mode != TableChangelogMode.APPEND || eventNameField < 0) {
            return Result.of(List.of(), filters);
        }
        List<ResolvedExpression> accepted = new ArrayList<>();
        List<ResolvedExpression> remaining = new ArrayList<>();
        for (ResolvedExpression filter : filters) {
            java.util.Optional<EventNameFilter> and = eventNameFilter.and(filter, eventNameField);
            if (and.isPresent()) {
                eventNameFilter = and.get();
                accepted.add(filter);
            } else {
                remaining.add(filter);
            }
        }
        return Result.of(accepted, remaining);
    }

    /** The produced row's field holding the {@code event_name} metadata, or -1. */
    private int eventNameField() {
        int index = metadataKeys.indexOf(ReadableMetadata.EVENT_NAME.key());
        if (index < 0) {
            return -1;
        }
        // Metadata columns follow the physical ones in the produced row.
        int fields = ((RowType) producedDataType.getLogicalType()).getFieldCount();
        return fields - metadataKeys.size() + index;
    }

    EventNameFilter eventNameFilter() {
        return eventNameFilter;
    }

    @Override
    public DynamicTableSource copy() {
        DynamoDbStreamsDynamicTableSource copy =
                new DynamoDbStreamsDynamicTableSource(
                        settings,
                        physicalDataType,
                        attributeNames,
                        primaryKeyIndexes,
                        mode,
                        failOnConversionError,
                        parallelism);
        copy.projection = projection.clone();
        copy.metadataKeys = metadataKeys;
        copy.producedDataType = producedDataType;
        copy.eventNameFilter = eventNameFilter;
        copy.watermarkStrategy = watermarkStrategy;
        copy.sourceWatermark = sourceWatermark;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "DynamoDB Streams ("
                + mode.optionValue()
                + (eventNameFilter.matchesAll() ? "" : ", " + eventNameFilter)
                + (sourceWatermark ? ", source watermark" : "")
                + ")";
    }

    SourceSettings settings() {
        return settings;
    }

    TableChangelogMode mode() {
        return mode;
    }

    List<String> attributeNames() {
        return attributeNames;
    }

    @Nullable
    Integer parallelism() {
        return parallelism;
    }

    boolean failsOnConversionError() {
        return failOnConversionError;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof DynamoDbStreamsDynamicTableSource)) {
            return false;
        }
        DynamoDbStreamsDynamicTableSource that = (DynamoDbStreamsDynamicTableSource) o;
        return settings.equals(that.settings)
                && physicalDataType.equals(that.physicalDataType)
                && attributeNames.equals(that.attributeNames)
                && Arrays.equals(primaryKeyIndexes, that.primaryKeyIndexes)
                && mode == that.mode
                && failOnConversionError == that.failOnConversionError
                && Objects.equals(parallelism, that.parallelism)
                && Arrays.equals(projection, that.projection)
                && metadataKeys.equals(that.metadataKeys)
                && eventNameFilter.equals(that.eventNameFilter)
                // Strategies have no equals: a copy shares its original's instance.
                && Objects.equals(watermarkStrategy, that.watermarkStrategy)
                && sourceWatermark == that.sourceWatermark
                && producedDataType.equals(that.producedDataType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, physicalDataType, mode, metadataKeys);
    }
}
