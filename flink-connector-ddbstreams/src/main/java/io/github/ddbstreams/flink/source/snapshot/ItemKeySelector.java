package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.math.BigDecimal;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.java.functions.KeySelector;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The item a snapshot row or a change is about: its table and its key attributes, as one string, so
 * that an item's row and every change to it meet in one keyed state. Key attributes are strings,
 * numbers or binaries; numbers are compared by value ({@code 1} and {@code 1.0} are one item).
 */
@Internal
public final class ItemKeySelector implements KeySelector<ChangeEvent, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String getKey(ChangeEvent event) {
        return keyOf(event.getTableName(), event.getKeys());
    }

    /** {@code TABLE|name=S:value|name=N:value}, attributes in name order. */
    static String keyOf(String table, Map<String, AttributeValue> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException(
                    "A record of table " + table + " has no key attributes: cannot merge it");
        }
        StringBuilder key = new StringBuilder(table);
        for (Map.Entry<String, AttributeValue> attribute : new TreeMap<>(keys).entrySet()) {
            AttributeValue value = attribute.getValue();
            key.append('|').append(attribute.getKey()).append('=');
            if (value.s() != null) {
                key.append("S:").append(value.s());
            } else if (value.n() != null) {
                key.append("N:")
                        .append(new BigDecimal(value.n()).stripTrailingZeros().toPlainString());
            } else if (value.b() != null) {
                key.append("B:")
                        .append(
                                java.util.Base64.getEncoder()
                                        .encodeToString(value.b().asByteArray()));
            } else {
                throw new IllegalArgumentException(
                        "Key attribute "
                                + attribute.getKey()
                                + " of table "
                                + table
                                + " is not a string, number or binary: "
                                + value);
            }
        }
        return key.toString();
    }
}
