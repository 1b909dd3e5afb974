package io.github.ddbstreams.flink.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ItemSizesTest {

    @Test
    void namesAndScalarValuesCountAsDynamoDbCountsThem() {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS("héllo")); // 2 + 6 UTF-8 bytes
        item.put("n", AttributeValue.fromN("12345")); // 1 + (5 digits + 1) / 2 + 1 = 1 + 4
        item.put("small", AttributeValue.fromN("-1.50")); // 5 + (2 digits "15" + 1) / 2 + 1 = 5 + 2
        item.put("b", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[10]))); // 1 + 10
        item.put("ok", AttributeValue.fromBool(true)); // 2 + 1
        item.put("none", AttributeValue.fromNul(true)); // 4 + 1

        assertThat(ItemSizes.of(item)).isEqualTo(8 + 5 + 7 + 11 + 3 + 5);
    }

    @Test
    void listsAndMapsAddThreeBytesAndOnePerElement() {
        Map<String, AttributeValue> item =
                Map.of(
                        "l",
                        AttributeValue.fromL(
                                List.of(AttributeValue.fromS("a"), AttributeValue.fromS("bc"))),
                        "m",
                        AttributeValue.fromM(Map.of("x", AttributeValue.fromS("y"))),
                        "ss",
                        AttributeValue.fromSs(List.of("ab", "c")));

        // l: 1 + 3 + 2 + (1 + 2); m: 1 + 3 + 1 + (1 + 1); ss: 2 + (2 + 1)
        assertThat(ItemSizes.of(item)).isEqualTo(9 + 7 + 5);
    }
}
