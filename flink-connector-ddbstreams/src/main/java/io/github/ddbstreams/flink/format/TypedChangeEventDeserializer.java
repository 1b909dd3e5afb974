package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.format.typeutils.TypedChangeEventTypeInfo;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Emits one {@link TypedChangeEvent} per stream record, its images read through a DynamoDB Enhanced
 * Client {@link TableSchema}:
 *
 * <pre>{@code
 * TypedChangeEventDeserializer.forBean(Order.class)          // @DynamoDbBean
 * TypedChangeEventDeserializer.forImmutable(Invoice.class)   // @DynamoDbImmutable
 * TypedChangeEventDeserializer.forSchema(OrderSchemas::orderSchema) // a static schema
 * }</pre>
 *
 * <p>A {@code TableSchema} is not serializable, so the deserializer carries a recipe for it and
 * builds the schema once per reader in {@link #open}, and once when it is created (so a class the
 * Enhanced Client cannot map fails when the job is built, not on the cluster). The images are
 * mapped as the record is read, so a record the schema cannot map fails there and is handled by the
 * source's deserialization error policy; downstream operators map again from the attribute maps
 * Flink moved, on first access.
 */
@PublicEvolving
public final class TypedChangeEventDeserializer<T>
        implements DynamoDbStreamsDeserializer<TypedChangeEvent<T>> {

    private static final long serialVersionUID = 1L;

    private final SerializableSupplier<TableSchema<T>> schemaSupplier;
    private final Class<T> itemClass;
    private transient TableSchema<T> schema;

    private TypedChangeEventDeserializer(SerializableSupplier<TableSchema<T>> schemaSupplier) {
        this.schemaSupplier = Objects.requireNonNull(schemaSupplier, "schemaSupplier");
        this.schema = Objects.requireNonNull(schemaSupplier.get(), "the supplied TableSchema");
        this.itemClass = schema.itemType().rawClass();
    }

    /** Items of a class annotated {@code @DynamoDbBean}: {@code TableSchema.fromBean}. */
    public static <T> TypedChangeEventDeserializer<T> forBean(Class<T> beanClass) {
        return new TypedChangeEventDeserializer<>(TableSchemaSuppliers.bean(beanClass));
    }

    /**
     * Items of a class annotated {@code @DynamoDbImmutable}: {@code
     * TableSchema.fromImmutableClass}.
     */
    public static <T> TypedChangeEventDeserializer<T> forImmutable(Class<T> immutableClass) {
        return new TypedChangeEventDeserializer<>(TableSchemaSuppliers.immutable(immutableClass));
    }

    /**
     * Items of any schema, for example a {@code StaticTableSchema}. The supplier ships with the job
     * and is also written into savepoints (with the type's serializer snapshot): a method reference
     * or a named class stays restorable across recompiles more reliably than a capturing lambda.
     */
    public static <T> TypedChangeEventDeserializer<T> forSchema(
            SerializableSupplier<TableSchema<T>> schemaSupplier) {
        return new TypedChangeEventDeserializer<>(schemaSupplier);
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) {
        schema = schemaSupplier.get();
    }

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<TypedChangeEvent<T>> out) {
        if (schema == null) {
            schema = schemaSupplier.get();
        }
        TypedChangeEvent<T> event =
                TypedChangeEvent.of(ChangeEvent.fromRecord(record, streamArn, shardId), schema);
        // Map now, so that an image the schema rejects fails at the source, under its error policy.
        event.getOldItem();
        event.getNewItem();
        out.collect(event);
    }

    @Override
    public TypeInformation<TypedChangeEvent<T>> getProducedType() {
        return new TypedChangeEventTypeInfo<>(schemaSupplier, itemClass);
    }
}
