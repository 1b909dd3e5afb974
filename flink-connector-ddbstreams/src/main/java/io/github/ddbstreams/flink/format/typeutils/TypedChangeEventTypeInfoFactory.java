package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.TableSchemaSuppliers;
import io.github.ddbstreams.flink.format.TypedChangeEvent;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.InvalidTypesException;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Lets Flink's type extraction (a {@code TypeHint}, a lambda returning {@code
 * TypedChangeEvent<Order>}) find {@link TypedChangeEventTypeInfo} when the item class is annotated
 * {@code @DynamoDbBean} or {@code @DynamoDbImmutable}: the schema is then {@code
 * TableSchema.fromImmutableClass} or {@code TableSchema.fromBean}. Items of static schemas need the
 * deserializer's {@code getProducedType()} passed explicitly ({@code .returns(...)}).
 */
@Internal
public final class TypedChangeEventTypeInfoFactory<T> extends TypeInfoFactory<TypedChangeEvent<T>> {

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<TypedChangeEvent<T>> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        Class<T> itemClass = null;
        TypeInformation<?> item = genericParameters.get("T");
        if (item != null) {
            itemClass = (Class<T>) item.getTypeClass();
        } else if (t instanceof ParameterizedType
                && ((ParameterizedType) t).getActualTypeArguments()[0] instanceof Class) {
            itemClass = (Class<T>) ((ParameterizedType) t).getActualTypeArguments()[0];
        }
        if (itemClass == null) {
            throw new InvalidTypesException(
                    "The item type of TypedChangeEvent is unknown here; pass the deserializer's"
                            + " getProducedType() explicitly");
        }
        return new TypedChangeEventTypeInfo<>(TableSchemaSuppliers.fromClass(itemClass), itemClass);
    }
}
