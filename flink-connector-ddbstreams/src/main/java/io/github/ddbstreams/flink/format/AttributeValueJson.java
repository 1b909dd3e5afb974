package io.github.ddbstreams.flink.format;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes {@link AttributeValue}s through a Jackson {@link JsonGenerator}, either unwrapped (plain
 * JSON) or typed (DynamoDB JSON, the form DynamoDB's own API speaks).
 *
 * <p>Numbers stay exact: a plain number goes through {@link BigDecimal}, never {@code double},
 * which both keeps all 38 significant digits DynamoDB allows and turns any odd but legal DynamoDB
 * spelling (such as {@code ".5"}) into a valid JSON number. Typed numbers keep DynamoDB's string,
 * as DynamoDB JSON does. Binary is base64 (standard alphabet, padded, no line breaks).
 */
@Internal
final class AttributeValueJson {

    private AttributeValueJson() {}

    /** Writes an item or image as a plain JSON object, attributes in map order. */
    static void writePlainItem(Map<String, AttributeValue> item, JsonGenerator json)
            throws IOException {
        json.writeStartObject();
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            json.writeFieldName(attribute.getKey());
            writePlain(attribute.getValue(), json);
        }
        json.writeEndObject();
    }

    /** Writes an item or image as a DynamoDB JSON object: each value wrapped in its type. */
    static void writeTypedItem(Map<String, AttributeValue> item, JsonGenerator json)
            throws IOException {
        json.writeStartObject();
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            json.writeFieldName(attribute.getKey());
            writeTyped(attribute.getValue(), json);
        }
        json.writeEndObject();
    }

    static void writePlain(AttributeValue value, JsonGenerator json) throws IOException {
        switch (typeOf(value)) {
            case S:
                json.writeString(value.s());
                break;
            case N:
                json.writeNumber(exactNumber(value.n()));
                break;
            case B:
                writeBase64(value.b(), json);
                break;
            case BOOL:
                json.writeBoolean(value.bool());
                break;
            case NUL:
                json.writeNull();
                break;
            case M:
                writePlainItem(value.m(), json);
                break;
            case L:
                json.writeStartArray();
                for (AttributeValue element : value.l()) {
                    writePlain(element, json);
                }
                json.writeEndArray();
                break;
            case SS:
                writeStrings(value.ss(), json);
                break;
            case NS:
                json.writeStartArray();
                for (String number : value.ns()) {
                    json.writeNumber(exactNumber(number));
                }
                json.writeEndArray();
                break;
            case BS:
                writeBase64s(value.bs(), json);
                break;
            default:
                throw unsupported(value);
        }
    }

    static void writeTyped(AttributeValue value, JsonGenerator json) throws IOException {
        json.writeStartObject();
        switch (typeOf(value)) {
            case S:
                json.writeStringField("S", value.s());
                break;
            case N:
                json.writeStringField("N", value.n());
                break;
            case B:
                json.writeFieldName("B");
                writeBase64(value.b(), json);
                break;
            case BOOL:
                json.writeBooleanField("BOOL", value.bool());
                break;
            case NUL:
                json.writeBooleanField("NULL", value.nul());
                break;
            case M:
                json.writeFieldName("M");
                writeTypedItem(value.m(), json);
                break;
            case L:
                json.writeArrayFieldStart("L");
                for (AttributeValue element : value.l()) {
                    writeTyped(element, json);
                }
                json.writeEndArray();
                break;
            case SS:
                json.writeFieldName("SS");
                writeStrings(value.ss(), json);
                break;
            case NS:
                json.writeFieldName("NS");
                writeStrings(value.ns(), json);
                break;
            case BS:
                json.writeFieldName("BS");
                writeBase64s(value.bs(), json);
                break;
            default:
                throw unsupported(value);
        }
        json.writeEndObject();
    }

    private static AttributeValue.Type typeOf(AttributeValue value) {
        AttributeValue.Type type = value.type();
        if (type == null || type == AttributeValue.Type.UNKNOWN_TO_SDK_VERSION) {
            throw unsupported(value);
        }
        return type;
    }

    private static BigDecimal exactNumber(String number) {
        try {
            return new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Not a DynamoDB number: '" + number + "'", e);
        }
    }

    private static void writeStrings(List<String> strings, JsonGenerator json) throws IOException {
        json.writeStartArray();
        for (String s : strings) {
            json.writeString(s);
        }
        json.writeEndArray();
    }

    private static void writeBase64s(List<SdkBytes> values, JsonGenerator json) throws IOException {
        json.writeStartArray();
        for (SdkBytes bytes : values) {
            writeBase64(bytes, json);
        }
        json.writeEndArray();
    }

    private static void writeBase64(SdkBytes bytes, JsonGenerator json) throws IOException {
        // Jackson's default variant is standard base64 with padding and no line feeds; the
        // array is only read, so the SDK's internal one is safe to pass without a copy.
        json.writeBinary(bytes.asByteArrayUnsafe());
    }

    private static IllegalArgumentException unsupported(AttributeValue value) {
        return new IllegalArgumentException(
                "Cannot write an attribute value without exactly one known type as JSON: " + value);
    }
}
