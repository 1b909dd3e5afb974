package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.format.typeutils.TypedChangeEventSerializer;
import java.util.Objects;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.function.SerializableSupplier;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;
import software.amazon.awssdk.enhanced.dynamodb.mapper.annotations.DynamoDbImmutable;

/**
 * Serializable recipes for {@link TableSchema}s, which are not serializable themselves. Named
 * classes rather than lambdas: they are written into savepoints (in {@link
 * TypedChangeEventSerializer}'s snapshot) and a lambda's serialized form breaks when its enclosing
 * class is recompiled. Their class names are therefore part of savepoints: do not rename them.
 */
@Internal
public final class TableSchemaSuppliers {

    private TableSchemaSuppliers() {}

    public static <T> SerializableSupplier<TableSchema<T>> bean(Class<T> beanClass) {
        return new FromBean<>(beanClass);
    }

    public static <T> SerializableSupplier<TableSchema<T>> immutable(Class<T> immutableClass) {
        return new FromImmutableClass<>(immutableClass);
    }

    /**
     * {@link #immutable} if the class is annotated {@code @DynamoDbImmutable}, else {@link #bean}.
     */
    public static <T> SerializableSupplier<TableSchema<T>> fromClass(Class<T> annotatedClass) {
        return annotatedClass.isAnnotationPresent(DynamoDbImmutable.class)
                ? immutable(annotatedClass)
                : bean(annotatedClass);
    }

    /** {@code TableSchema.fromBean}. */
    static final class FromBean<T> extends ForClass<T> {
        private static final long serialVersionUID = 1L;

        FromBean(Class<T> itemClass) {
            super(itemClass);
        }

        @Override
        public TableSchema<T> get() {
            return TableSchema.fromBean(itemClass);
        }
    }

    /** {@code TableSchema.fromImmutableClass}. */
    static final class FromImmutableClass<T> extends ForClass<T> {
        private static final long serialVersionUID = 1L;

        FromImmutableClass(Class<T> itemClass) {
            super(itemClass);
        }

        @Override
        public TableSchema<T> get() {
            return TableSchema.fromImmutableClass(itemClass);
        }
    }

    private abstract static class ForClass<T> implements SerializableSupplier<TableSchema<T>> {
        private static final long serialVersionUID = 1L;

        final Class<T> itemClass;

        ForClass(Class<T> itemClass) {
            this.itemClass = Objects.requireNonNull(itemClass, "itemClass");
        }

        @Override
        public boolean equals(Object o) {
            return o != null
                    && o.getClass() == getClass()
                    && ((ForClass<?>) o).itemClass == itemClass;
        }

        @Override
        public int hashCode() {
            return getClass().hashCode() * 31 + itemClass.hashCode();
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "(" + itemClass.getName() + ")";
        }
    }
}
