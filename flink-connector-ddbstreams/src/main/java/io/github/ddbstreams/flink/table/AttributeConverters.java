package io.github.ddbstreams.flink.table;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.MapType;
import org.apache.flink.table.types.logical.MultisetType;
import org.apache.flink.table.types.logical.RowType;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Builds the {@link AttributeConverter} of a logical type, once per schema. Unsupported types fail
 * here, when the table is planned, not on the first record.
 *
 * <p>Mapping: S to CHAR/VARCHAR (N too, as its decimal text), DATE, TIME, TIMESTAMP and
 * TIMESTAMP_LTZ (ISO-8601 text); N to TINYINT..BIGINT, FLOAT, DOUBLE, DECIMAL, and to TIMESTAMP /
 * TIMESTAMP_LTZ as epoch milliseconds; B to BINARY/VARBINARY; BOOL to BOOLEAN; M to ROW (fields by
 * name) and MAP with string keys; L to ARRAY and MULTISET; SS/NS/BS to ARRAY and MULTISET. NULL and
 * missing attributes give SQL NULL for every type.
 */
@Internal
final class AttributeConverters {

    private AttributeConverters() {}

    /** The converter of {@code type}; handles missing and NULL attributes. */
    static AttributeConverter create(LogicalType type) {
        AttributeConverter present = createForPresent(type);
        return value ->
                value == null || value.type() == AttributeValue.Type.NUL
                        ? null
                        : present.convert(value);
    }

    private static AttributeConverter createForPresent(LogicalType type) {
        String typeName = type.asSummaryString();
        switch (type.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                return value -> {
                    if (value.type() == AttributeValue.Type.S) {
                        return StringData.fromString(value.s());
                    }
                    if (value.type() == AttributeValue.Type.N) {
                        return StringData.fromString(value.n());
                    }
                    throw mismatch(value, "S or N", typeName);
                };
            case BOOLEAN:
                return value -> {
                    if (value.type() != AttributeValue.Type.BOOL) {
                        throw mismatch(value, "BOOL", typeName);
                    }
                    return value.bool();
                };
            case TINYINT:
                return value -> (byte) integral(value, Byte.MIN_VALUE, Byte.MAX_VALUE, typeName);
            case SMALLINT:
                return value -> (short) integral(value, Short.MIN_VALUE, Short.MAX_VALUE, typeName);
            case INTEGER:
                return value ->
                        (int) integral(value, Integer.MIN_VALUE, Integer.MAX_VALUE, typeName);
            case BIGINT:
                return value -> integral(value, Long.MIN_VALUE, Long.MAX_VALUE, typeName);
            case FLOAT:
                return value -> {
                    float f = Float.parseFloat(number(value, typeName));
                    if (Float.isInfinite(f)) {
                        throw outOfRange(value, typeName);
                    }
                    return f;
                };
            case DOUBLE:
                return value -> {
                    double d = Double.parseDouble(number(value, typeName));
                    if (Double.isInfinite(d)) {
                        throw outOfRange(value, typeName);
                    }
                    return d;
                };
            case DECIMAL:
                return decimal((DecimalType) type);
            case BINARY:
            case VARBINARY:
                return value -> {
                    if (value.type() != AttributeValue.Type.B) {
                        throw mismatch(value, "B", typeName);
                    }
                    return value.b().asByteArray();
                };
            case DATE:
                return value -> (int) parseText(value, typeName, LocalDate::parse).toEpochDay();
            case TIME_WITHOUT_TIME_ZONE:
                return value ->
                        (int)
                                (parseText(value, typeName, LocalTime::parse).toNanoOfDay()
                                        / 1_000_000);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                return value ->
                        value.type() == AttributeValue.Type.N
                                ? TimestampData.fromEpochMillis(
                                        integral(value, Long.MIN_VALUE, Long.MAX_VALUE, typeName))
                                : TimestampData.fromLocalDateTime(
                                        parseText(value, typeName, LocalDateTime::parse));
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return value ->
                        value.type() == AttributeValue.Type.N
                                ? TimestampData.fromEpochMillis(
                                        integral(value, Long.MIN_VALUE, Long.MAX_VALUE, typeName))
                                : TimestampData.fromInstant(
                                        parseText(value, typeName, Instant::parse));
            case ROW:
                return row((RowType) type);
            case MAP:
                return map((MapType) type);
            case ARRAY:
                return array(((ArrayType) type).getElementType(), typeName);
            case MULTISET:
                return multiset(((MultisetType) type).getElementType(), typeName);
            default:
                throw new IllegalArgumentException(
                        "The type "
                                + typeName
                                + " has no DynamoDB counterpart; use STRING, a numeric type, "
                                + "DECIMAL, BOOLEAN, BYTES, DATE, TIME, TIMESTAMP, TIMESTAMP_LTZ, "
                                + "ROW, MAP<STRING, ...>, ARRAY or MULTISET.");
        }
    }

    private static AttributeConverter decimal(DecimalType type) {
        int precision = type.getPrecision();
        int scale = type.getScale();
        String typeName = type.asSummaryString();
        return value -> {
            String text = number(value, typeName);
            BigDecimal exact;
            try {
                exact = new BigDecimal(text).setScale(scale);
            } catch (ArithmeticException e) {
                throw new AttributeConversionException(
                        "N value '"
                                + text
                                + "' has more than "
                                + scale
                                + " fraction digits and does not fit "
                                + typeName
                                + " without rounding");
            }
            if (exact.precision() > precision) {
                throw outOfRange(value, typeName);
            }
            return DecimalData.fromBigDecimal(exact, precision, scale);
        };
    }

    private static AttributeConverter row(RowType type) {
        List<RowType.RowField> fields = type.getFields();
        String[] names = new String[fields.size()];
        AttributeConverter[] converters = new AttributeConverter[fields.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = fields.get(i).getName();
            converters[i] = create(fields.get(i).getType());
        }
        String typeName = type.asSummaryString();
        return value -> {
            if (value.type() != AttributeValue.Type.M) {
                throw mismatch(value, "M", typeName);
            }
            Map<String, AttributeValue> map = value.m();
            GenericRowData row = new GenericRowData(names.length);
            for (int i = 0; i < names.length; i++) {
                try {
                    row.setField(i, converters[i].convert(map.get(names[i])));
                } catch (AttributeConversionException e) {
                    throw e.within("field '" + names[i] + "'");
                }
            }
            return row;
        };
    }

    private static AttributeConverter map(MapType type) {
        LogicalTypeRoot keyRoot = type.getKeyType().getTypeRoot();
        if (keyRoot != LogicalTypeRoot.VARCHAR && keyRoot != LogicalTypeRoot.CHAR) {
            throw new IllegalArgumentException(
                    "The type "
                            + type.asSummaryString()
                            + " has no DynamoDB counterpart: the keys of a DynamoDB map (M) are"
                            + " strings, so use MAP<STRING, ...>.");
        }
        AttributeConverter values = create(type.getValueType());
        String typeName = type.asSummaryString();
        return value -> {
            if (value.type() != AttributeValue.Type.M) {
                throw mismatch(value, "M", typeName);
            }
            Map<Object, Object> result = new LinkedHashMap<>();
            for (Map.Entry<String, AttributeValue> entry : value.m().entrySet()) {
                try {
                    result.put(
                            StringData.fromString(entry.getKey()),
                            values.convert(entry.getValue()));
                } catch (AttributeConversionException e) {
                    throw e.within("key '" + entry.getKey() + "'");
                }
            }
            return new GenericMapData(result);
        };
    }

    private static AttributeConverter array(LogicalType elementType, String typeName) {
        AttributeConverter elements = create(elementType);
        return value -> {
            List<AttributeValue> items = elementsOf(value, typeName);
            Object[] result = new Object[items.size()];
            for (int i = 0; i < result.length; i++) {
                result[i] = element(elements, items, i);
            }
            return new GenericArrayData(result);
        };
    }

    private static AttributeConverter multiset(LogicalType elementType, String typeName) {
        AttributeConverter elements = create(elementType);
        return value -> {
            List<AttributeValue> items = elementsOf(value, typeName);
            Map<Object, Object> counts = new LinkedHashMap<>();
            for (int i = 0; i < items.size(); i++) {
                counts.merge(element(elements, items, i), 1, (a, b) -> (Integer) a + (Integer) b);
            }
            return new GenericMapData(counts);
        };
    }

    private static Object element(AttributeConverter elements, List<AttributeValue> items, int i) {
        try {
            return elements.convert(items.get(i));
        } catch (AttributeConversionException e) {
            throw e.within("element " + i);
        }
    }

    /** The members of an L, SS, NS or BS value; set members become S, N or B values. */
    private static List<AttributeValue> elementsOf(AttributeValue value, String typeName) {
        switch (value.type()) {
            case L:
                return value.l();
            case SS:
                return value.ss().stream().map(AttributeValue::fromS).toList();
            case NS:
                return value.ns().stream().map(AttributeValue::fromN).toList();
            case BS:
                return value.bs().stream().map((SdkBytes b) -> AttributeValue.fromB(b)).toList();
            default:
                throw mismatch(value, "L, SS, NS or BS", typeName);
        }
    }

    private static String number(AttributeValue value, String typeName) {
        if (value.type() != AttributeValue.Type.N) {
            throw mismatch(value, "N", typeName);
        }
        return value.n();
    }

    private static long integral(AttributeValue value, long min, long max, String typeName) {
        String text = number(value, typeName);
        long result;
        try {
            result = Long.parseLong(text);
        } catch (NumberFormatException notALong) {
            // DynamoDB keeps numbers as decimal text: "1E+3", "7.0" or 40 digits are all valid N.
            BigDecimal exact = new BigDecimal(text);
            if (exact.stripTrailingZeros().scale() > 0) {
                throw new AttributeConversionException(
                        "N value '" + text + "' has a fraction and does not fit " + typeName);
            }
            try {
                result = exact.longValueExact();
            } catch (ArithmeticException tooBig) {
                throw outOfRange(value, typeName);
            }
        }
        if (result < min || result > max) {
            throw outOfRange(value, typeName);
        }
        return result;
    }

    private static <V> V parseText(
            AttributeValue value, String typeName, java.util.function.Function<String, V> parser) {
        if (value.type() != AttributeValue.Type.S) {
            throw mismatch(value, "S", typeName);
        }
        try {
            return parser.apply(value.s());
        } catch (DateTimeParseException e) {
            throw new AttributeConversionException(
                    "S value '" + value.s() + "' is not an ISO-8601 value of " + typeName);
        }
    }

    private static AttributeConversionException outOfRange(AttributeValue value, String typeName) {
        return new AttributeConversionException(
                "N value '" + value.n() + "' is out of the range of " + typeName);
    }

    private static AttributeConversionException mismatch(
            AttributeValue value, String expected, String typeName) {
        return new AttributeConversionException(
                "DynamoDB type "
                        + value.type()
                        + " does not convert to "
                        + typeName
                        + " (expected "
                        + expected
                        + ")");
    }
}
