package io.github.ddbstreams.flink.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class AttributeValueCodecTest {

    @Test
    void everyTypeRoundTripsInsideAMap() throws IOException {
        Map<String, AttributeValue> item = SampleRecords.itemWithEveryType("pk", 1);

        Map<String, AttributeValue> read = roundTripMap(item);

        assertThat(read).isEqualTo(item);
        // Order is kept, so serialized bytes are deterministic.
        assertThat(read.keySet()).containsExactlyElementsOf(item.keySet());
        for (Map.Entry<String, AttributeValue> entry : item.entrySet()) {
            assertThat(read.get(entry.getKey()).type())
                    .as(entry.getKey())
                    .isEqualTo(entry.getValue().type());
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {"0", "-0", "1.000", "1E+2", "9.9999999999999999999999999999999999999E+125"})
    void numbersStayExactStrings(String number) throws IOException {
        assertThat(roundTrip(AttributeValue.fromN(number)).n()).isEqualTo(number);
    }

    @Test
    void emptyCollectionsKeepTheirType() throws IOException {
        for (AttributeValue value :
                List.of(
                        AttributeValue.fromL(List.of()),
                        AttributeValue.fromM(Map.of()),
                        AttributeValue.fromSs(List.of()),
                        AttributeValue.fromS(""),
                        AttributeValue.fromB(SdkBytes.fromByteArray(new byte[0])))) {
            AttributeValue read = roundTrip(value);
            assertThat(read).isEqualTo(value);
            assertThat(read.type()).isEqualTo(value.type());
        }
    }

    @Test
    void deepNestingRoundTrips() throws IOException {
        // DynamoDB allows 32 levels of nesting.
        AttributeValue value = AttributeValue.fromS("leaf");
        for (int i = 0; i < 32; i++) {
            value =
                    i % 2 == 0
                            ? AttributeValue.fromL(List.of(value))
                            : AttributeValue.fromM(Map.of("m", value));
        }

        assertThat(roundTrip(value)).isEqualTo(value);
    }

    @Test
    void longListsUseMultiByteLengths() throws IOException {
        List<String> many =
                java.util.stream.IntStream.range(0, 20_000).mapToObj(Integer::toString).toList();
        AttributeValue value = AttributeValue.fromNs(many);

        assertThat(roundTrip(value)).isEqualTo(value);
    }

    @Test
    void encodingIsCompact() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        AttributeValueCodec.write(AttributeValue.fromBool(true), out);
        AttributeValueCodec.write(AttributeValue.fromNul(true), out);
        AttributeValueCodec.write(AttributeValue.fromN("7"), out);

        // One tag byte each, plus Flink's string encoding of "7" (length byte + char).
        assertThat(out.length()).isEqualTo(1 + 1 + 3);
    }

    @Test
    void rejectsValuesDynamoDbNeverProduces() {
        DataOutputSerializer out = new DataOutputSerializer(16);

        assertThatThrownBy(() -> AttributeValueCodec.write(AttributeValue.builder().build(), out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AttributeValueCodec.write(AttributeValue.fromNul(false), out))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsUnknownTag() {
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {42});

        assertThatThrownBy(() -> AttributeValueCodec.read(in))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("42");
    }

    @Test
    void rejectsOverlongLength() {
        // A fifth varint byte may not carry more than the top 3 bits of an int.
        DataInputDeserializer in = new DataInputDeserializer(new byte[] {7, -1, -1, -1, -1, 0x0F});

        assertThatThrownBy(() -> AttributeValueCodec.read(in))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Malformed");
    }

    private static AttributeValue roundTrip(AttributeValue value) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        AttributeValueCodec.write(value, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        AttributeValue read = AttributeValueCodec.read(in);
        assertThat(in.available()).isZero();
        return read;
    }

    private static Map<String, AttributeValue> roundTripMap(Map<String, AttributeValue> map)
            throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        AttributeValueCodec.writeMap(map, out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        Map<String, AttributeValue> read = AttributeValueCodec.readMap(in);
        assertThat(in.available()).isZero();
        return read;
    }
}
