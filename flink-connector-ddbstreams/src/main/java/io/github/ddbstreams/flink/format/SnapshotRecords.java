package io.github.ddbstreams.flink.format;

import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Items a snapshot of the table read, dressed as stream records, so that every deserializer (ours
 * and users') turns them into its output type the way it turns changes: event name {@code
 * SNAPSHOT}, the item as new image, its key attributes as keys, the read time as creation time, no
 * sequence number and no event id.
 */
@Internal
public final class SnapshotRecords {

    /** The event name of a snapshot row: {@link ChangeEvent.EventName#SNAPSHOT}. */
    public static final String EVENT_NAME = ChangeEvent.EventName.SNAPSHOT.name();

    private SnapshotRecords() {}

    /**
     * @param item the item as Scan returned it
     * @param keyAttributes the table's key attribute names (partition key, then sort key if any)
     * @param readAt when Scan returned the item (the end of its call)
     * @param viewType the view type of the stream the rows go with
     * @throws IllegalArgumentException if the item lacks a key attribute
     */
    public static Record of(
            Map<String, AttributeValue> item,
            Collection<String> keyAttributes,
            Instant readAt,
            StreamViewType viewType) {
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        for (String name : keyAttributes) {
            AttributeValue value = item.get(name);
            if (value == null) {
                throw new IllegalArgumentException(
                        "Item read by the snapshot lacks its key attribute " + name + ": " + item);
            }
            keys.put(name, value);
        }
        return Record.builder()
                .eventName(EVENT_NAME)
                .eventSource("aws:dynamodb")
                .dynamodb(
                        StreamRecord.builder()
                                .keys(keys)
                                .newImage(item)
                                .approximateCreationDateTime(readAt)
                                .sizeBytes(ItemSizes.of(item))
                                .streamViewType(viewType)
                                .build())
                .build();
    }

    /** Whether {@code record} is a snapshot row rather than a change. */
    public static boolean isSnapshot(Record record) {
        return EVENT_NAME.equals(record.eventNameAsString());
    }
}
