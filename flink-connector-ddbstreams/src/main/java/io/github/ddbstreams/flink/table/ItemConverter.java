package io.github.ddbstreams.flink.table;

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
 */
@Internal
final class ItemConverter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String[] columns;
    private final String[] attributes;
    private final String[] typeNames;
    private final AttributeConverter[] converters;
    private final boolean failOnError;

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
        this.typeNames = new String[types.size()];
        this.converters = new AttributeConverter[types.size()];
        for (int i = 0; i < converters.length; i++) {
            typeNames[i] = types.get(i).asSummaryString();
            try {
                converters[i] = AttributeConverters.create(types.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "Column '" + columns.get(i) + "': " + e.getMessage(), e);
            }
        }
        this.failOnError = failOnError;
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
