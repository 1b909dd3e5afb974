package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Formats a change event as one readable line, with attribute values in a compact JSON-like form.
 */
final class ChangeLines {

    private ChangeLines() {}

    static String format(ChangeEvent event, int subtask) {
        StringBuilder line = new StringBuilder(160);
        line.append(subtask).append("> ");
        line.append(String.format("%-6s", event.getEventName()));
        if (event.isTtlDelete()) {
            line.append(" (TTL)");
        }
        line.append(" keys=");
        appendMap(line, event.getKeys());
        if (event.hasNewImage()) {
            line.append(" new=");
            appendMap(line, keysFirst(event.getNewImage(), event.getKeys()));
        } else if (event.hasOldImage()) {
            line.append(" old=");
            appendMap(line, keysFirst(event.getOldImage(), event.getKeys()));
        }
        line.append(" shard=").append(event.getShardId());
        if (event.getSequenceNumber() != null) {
            line.append(" seq=").append(event.getSequenceNumber()); // a snapshot row has none
        }
        return line.toString();
    }

    /** The image with its key attributes first, then the others by name: easy to scan. */
    private static Map<String, AttributeValue> keysFirst(
            Map<String, AttributeValue> image, Map<String, AttributeValue> keys) {
        Map<String, AttributeValue> ordered = new LinkedHashMap<>();
        for (String key : keys.keySet()) {
            if (image.containsKey(key)) {
                ordered.put(key, image.get(key));
            }
        }
        new TreeMap<>(image).forEach(ordered::putIfAbsent);
        return ordered;
    }

    private static void appendMap(StringBuilder out, Map<String, AttributeValue> map) {
        out.append('{');
        for (Iterator<Map.Entry<String, AttributeValue>> it = map.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, AttributeValue> entry = it.next();
            out.append(entry.getKey()).append('=');
            appendValue(out, entry.getValue());
            if (it.hasNext()) {
                out.append(", ");
            }
        }
        out.append('}');
    }

    private static void appendValue(StringBuilder out, AttributeValue value) {
        switch (value.type()) {
            case S:
                out.append(value.s());
                break;
            case N:
                out.append(value.n());
                break;
            case BOOL:
                out.append(value.bool());
                break;
            case NUL:
                out.append("null");
                break;
            case M:
                appendMap(out, value.m());
                break;
            case L:
                appendList(out, value.l());
                break;
            case SS:
                out.append(value.ss());
                break;
            case NS:
                out.append(value.ns());
                break;
            case B:
                out.append("<").append(value.b().asByteArrayUnsafe().length).append(" bytes>");
                break;
            default:
                // Binary sets and types newer than this formatter: the SDK's own rendering.
                out.append(value);
        }
    }

    private static void appendList(StringBuilder out, List<AttributeValue> list) {
        out.append('[');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                out.append(", ");
            }
            appendValue(out, list.get(i));
        }
        out.append(']');
    }
}
