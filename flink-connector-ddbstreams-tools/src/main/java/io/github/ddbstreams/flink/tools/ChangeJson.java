package io.github.ddbstreams.flink.tools;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.ddbstreams.flink.format.ChangeEvent;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * One change event as one line of plain JSON: attribute types unwrapped, numbers exact (as JSON
 * numbers, never rounded through a double), binary as base64, sets as arrays. Absent images are
 * left out rather than written empty, so {@code jq 'has("oldImage")'} tells them apart.
 */
final class ChangeJson {
    // Exact decimals: a DynamoDB number has up to 38 digits, more than a double holds.
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final ObjectMapper MAPPER =
            new ObjectMapper().enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);

    private ChangeJson() {}

    static String toLine(ChangeEvent event) {
        ObjectNode node = NODES.objectNode();
        node.put("eventName", event.getEventName().name());
        if (event.getApproximateCreationTime() != null) {
            node.put("approximateCreationTime", event.getApproximateCreationTime().toString());
        }
        node.set("keys", image(event.getKeys()));
        if (event.hasOldImage()) {
            node.set("oldImage", image(event.getOldImage()));
        }
        if (event.hasNewImage()) {
            node.set("newImage", image(event.getNewImage()));
        }
        node.put("shardId", event.getShardId());
        node.put("sequenceNumber", event.getSequenceNumber());
        if (event.getEventId() != null) {
            node.put("eventId", event.getEventId());
        }
        node.put("ttlDelete", event.isTtlDelete());
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a JSON tree as text", e);
        }
    }

    static ObjectNode image(Map<String, AttributeValue> attributes) {
        ObjectNode node = NODES.objectNode();
        attributes.forEach((name, value) -> node.set(name, value(value)));
        return node;
    }

    static JsonNode value(AttributeValue value) {
        AttributeValue.Type type = value.type();
        if (type == null) {
            throw new IllegalArgumentException("Attribute value without a type: " + value);
        }
        switch (type) {
            case S:
                return NODES.textNode(value.s());
            case N:
                return NODES.numberNode(new BigDecimal(value.n()));
            case B:
                return NODES.textNode(base64(value.b()));
            case BOOL:
                return NODES.booleanNode(value.bool());
            case NUL:
                return NODES.nullNode();
            case M:
                return image(value.m());
            case L:
                ArrayNode list = NODES.arrayNode();
                value.l().forEach(v -> list.add(value(v)));
                return list;
            case SS:
                ArrayNode strings = NODES.arrayNode();
                value.ss().forEach(strings::add);
                return strings;
            case NS:
                ArrayNode numbers = NODES.arrayNode();
                value.ns().forEach(n -> numbers.add(new BigDecimal(n)));
                return numbers;
            case BS:
                ArrayNode binaries = NODES.arrayNode();
                value.bs().forEach(b -> binaries.add(base64(b)));
                return binaries;
            default:
                throw new IllegalArgumentException("Attribute value of unknown type: " + value);
        }
    }

    private static String base64(SdkBytes bytes) {
        return Base64.getEncoder().encodeToString(bytes.asByteArrayUnsafe());
    }
}
