package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.format.typeutils.TypedChangeEventSerializer;
import io.github.ddbstreams.flink.format.typeutils.TypedChangeEventTypeInfoFactory;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * A {@link ChangeEvent} whose old and new images are read as items of the DynamoDB Enhanced
 * Client's {@link TableSchema}: a bean ({@code TableSchema.fromBean}), an immutable class ({@code
 * TableSchema.fromImmutableClass}) or a static schema. Emitted by {@link
 * TypedChangeEventDeserializer}; also made from any change event with {@link #of}.
 *
 * <p>Flink moves the event between operators as its attribute maps ({@link
 * TypedChangeEventSerializer}), never as the item object, so the item class needs to be neither a
 * Flink POJO nor Kryo-friendly, and changing the item class keeps old state readable. Each image is
 * mapped to an item on first access and the same object returned afterwards: an item changed by the
 * caller stays changed for later callers on the same event, so copy it before mutating it if the
 * event is used further.
 *
 * @param <T> the item type
 */
@PublicEvolving
@TypeInfo(TypedChangeEventTypeInfoFactory.class)
public final class TypedChangeEvent<T> {

    private final ChangeEvent change;
    private final TableSchema<T> schema;

    // Benign races only: mapping is deterministic, events are used by one thread at a time.
    @Nullable private T oldItem;
    private boolean oldItemMapped;
    @Nullable private T newItem;
    private boolean newItemMapped;

    private TypedChangeEvent(ChangeEvent change, TableSchema<T> schema) {
        this.change = Objects.requireNonNull(change, "change");
        this.schema = Objects.requireNonNull(schema, "schema");
    }

    /** Reads the images of {@code change} through {@code schema}. */
    public static <T> TypedChangeEvent<T> of(ChangeEvent change, TableSchema<T> schema) {
        return new TypedChangeEvent<>(change, schema);
    }

    /** The untyped change, with the attribute values as DynamoDB sent them. */
    public ChangeEvent getChange() {
        return change;
    }

    /** The schema the images are read with. */
    public TableSchema<T> getTableSchema() {
        return schema;
    }

    public ChangeEvent.EventName getEventName() {
        return change.getEventName();
    }

    /** See {@link ChangeEvent#isTtlDelete()}. */
    public boolean isTtlDelete() {
        return change.isTtlDelete();
    }

    /** The item's primary key attributes. */
    public Map<String, AttributeValue> getKeys() {
        return change.getKeys();
    }

    public String getStreamArn() {
        return change.getStreamArn();
    }

    /** See {@link ChangeEvent#getTableName()}. */
    @Nullable
    public String getTableName() {
        return change.getTableName();
    }

    public String getShardId() {
        return change.getShardId();
    }

    public String getSequenceNumber() {
        return change.getSequenceNumber();
    }

    @Nullable
    public Instant getApproximateCreationTime() {
        return change.getApproximateCreationTime();
    }

    /**
     * The item before the change, or null if the record carried no old image (an INSERT, or a
     * stream whose view type leaves it out).
     *
     * @throws RuntimeException what the schema throws for an image it cannot map
     */
    @Nullable
    public T getOldItem() {
        if (!oldItemMapped) {
            oldItem = change.hasOldImage() ? schema.mapToItem(change.getOldImage()) : null;
            oldItemMapped = true;
        }
        return oldItem;
    }

    /**
     * The item after the change, or null if the record carried no new image (a REMOVE, or a stream
     * whose view type leaves it out).
     *
     * @throws RuntimeException what the schema throws for an image it cannot map
     */
    @Nullable
    public T getNewItem() {
        if (!newItemMapped) {
            newItem = change.hasNewImage() ? schema.mapToItem(change.getNewImage()) : null;
            newItemMapped = true;
        }
        return newItem;
    }

    /** Equal when the changes are equal and the items are of the same class. */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TypedChangeEvent)) {
            return false;
        }
        TypedChangeEvent<?> that = (TypedChangeEvent<?>) o;
        return change.equals(that.change)
                && schema.itemType().rawClass().equals(that.schema.itemType().rawClass());
    }

    @Override
    public int hashCode() {
        return change.hashCode();
    }

    @Override
    public String toString() {
        return "TypedChangeEvent<"
                + schema.itemType().rawClass().getSimpleName()
                + ">"
                + change.toString().substring("ChangeEvent".length());
    }
}
