package io.github.ddbstreams.flink.testutils;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Parses DynamoDB JSON (typed, {@code {"S": "x"}}) back into SDK attribute values, independently of
 * the connector's writer, so tests can check that writing loses nothing.
 */
public final class DynamoDbJsonReader {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private DynamoDbJsonReader() {}

    /** Parses a JSON object of typed attribute values. */
    public static Map<String, AttributeValue> readItem(String json) {
        try {
            return item(MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Converts an already parsed JSON object of typed attribute values. */
    public static Map<String, AttributeValue> item(JsonNode object) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            item.put(field.getKey(), value(field.getValue()));
        }
        return item;
    }

    private static AttributeValue value(JsonNode typed) {
        if (typed.size() != 1) {
            throw new IllegalArgumentException("Not one typed value: " + typed);
        }
        String type = typed.fieldNames().next();
        JsonNode v = typed.get(type);
        switch (type) {
            case "S":
                return AttributeValue.fromS(text(v));
            case "N":
                return AttributeValue.fromN(text(v));
            case "B":
                return AttributeValue.fromB(bytes(v));
            case "BOOL":
                return AttributeValue.fromBool(v.booleanValue());
            case "NULL":
                return AttributeValue.fromNul(v.booleanValue());
            case "M":
                return AttributeValue.fromM(item(v));
            case "L":
                {
                    List<AttributeValue> list = new ArrayList<>();
                    v.forEach(element -> list.add(value(element)));
                    return AttributeValue.fromL(list);
                }
            case "SS":
                return AttributeValue.fromSs(texts(v));
            case "NS":
                return AttributeValue.fromNs(texts(v));
            case "BS":
                {
                    List<SdkBytes> list = new ArrayList<>();
                    v.forEach(element -> list.add(bytes(element)));
                    return AttributeValue.fromBs(list);
                }
            default:
                throw new IllegalArgumentException("Unknown type " + type);
        }
    }

    private static String text(JsonNode node) {
        if (!node.isTextual()) {
            throw new IllegalArgumentException("Expected a JSON string: " + node);
        }
        return node.textValue();
    }

    private static List<String> texts(JsonNode array) {
        List<String> list = new ArrayList<>();
        array.forEach(element -> list.add(text(element)));
        return list;
    }

    private static SdkBytes bytes(JsonNode node) {
        return SdkBytes.fromByteArray(Base64.getDecoder().decode(text(node)));
    }
}
