package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.TypedChangeEvent;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * Flink type information of {@link TypedChangeEvent}, serialized by {@link
 * TypedChangeEventSerializer}. Carries the recipe of the item's {@link TableSchema} so every
 * operator can map images to items.
 */
@Internal
public final class TypedChangeEventTypeInfo<T> extends AtomicTypeInfo<TypedChangeEvent<T>> {

    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<TableSchema<T>> schemaSupplier;
    private final Class<T> itemClass;

    public TypedChangeEventTypeInfo(
            SerializableSupplier<TableSchema<T>> schemaSupplier, Class<T> itemClass) {
        this.schemaSupplier = Objects.requireNonNull(schemaSupplier, "schemaSupplier");
        this.itemClass = Objects.requireNonNull(itemClass, "itemClass");
    }

    /** The class of the items the images are mapped to. */
    public Class<T> getItemClass() {
        return itemClass;
    }

    @Override
    protected TypeSerializer<TypedChangeEvent<T>> serializer() {
        return new TypedChangeEventSerializer<>(schemaSupplier, itemClass);
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<TypedChangeEvent<T>> getTypeClass() {
        return (Class<TypedChangeEvent<T>>) (Class<?>) TypedChangeEvent.class;
    }

    @Override
    public String toString() {
        return "TypedChangeEvent<" + itemClass.getName() + ">";
    }

    @Override
    public boolean equals(Object obj) {
        if (!(obj instanceof TypedChangeEventTypeInfo)) {
            return false;
        }
        TypedChangeEventTypeInfo<?> other = (TypedChangeEventTypeInfo<?>) obj;
        return itemClass == other.itemClass && schemaSupplier.equals(other.schemaSupplier);
    }

    @Override
    public int hashCode() {
        return itemClass.hashCode();
    }
}
