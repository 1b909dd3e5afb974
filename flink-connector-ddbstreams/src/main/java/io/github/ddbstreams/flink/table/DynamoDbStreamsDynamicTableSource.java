package io.github.ddbstreams.flink.table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsFilterPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.expressions.ResolvedExpression;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * The {@code dynamodb-streams} scan source: a changelog (or append) stream of a DynamoDB table's
 * changes. Converts only the projected columns and adds the requested metadata columns after them.
 * In append mode, simple predicates on the {@code event_name} metadata column are pushed into the
 * deserializer ({@link EventNameFilter}).
 */
@Internal
public final class DynamoDbStreamsDynamicTableSource
        implements ScanTableSource,
                SupportsProjectionPushDown,
                SupportsReadingMetadata,
                SupportsFilterPushDown {

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
        return SourceProvider.of(settings.build(deserializer), parallelism);
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
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "DynamoDB Streams ("
                + mode.optionValue()
                + (eventNameFilter.matchesAll() ? "" : ", " + eventNameFilter)
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
                && producedDataType.equals(that.producedDataType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(settings, physicalDataType, mode, metadataKeys);
    }
}
