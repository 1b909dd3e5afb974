package io.github.ddbstreams.flink.table;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.LogicalType;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Converts a DynamoDB item (an image or the keys of a stream record) into the physical columns of a
 * row: each column reads the attribute it is mapped to, through a converter built once for the
 * column's type. Only the columns the query reads (after projection push-down) are converted.
 *
 * <p>It travels to the task managers by Java serialization as column types, and rebuilds its
 * converters there: converters are lambdas over SDK types, and a serialized lambda whose signature
 * names an SDK type cannot be deserialized once the SDK is relocated in the SQL jar (the shade
 * plugin does not rewrite {@code $deserializeLambda$}, MSHADE-260).
 */
@Internal
final class ItemConverter implements Serializable {
    private static final long serialVersionUID = 2L;

    private final String[] columns;
    private final String[] attributes;
    private final LogicalType[] types;
    private final String[] typeNames;
    private final boolean failOnError;
    private transient AttributeConverter[] converters;

    /**
     * @param columns the column names, in row order
     * @param attributes the attribute each column reads, parallel to {@code columns}
     * @param types the column types, parallel to {@code columns}
     * @param failOnError whether a value that does not fit fails (else the column becomes NULL)
     * @throws IllegalArgumentException naming the column if a type has no DynamoDB counterpart
     */
    ItemConverter(
            List<String> columns,
            List<String> attributes,
            List<LogicalType> types,
            boolean failOnError) {
        this.columns = columns.toArray(new String[0]);
        this.attributes = attributes.toArray(new String[0]);
        this.types = types.toArray(new LogicalType[0]);
        this.typeNames = new String[types.size()];
        for (int i = 0; i < typeNames.length; i++) {
            typeNames[i] = types.get(i).asSummaryString();
        }
        this.failOnError = failOnError;
        // Built here too, so that an unsupported type fails when the query is planned.
        this.converters = createConverters();
    }

    private AttributeConverter[] createConverters() {
        AttributeConverter[] result = new AttributeConverter[types.length];
        for (int i = 0; i < result.length; i++) {
            try {
                result[i] = AttributeConverters.create(types[i]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Column '" + columns[i] + "': " + e.getMessage(), e);
            }
        }
        return result;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        converters = createConverters();
    }

    /** The number of physical columns this converter fills, from position 0. */
    int arity() {
        return converters.length;
    }

    /**
     * Fills positions {@code 0..arity()-1} of {@code row} from {@code item}.
     *
     * @param keys the record's key attributes, named in error messages
     * @return how many columns were set to NULL because their value did not fit (always 0 when
     *     failing on errors)
     */
    int convert(
            @Nullable Map<String, AttributeValue> item,
            Map<String, AttributeValue> keys,
            GenericRowData row) {
        int errors = 0;
        for (int i = 0; i < converters.length; i++) {
            AttributeValue value = item == null ? null : item.get(attributes[i]);
            try {
                row.setField(i, converters[i].convert(value));
            } catch (AttributeConversionException | NumberFormatException e) {
                if (failOnError) {
                    throw new IllegalArgumentException(describe(i, keys, e), e);
                }
                row.setField(i, null);
                errors++;
            }
        }
        return errors;
    }

    private String describe(int column, Map<String, AttributeValue> keys, Exception cause) {
        String detail =
                cause instanceof NumberFormatException
                        ? "not a number: " + cause.getMessage()
                        : cause.getMessage();
        return "Cannot convert attribute '"
                + attributes[column]
                + "' of the item with key "
                + renderKey(keys)
                + " to column '"
                + columns[column]
                + "' of type "
                + typeNames[column]
                + ": "
                + detail
                + ". Fix the column type, or set '"
                + DynamoDbStreamsTableOptions.CONVERSION_ON_ERROR.key()
                + "' = 'null' to read NULL instead.";
    }

    /** {@code {pk=S:o-1, sk=N:7}}: the key attributes with their DynamoDB types. */
    static String renderKey(Map<String, AttributeValue> keys) {
        StringBuilder sb = new StringBuilder("{");
        for (Map.Entry<String, AttributeValue> key : keys.entrySet()) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            AttributeValue value = key.getValue();
            sb.append(key.getKey()).append('=').append(value.type()).append(':');
            switch (value.type()) {
                case S:
                    sb.append(value.s());
                    break;
                case N:
                    sb.append(value.n());
                    break;
                case B:
                    sb.append(
                            java.util.Base64.getEncoder().encodeToString(value.b().asByteArray()));
                    break;
                default:
                    sb.append(value);
            }
        }
        return sb.append('}').toString();
    }
}
