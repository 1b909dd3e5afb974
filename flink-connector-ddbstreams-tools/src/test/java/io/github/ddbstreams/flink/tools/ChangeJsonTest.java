package io.github.ddbstreams.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddbstreams.flink.format.ChangeEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ChangeJsonTest {
    private static final String BIG = "12345678901234567890123456789.123456789";

    @Test
    void unwrapsEveryAttributeTypeKeepingNumbersExact() throws Exception {
        Map<String, AttributeValue> image =
                Map.of(
                        "pk", AttributeValue.fromS("k1"),
                        "n", AttributeValue.fromN(BIG),
                        "b", AttributeValue.fromB(SdkBytes.fromUtf8String("hi")),
                        "ok", AttributeValue.fromBool(true),
                        "nothing", AttributeValue.fromNul(true),
                        "m", AttributeValue.fromM(Map.of("x", AttributeValue.fromN("1E+3"))),
                        "l", AttributeValue.fromL(List.of(AttributeValue.fromS("a"))),
                        "ss", AttributeValue.fromSs(List.of("s1", "s2")),
                        "ns", AttributeValue.fromNs(List.of("1", "2.5")),
                        "bs", AttributeValue.fromBs(List.of(SdkBytes.fromUtf8String("x"))));
        ChangeEvent event =
                ChangeEvent.builder()
                        .streamArn("arn")
                        .shardId("shardId-1")
                        .sequenceNumber("42")
                        .eventName(ChangeEvent.EventName.INSERT)
                        .approximateCreationTime(Instant.parse("2025-01-01T00:00:00Z"))
                        .keys(Map.of("pk", AttributeValue.fromS("k1")))
                        .newImage(image)
                        .build();

        String line = ChangeJson.toLine(event);
        JsonNode json = new ObjectMapper().readTree(line);

        assertThat(line).doesNotContain("\n").contains("\"n\":" + BIG);
        assertThat(json.get("eventName").asText()).isEqualTo("INSERT");
        assertThat(json.has("oldImage")).isFalse();
        JsonNode n = json.get("newImage");
        assertThat(n.get("b").asText()).isEqualTo("aGk=");
        assertThat(n.get("ok").asBoolean()).isTrue();
        assertThat(n.get("nothing").isNull()).isTrue();
        assertThat(n.get("m").get("x").asInt()).isEqualTo(1000);
        assertThat(n.get("l").get(0).asText()).isEqualTo("a");
        assertThat(n.get("ss")).hasSize(2);
        assertThat(n.get("ns").get(1).decimalValue()).isEqualByComparingTo("2.5");
        assertThat(n.get("bs").get(0).asText()).isEqualTo("eA==");
        assertThat(json.get("sequenceNumber").asText()).isEqualTo("42");
    }
}
