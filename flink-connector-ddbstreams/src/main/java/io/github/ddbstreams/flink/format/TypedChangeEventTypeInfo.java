package io.github.ddbstreams.flink.format;

import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * Flink type information of {@link TypedChangeEvent}: an atomic type serialized by {@link
 * TypedChangeEventSerializer}, never by Kryo. Carries the recipe of the item's {@link TableSchema}
 * so every operator can map images to items.
 */
@Internal
public final class TypedChangeEventTypeInfo<T> extends TypeInformation<TypedChangeEvent<T>> {

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
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<TypedChangeEvent<T>> getTypeClass() {
        return (Class<TypedChangeEvent<T>>) (Class<?>) TypedChangeEvent.class;
    }

    /** Not a key type, as {@link ChangeEventTypeInfo}: key by the item's keys instead. */
    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<TypedChangeEvent<T>> createSerializer(SerializerConfig config) {
        return new TypedChangeEventSerializer<>(schemaSupplier, itemClass);
    }

    /** Flink 1.20's abstract variant; see {@link ChangeEventTypeInfo#createSerializer}. */
    public TypeSerializer<TypedChangeEvent<T>> createSerializer(
            org.apache.flink.api.common.ExecutionConfig config) {
        return new TypedChangeEventSerializer<>(schemaSupplier, itemClass);
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

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof TypedChangeEventTypeInfo;
    }
}
