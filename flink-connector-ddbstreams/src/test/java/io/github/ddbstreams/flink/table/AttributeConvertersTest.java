package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Every DynamoDB type into every Flink type it maps to, and both ways a conversion can fail. */
class AttributeConvertersTest {

    private static Object convert(DataType type, AttributeValue value) {
        return AttributeConverters.create(type.getLogicalType()).convert(value);
    }

    private static AttributeValue n(String number) {
        return AttributeValue.fromN(number);
    }

    private static AttributeValue s(String text) {
        return AttributeValue.fromS(text);
    }

    private static StringData str(String text) {
        return StringData.fromString(text);
    }

    @Test
    void missingAndNullAttributesAreNullForEveryType() {
        for (DataType type :
                List.of(
                        DataTypes.STRING(),
                        DataTypes.INT(),
                        DataTypes.DECIMAL(5, 2),
                        DataTypes.BYTES(),
                        DataTypes.BOOLEAN(),
                        DataTypes.ROW(DataTypes.FIELD("a", DataTypes.INT())),
                        DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()),
                        DataTypes.ARRAY(DataTypes.STRING()),
                        DataTypes.MULTISET(DataTypes.STRING()),
                        DataTypes.TIMESTAMP_LTZ(3))) {
            assertThat(convert(type, null)).as(type.toString()).isNull();
            assertThat(convert(type, AttributeValue.fromNul(true))).as(type.toString()).isNull();
        }
    }

    @Test
    void stringsFromSAndN() {
        assertThat(convert(DataTypes.STRING(), s("Zoë 🚀"))).isEqualTo(str("Zoë 🚀"));
        assertThat(convert(DataTypes.VARCHAR(3), s(""))).isEqualTo(str(""));
        assertThat(convert(DataTypes.CHAR(2), n("42"))).isEqualTo(str("42"));
    }

    @Test
    void integralNumbersWithTheirRanges() {
        assertThat(convert(DataTypes.TINYINT(), n("-128"))).isEqualTo((byte) -128);
        assertThat(convert(DataTypes.SMALLINT(), n("32767"))).isEqualTo((short) 32767);
        assertThat(convert(DataTypes.INT(), n("-7"))).isEqualTo(-7);
        assertThat(convert(DataTypes.BIGINT(), n("9223372036854775807"))).isEqualTo(Long.MAX_VALUE);
        // DynamoDB N is decimal text: exponent and trailing zeros still denote integers.
        assertThat(convert(DataTypes.INT(), n("1E+3"))).isEqualTo(1000);
        assertThat(convert(DataTypes.BIGINT(), n("7.00"))).isEqualTo(7L);

        assertThatThrownBy(() -> convert(DataTypes.TINYINT(), n("128")))
                .isInstanceOf(AttributeConversionException.class)
                .hasMessageContaining("'128'")
                .hasMessageContaining("out of the range of TINYINT");
        assertThatThrownBy(() -> convert(DataTypes.INT(), n("2147483648")))
                .hasMessageContaining("out of the range of INT");
        assertThatThrownBy(() -> convert(DataTypes.BIGINT(), n("9223372036854775808")))
                .hasMessageContaining("out of the range of BIGINT");
        assertThatThrownBy(() -> convert(DataTypes.SMALLINT(), n("1.5")))
                .hasMessageContaining("'1.5' has a fraction");
    }

    @Test
    void floatingPointNumbers() {
        assertThat(convert(DataTypes.DOUBLE(), n("-2.5E-3"))).isEqualTo(-0.0025d);
        assertThat(convert(DataTypes.FLOAT(), n("1.25"))).isEqualTo(1.25f);
        assertThatThrownBy(() -> convert(DataTypes.FLOAT(), n("1E+100")))
                .hasMessageContaining("out of the range of FLOAT");
        assertThat(convert(DataTypes.DOUBLE(), n("9.9E+125"))).isEqualTo(9.9E125);
    }

    @Test
    void decimalsFailOnOverflowAndOnLostDigits() {
        assertThat(convert(DataTypes.DECIMAL(10, 2), n("12345678.9")))
                .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("12345678.90"), 10, 2));
        assertThat(convert(DataTypes.DECIMAL(38, 18), n("12345678901234567890.123456789012345678")))
                .isEqualTo(
                        DecimalData.fromBigDecimal(
                                new BigDecimal("12345678901234567890.123456789012345678"), 38, 18));
        assertThatThrownBy(() -> convert(DataTypes.DECIMAL(10, 2), n("123456789")))
                .hasMessageContaining("'123456789'")
                .hasMessageContaining("out of the range of DECIMAL(10, 2)");
        assertThatThrownBy(() -> convert(DataTypes.DECIMAL(10, 2), n("1.005")))
                .hasMessageContaining("more than 2 fraction digits");
    }

    @Test
    void binaryBooleanAndTemporalTypes() {
        assertThat(
                        convert(
                                DataTypes.BYTES(),
                                AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1}))))
                .isEqualTo(new byte[] {0, -1});
        assertThat(convert(DataTypes.BOOLEAN(), AttributeValue.fromBool(false))).isEqualTo(false);
        assertThat(convert(DataTypes.DATE(), s("2024-02-29")))
                .isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(convert(DataTypes.TIME(3), s("10:15:30.250")))
                .isEqualTo((int) (LocalTime.of(10, 15, 30, 250_000_000).toNanoOfDay() / 1_000_000));
        assertThat(convert(DataTypes.TIMESTAMP(3), s("2024-05-01T12:00:00.5")))
                .isEqualTo(
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.of(2024, 5, 1, 12, 0, 0, 500_000_000)));
        assertThat(convert(DataTypes.TIMESTAMP_LTZ(3), s("2024-05-01T12:00:00Z")))
                .isEqualTo(TimestampData.fromInstant(Instant.parse("2024-05-01T12:00:00Z")));
        assertThat(convert(DataTypes.TIMESTAMP_LTZ(3), n("1714564800000")))
                .isEqualTo(TimestampData.fromEpochMillis(1714564800000L));
        assertThatThrownBy(() -> convert(DataTypes.DATE(), s("01/05/2024")))
                .hasMessageContaining("'01/05/2024' is not an ISO-8601 value of DATE");
    }

    @Test
    void mapsBecomeRowsByFieldNameOrMaps() {
        Map<String, AttributeValue> address = new LinkedHashMap<>();
        address.put("city", s("Lyon"));
        address.put("zip", n("69001"));
        address.put("ignored", s("x"));
        AttributeValue m = AttributeValue.fromM(address);

        DataType row =
                DataTypes.ROW(
                        DataTypes.FIELD("zip", DataTypes.INT()),
                        DataTypes.FIELD("city", DataTypes.STRING()),
                        DataTypes.FIELD("country", DataTypes.STRING()));
        assertThat(convert(row, m)).isEqualTo(GenericRowData.of(69001, str("Lyon"), null));

        DataType map = DataTypes.MAP(DataTypes.STRING(), DataTypes.STRING());
        Map<Object, Object> expected = new LinkedHashMap<>();
        expected.put(str("city"), str("Lyon"));
        expected.put(str("zip"), str("69001"));
        expected.put(str("ignored"), str("x"));
        assertThat(convert(map, m)).isEqualTo(new GenericMapData(expected));
    }

    @Test
    void listsAndSetsBecomeArraysOrMultisets() {
        AttributeValue list =
                AttributeValue.fromL(
                        List.of(
                                AttributeValue.fromM(Map.of("sku", s("a"), "qty", n("2"))),
                                AttributeValue.fromM(Map.of("sku", s("b")))));
        DataType items =
                DataTypes.ARRAY(
                        DataTypes.ROW(
                                DataTypes.FIELD("sku", DataTypes.STRING()),
                                DataTypes.FIELD("qty", DataTypes.INT())));
        assertThat(convert(items, list))
                .isEqualTo(
                        new GenericArrayData(
                                new Object[] {
                                    GenericRowData.of(str("a"), 2),
                                    GenericRowData.of(str("b"), null)
                                }));

        assertThat(
                        convert(
                                DataTypes.ARRAY(DataTypes.STRING()),
                                AttributeValue.fromSs(List.of("x", "y"))))
                .isEqualTo(new GenericArrayData(new Object[] {str("x"), str("y")}));
        assertThat(
                        convert(
                                DataTypes.ARRAY(DataTypes.BIGINT()),
                                AttributeValue.fromNs(List.of("1", "-3"))))
                .isEqualTo(new GenericArrayData(new Object[] {1L, -3L}));
        Object blobs =
                convert(
                        DataTypes.ARRAY(DataTypes.BYTES()),
                        AttributeValue.fromBs(List.of(SdkBytes.fromByteArray(new byte[] {9}))));
        assertThat(((GenericArrayData) blobs).getBinary(0)).isEqualTo(new byte[] {9});

        Map<Object, Object> counts = new LinkedHashMap<>();
        counts.put(str("a"), 2);
        counts.put(str("b"), 1);
        assertThat(
                        convert(
                                DataTypes.MULTISET(DataTypes.STRING()),
                                AttributeValue.fromL(List.of(s("a"), s("b"), s("a")))))
                .isEqualTo(new GenericMapData(counts));
        assertThat(
                        convert(
                                DataTypes.MULTISET(DataTypes.INT()),
                                AttributeValue.fromNs(List.of("5"))))
                .isEqualTo(new GenericMapData(Map.of(5, 1)));
    }

    @Test
    void typeMismatchesNameBothTypesAndTheNestedPosition() {
        assertThatThrownBy(() -> convert(DataTypes.INT(), s("7")))
                .isInstanceOf(AttributeConversionException.class)
                .hasMessage("DynamoDB type S does not convert to INT (expected N)");
        assertThatThrownBy(() -> convert(DataTypes.BOOLEAN(), n("1")))
                .hasMessage("DynamoDB type N does not convert to BOOLEAN (expected BOOL)");
        assertThatThrownBy(() -> convert(DataTypes.STRING(), AttributeValue.fromBool(true)))
                .hasMessageContaining("BOOL does not convert to STRING (expected S or N)");
        assertThatThrownBy(() -> convert(DataTypes.BYTES(), s("AAE=")))
                .hasMessageContaining("expected B");
        assertThatThrownBy(
                        () ->
                                convert(
                                        DataTypes.ARRAY(DataTypes.STRING()),
                                        AttributeValue.fromM(Map.of())))
                .hasMessageContaining("expected L, SS, NS or BS");

        DataType items = DataTypes.ARRAY(DataTypes.ROW(DataTypes.FIELD("qty", DataTypes.INT())));
        AttributeValue badQty =
                AttributeValue.fromL(
                        List.of(
                                AttributeValue.fromM(Map.of("qty", n("1"))),
                                AttributeValue.fromM(Map.of("qty", s("two")))));
        assertThatThrownBy(() -> convert(items, badQty))
                .hasMessage(
                        "element 1: field 'qty': DynamoDB type S does not convert to INT (expected"
                                + " N)");
        assertThatThrownBy(
                        () ->
                                convert(
                                        DataTypes.MAP(DataTypes.STRING(), DataTypes.INT()),
                                        AttributeValue.fromM(
                                                Map.of("k", AttributeValue.fromBool(true)))))
                .hasMessageStartingWith("key 'k': DynamoDB type BOOL");
    }

    @Test
    void itemConvertersSurviveJavaSerializationWithoutSerializedLambdas() throws Exception {
        // Serialized lambdas over SDK types cannot be read back once the SQL jar relocates the
        // SDK: an ItemConverter ships its column types and rebuilds its converters instead.
        assertThat(java.io.Serializable.class.isAssignableFrom(AttributeConverter.class)).isFalse();
        ItemConverter converter =
                new ItemConverter(
                        List.of("items"),
                        List.of("items"),
                        List.of(
                                DataTypes.ARRAY(
                                                DataTypes.ROW(
                                                        DataTypes.FIELD(
                                                                "d", DataTypes.DECIMAL(4, 1)),
                                                        DataTypes.FIELD(
                                                                "m",
                                                                DataTypes.MAP(
                                                                        DataTypes.STRING(),
                                                                        DataTypes.MULTISET(
                                                                                DataTypes
                                                                                        .STRING())))))
                                        .getLogicalType()),
                        true);
        ItemConverter copy = InstantiationUtil.clone(converter);
        Map<String, AttributeValue> item =
                Map.of(
                        "items",
                        AttributeValue.fromL(
                                List.of(
                                        AttributeValue.fromM(
                                                Map.of(
                                                        "d",
                                                        n("1.5"),
                                                        "m",
                                                        AttributeValue.fromM(
                                                                Map.of(
                                                                        "x",
                                                                        AttributeValue.fromSs(
                                                                                List.of(
                                                                                        "y")))))))));
        GenericRowData expected = new GenericRowData(1);
        GenericRowData actual = new GenericRowData(1);
        converter.convert(item, Map.of(), expected);
        copy.convert(item, Map.of(), actual);

        assertThat(copy.arity()).isEqualTo(1);
        assertThat(actual.getField(0)).isNotNull().isEqualTo(expected.getField(0));
    }
}
