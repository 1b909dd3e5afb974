package io.github.ddbstreams.flink.format;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * An item's size as DynamoDB counts it (attribute names and values: strings and binaries by their
 * bytes, numbers at about one byte per two significant digits plus one, booleans and nulls one
 * byte, lists and maps three bytes plus one per element): what a snapshot row reports as its {@code
 * SizeBytes}, as a stream record does. An estimate within a few bytes per attribute, not a bill.
 */
@Internal
public final class ItemSizes {

    private ItemSizes() {}

    /** The size of {@code item}: its attributes' names and values. */
    public static long of(Map<String, AttributeValue> item) {
        long size = 0;
        for (Map.Entry<String, AttributeValue> attribute : item.entrySet()) {
            size += utf8(attribute.getKey()) + valueSize(attribute.getValue());
        }
        return size;
    }

    private static long valueSize(AttributeValue value) {
        if (value.s() != null) {
            return utf8(value.s());
        }
        if (value.n() != null) {
            return numberSize(value.n());
        }
        if (value.b() != null) {
            return value.b().asByteArrayUnsafe().length;
        }
        if (value.bool() != null || Boolean.TRUE.equals(value.nul())) {
            return 1;
        }
        if (value.hasSs()) {
            return value.ss().stream().mapToLong(ItemSizes::utf8).sum();
        }
        if (value.hasNs()) {
            return value.ns().stream().mapToLong(ItemSizes::numberSize).sum();
        }
        if (value.hasBs()) {
            return value.bs().stream().mapToLong(b -> b.asByteArrayUnsafe().length).sum();
        }
        if (value.hasL()) {
            List<AttributeValue> list = value.l();
            long size = 3 + list.size();
            for (AttributeValue element : list) {
                size += valueSize(element);
            }
            return size;
        }
        if (value.hasM()) {
            return 3 + value.m().size() + of(value.m());
        }
        return 0;
    }

    private static long numberSize(String number) {
        String digits =
                new BigDecimal(number).stripTrailingZeros().unscaledValue().abs().toString();
        return (digits.length() + 1) / 2 + 1;
    }

    private static long utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }
}
