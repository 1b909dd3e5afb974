package io.github.ddbstreams.flink.table;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.format.SnapshotRecords;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Turns stream records into the table source's rows: the physical columns from an image (see {@link
 * TableChangelogMode} for which image and row kind), then the metadata columns.
 *
 * <p>The stream's view type is checked on each record (the planner cannot know it without calling
 * AWS): the first record of a stream whose view type cannot serve the mode fails the job, whatever
 * its event, with a message naming the view type required and the {@code 'changelog.mode'} values
 * that fit. Records that do not state their view type are checked by the images they carry.
 */
@Internal
final class RowDataChangelogDeserializer implements DynamoDbStreamsDeserializer<RowData> {
    private static final long serialVersionUID = 1L;

    /** Counts columns set to NULL under {@code 'conversion.on-error' = 'null'}. */
    static final String CONVERSION_ERRORS_METRIC = "numConversionErrors";

    private final TableChangelogMode mode;
    private final ItemConverter converter;
    private final ReadableMetadata[] metadata;
    private final Set<String> primaryKeyAttributes;
    private final EventNameFilter eventNameFilter;
    private final TypeInformation<RowData> producedType;

    @Nullable private transient Counter conversionErrors;

    /**
     * @param primaryKeyAttributes the attributes of the PRIMARY KEY columns; checked against the
     *     records' keys in upsert mode, where a wrong key would merge or split items
     * @param eventNameFilter the records to keep; the others are dropped before any conversion
     */
    RowDataChangelogDeserializer(
            TableChangelogMode mode,
            ItemConverter converter,
            List<ReadableMetadata> metadata,
            List<String> primaryKeyAttributes,
            EventNameFilter eventNameFilter,
            TypeInformation<RowData> producedType) {
        this.mode = mode;
        this.converter = converter;
        this.metadata = metadata.toArray(new ReadableMetadata[0]);
        this.primaryKeyAttributes = new HashSet<>(primaryKeyAttributes);
        this.eventNameFilter = eventNameFilter;
        this.producedType = producedType;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        conversionErrors = context.getMetricGroup().counter(CONVERSION_ERRORS_METRIC);
    }

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<RowData> out) {
        if (!eventNameFilter.test(record.eventNameAsString())) {
            return;
        }
        StreamRecord change = record.dynamodb();
        if (change == null) {
            throw new IllegalArgumentException(
                    "Record "
                            + record.eventID()
                            + " of shard "
                            + shardId
                            + " has no dynamodb part");
        }
        StreamViewType viewType = change.streamViewType();
        // A snapshot row holds the whole item whatever the stream's view type.
        if (viewType != null
                && viewType != StreamViewType.UNKNOWN_TO_SDK_VERSION
                && !mode.servedBy(viewType)
                && !SnapshotRecords.isSnapshot(record)) {
            // Fail on the first record, not on the first MODIFY or REMOVE that lacks an image:
            // a stream that starts with inserts would otherwise run for a while, then fail.
            throw viewTypeError(record, shardId, "comes from a stream of view type " + viewType);
        }
        Map<String, AttributeValue> keys = change.hasKeys() ? change.keys() : Map.of();
        String event = record.eventNameAsString();
        if (SnapshotRecords.isSnapshot(record)) {
            // An item as the table holds it, before any change: an insert in every mode.
            emit(RowKind.INSERT, newImage(record, shardId), record, streamArn, shardId, out);
            return;
        }
        switch (mode) {
            case CHANGELOG:
                if ("INSERT".equals(event)) {
                    emit(
                            RowKind.INSERT,
                            newImage(record, shardId),
                            record,
                            streamArn,
                            shardId,
                            out);
                } else if ("MODIFY".equals(event)) {
                    Map<String, AttributeValue> before = oldImage(record, shardId);
                    Map<String, AttributeValue> after = newImage(record, shardId);
                    emit(RowKind.UPDATE_BEFORE, before, record, streamArn, shardId, out);
                    emit(RowKind.UPDATE_AFTER, after, record, streamArn, shardId, out);
                } else if ("REMOVE".equals(event)) {
                    emit(
                            RowKind.DELETE,
                            oldImage(record, shardId),
                            record,
                            streamArn,
                            shardId,
                            out);
                } else {
                    throw unknownEvent(record, shardId);
                }
                break;
            case UPSERT:
                checkPrimaryKey(keys);
                if ("INSERT".equals(event)) {
                    emit(
                            RowKind.INSERT,
                            newImage(record, shardId),
                            record,
                            streamArn,
                            shardId,
                            out);
                } else if ("MODIFY".equals(event)) {
                    emit(
                            RowKind.UPDATE_AFTER,
                            newImage(record, shardId),
                            record,
                            streamArn,
                            shardId,
                            out);
                } else if ("REMOVE".equals(event)) {
                    // Downstream deletes by key, so the keys are enough when there is no old image.
                    Map<String, AttributeValue> deleted =
                            change.hasOldImage() ? change.oldImage() : keys;
                    emit(RowKind.DELETE, deleted, record, streamArn, shardId, out);
                } else {
                    throw unknownEvent(record, shardId);
                }
                break;
            case APPEND:
            default:
                Map<String, AttributeValue> item =
                        change.hasNewImage()
                                ? change.newImage()
                                : change.hasOldImage() ? change.oldImage() : keys;
                emit(RowKind.INSERT, item, record, streamArn, shardId, out);
        }
    }

    private void emit(
            RowKind kind,
            Map<String, AttributeValue> item,
            Record record,
            String streamArn,
            String shardId,
            Collector<RowData> out) {
        int physical = converter.arity();
        GenericRowData row = new GenericRowData(kind, physical + metadata.length);
        int errors = converter.convert(item, record.dynamodb().keys(), row);
        if (errors > 0 && conversionErrors != null) {
            conversionErrors.inc(errors);
        }
        for (int i = 0; i < metadata.length; i++) {
            row.setField(physical + i, metadata[i].read(record, streamArn, shardId));
        }
        out.collect(row);
    }

    private Map<String, AttributeValue> newImage(Record record, String shardId) {
        if (!record.dynamodb().hasNewImage()) {
            throw missingImage(record, shardId, "NewImage");
        }
        return record.dynamodb().newImage();
    }

    private Map<String, AttributeValue> oldImage(Record record, String shardId) {
        if (!record.dynamodb().hasOldImage()) {
            throw missingImage(record, shardId, "OldImage");
        }
        return record.dynamodb().oldImage();
    }

    private IllegalStateException missingImage(Record record, String shardId, String image) {
        return viewTypeError(
                record,
                shardId,
                "has no "
                        + image
                        + " (the stream's view type is "
                        + record.dynamodb().streamViewTypeAsString()
                        + ")");
    }

    private IllegalStateException viewTypeError(Record record, String shardId, String problem) {
        String needed =
                mode == TableChangelogMode.CHANGELOG
                        ? "NEW_AND_OLD_IMAGES"
                        : "NEW_IMAGE or NEW_AND_OLD_IMAGES";
        String alternatives =
                mode == TableChangelogMode.CHANGELOG
                        ? "'upsert' (for NEW_IMAGE streams, with a PRIMARY KEY) or 'append' (any"
                                + " view type)"
                        : "'append' (any view type)";
        return new IllegalStateException(
                String.format(
                        "The %s record %s of shard %s %s: '%s' = '%s' needs stream view"
                                + " type %s. Change the table's StreamViewType (a new stream), or"
                                + " use '%s' = %s.",
                        record.eventNameAsString(),
                        record.eventID(),
                        shardId,
                        problem,
                        DynamoDbStreamsTableOptions.CHANGELOG_MODE.key(),
                        mode.optionValue(),
                        needed,
                        DynamoDbStreamsTableOptions.CHANGELOG_MODE.key(),
                        alternatives));
    }

    private void checkPrimaryKey(Map<String, AttributeValue> keys) {
        if (!keys.keySet().equals(primaryKeyAttributes)) {
            throw new IllegalStateException(
                    "'"
                            + DynamoDbStreamsTableOptions.CHANGELOG_MODE.key()
                            + "' = 'upsert' needs a PRIMARY KEY made of the DynamoDB table's key"
                            + " attributes "
                            + keys.keySet()
                            + ", but the PRIMARY KEY columns read the attributes "
                            + primaryKeyAttributes
                            + ". Declare the key columns as the PRIMARY KEY (use '"
                            + DynamoDbStreamsTableOptions.ATTRIBUTE_MAPPING.key()
                            + "' if their names differ).");
        }
    }

    private static IllegalArgumentException unknownEvent(Record record, String shardId) {
        return new IllegalArgumentException(
                "Record "
                        + record.eventID()
                        + " of shard "
                        + shardId
                        + " has the unknown event name '"
                        + record.eventNameAsString()
                        + "' (expected INSERT, MODIFY, REMOVE or SNAPSHOT)");
    }

    /**
     * Lets the job fail at start, naming both view types, when the stream cannot serve the mode:
     * changelog needs old and new images, upsert needs new images, append works with any.
     */
    @Override
    public Set<StreamViewType> supportedStreamViewTypes() {
        switch (mode) {
            case CHANGELOG:
                return EnumSet.of(StreamViewType.NEW_AND_OLD_IMAGES);
            case UPSERT:
                return EnumSet.of(StreamViewType.NEW_IMAGE, StreamViewType.NEW_AND_OLD_IMAGES);
            default:
                return EnumSet.noneOf(StreamViewType.class);
        }
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }
}
