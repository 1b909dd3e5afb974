package io.github.ddbstreams.flink.table;

import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Converts one DynamoDB attribute value into Flink's internal data structure for one logical type
 * (e.g. {@code StringData} for STRING, {@code DecimalData} for DECIMAL). Built once per schema by
 * {@link AttributeConverters}. Deliberately not serializable: {@link ItemConverter} ships column
 * types and rebuilds its converters after deserialization, because serialized lambdas over SDK
 * types break once the SDK is relocated in the SQL jar.
 */
@Internal
@FunctionalInterface
interface AttributeConverter {

    /**
     * Returns the internal value, or null for a missing or NULL attribute.
     *
     * @throws AttributeConversionException if the value does not fit the type
     */
    @Nullable
    Object convert(@Nullable AttributeValue value);
}
