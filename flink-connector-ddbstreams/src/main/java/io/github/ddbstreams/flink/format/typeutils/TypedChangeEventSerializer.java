package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.TypedChangeEvent;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.util.InstantiationUtil;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/**
 * Serializes a {@link TypedChangeEvent} as its underlying {@link ChangeEvent} (the bytes of {@link
 * ChangeEventSerializer}) and rebuilds the typed view on reading, with a {@link TableSchema} built
 * once per serializer instance.
 *
 * <p>Why the attribute maps and not the item: items of immutable or static schemas are not Flink
 * POJOs, and even beans usually hold {@code List}/{@code Map}/nested-bean properties that Flink
 * would hand to Kryo, which jobs here disable. The maps are exact for every schema, and since the
 * bytes do not depend on the item class, state stays readable when that class changes.
 */
@Internal
public final class TypedChangeEventSerializer<T> extends TypeSerializer<TypedChangeEvent<T>> {

    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<TableSchema<T>> schemaSupplier;
    private final Class<T> itemClass;
    private transient TableSchema<T> schema;

    public TypedChangeEventSerializer(
            SerializableSupplier<TableSchema<T>> schemaSupplier, Class<T> itemClass) {
        this.schemaSupplier = Objects.requireNonNull(schemaSupplier, "schemaSupplier");
        this.itemClass = Objects.requireNonNull(itemClass, "itemClass");
    }

    private TableSchema<T> schema() {
        if (schema == null) {
            schema = schemaSupplier.get();
        }
        return schema;
    }

    /** Events cache their mapped items, which callers may change: copies must not share them. */
    @Override
    public boolean isImmutableType() {
        return false;
    }

    /** A fresh instance, so that no two threads share one lazily built schema. */
    @Override
    public TypeSerializer<TypedChangeEvent<T>> duplicate() {
        return new TypedChangeEventSerializer<>(schemaSupplier, itemClass);
    }

    @Override
    public TypedChangeEvent<T> createInstance() {
        return TypedChangeEvent.of(ChangeEventSerializer.INSTANCE.createInstance(), schema());
    }

    @Override
    public TypedChangeEvent<T> copy(TypedChangeEvent<T> from) {
        // The change is immutable and may be shared; the items are re-mapped on demand.
        return TypedChangeEvent.of(from.getChange(), schema());
    }

    @Override
    public TypedChangeEvent<T> copy(TypedChangeEvent<T> from, TypedChangeEvent<T> reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(TypedChangeEvent<T> record, DataOutputView target) throws IOException {
        ChangeEventSerializer.INSTANCE.serialize(record.getChange(), target);
    }

    @Override
    public TypedChangeEvent<T> deserialize(DataInputView source) throws IOException {
        return TypedChangeEvent.of(ChangeEventSerializer.INSTANCE.deserialize(source), schema());
    }

    @Override
    public TypedChangeEvent<T> deserialize(TypedChangeEvent<T> reuse, DataInputView source)
            throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        ChangeEventSerializer.INSTANCE.copy(source, target);
    }

    @Override
    public boolean equals(Object obj) {
        if (!(obj instanceof TypedChangeEventSerializer)) {
            return false;
        }
        TypedChangeEventSerializer<?> other = (TypedChangeEventSerializer<?>) obj;
        return itemClass == other.itemClass && schemaSupplier.equals(other.schemaSupplier);
    }

    @Override
    public int hashCode() {
        return itemClass.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<TypedChangeEvent<T>> snapshotConfiguration() {
        return new TypedChangeEventSerializerSnapshot<>(schemaSupplier, itemClass);
    }

    /**
     * Writes the item class name and the schema recipe (Java-serialized). Any earlier snapshot of
     * this class is compatible as is, whatever its item class: the bytes are those of {@link
     * ChangeEventSerializer}. The recipe is only needed if Flink asks for the old serializer; if it
     * no longer deserializes (its class changed), that request fails with a message saying so. Not
     * final: {@link io.github.ddbstreams.flink.format.TypedChangeEventSerializer} keeps the name
     * savepoints written before the serializer moved to this package hold.
     */
    @Internal
    public static class TypedChangeEventSerializerSnapshot<T>
            implements TypeSerializerSnapshot<TypedChangeEvent<T>> {

        private static final int VERSION = 1;

        private SerializableSupplier<TableSchema<T>> schemaSupplier;
        private Class<T> itemClass;
        private String itemClassName;
        private Exception restoreFailure;

        /** Used by Flink when it reads a snapshot back. */
        public TypedChangeEventSerializerSnapshot() {}

        TypedChangeEventSerializerSnapshot(
                SerializableSupplier<TableSchema<T>> schemaSupplier, Class<T> itemClass) {
            this.schemaSupplier = schemaSupplier;
            this.itemClass = itemClass;
            this.itemClassName = itemClass.getName();
        }

        @Override
        public int getCurrentVersion() {
            return VERSION;
        }

        @Override
        public void writeSnapshot(DataOutputView out) throws IOException {
            out.writeUTF(itemClassName);
            byte[] recipe = InstantiationUtil.serializeObject(schemaSupplier);
            out.writeInt(recipe.length);
            out.write(recipe);
        }

        @Override
        @SuppressWarnings("unchecked")
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader)
                throws IOException {
            if (readVersion != VERSION) {
                throw new IOException(
                        "Unknown TypedChangeEvent serializer snapshot version " + readVersion);
            }
            itemClassName = in.readUTF();
            byte[] recipe = new byte[in.readInt()];
            in.readFully(recipe);
            try {
                itemClass = (Class<T>) Class.forName(itemClassName, false, classLoader);
                schemaSupplier = InstantiationUtil.deserializeObject(recipe, classLoader);
            } catch (ClassNotFoundException | IOException | RuntimeException e) {
                restoreFailure = e;
            }
        }

        @Override
        public TypeSerializer<TypedChangeEvent<T>> restoreSerializer() {
            if (restoreFailure != null) {
                throw new IllegalStateException(
                        "Cannot rebuild the TableSchema of "
                                + itemClassName
                                + " stored with this state: its class or schema supplier no longer"
                                + " deserializes. The state itself is readable by the current"
                                + " TypedChangeEvent serializer.",
                        restoreFailure);
            }
            return new TypedChangeEventSerializer<>(schemaSupplier, itemClass);
        }

        @Override
        public TypeSerializerSchemaCompatibility<TypedChangeEvent<T>> resolveSchemaCompatibility(
                TypeSerializerSnapshot<TypedChangeEvent<T>> oldSerializerSnapshot) {
            return oldSerializerSnapshot instanceof TypedChangeEventSerializerSnapshot
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.incompatible();
        }
    }
}
