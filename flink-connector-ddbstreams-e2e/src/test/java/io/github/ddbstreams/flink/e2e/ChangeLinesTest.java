package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class ChangeLinesTest {

    private static final Map<String, AttributeValue> KEYS = Map.of("pk", AttributeValue.fromS("a"));

    private static ChangeEvent.Builder event(EventName name) {
        return ChangeEvent.builder()
                .streamArn("arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/x")
                .shardId("shardId-1")
                .sequenceNumber("42")
                .eventName(name)
                .keys(KEYS);
    }

    @Test
    void insertShowsTheNewImageKeysFirstThenByName() {
        ChangeEvent insert =
                event(EventName.INSERT)
                        .newImage(
                                Map.of(
                                        "zeta", AttributeValue.fromN("7"),
                                        "alpha", AttributeValue.fromBool(true),
                                        "pk", AttributeValue.fromS("a"),
                                        "tags",
                                                AttributeValue.fromL(
                                                        List.of(
                                                                AttributeValue.fromS("x"),
                                                                AttributeValue.fromNul(true)))))
                        .build();

        assertThat(ChangeLines.format(insert, 1))
                .isEqualTo(
                        "1> INSERT keys={pk=a} new={pk=a, alpha=true, tags=[x, null], zeta=7}"
                                + " shard=shardId-1 seq=42");
    }

    @Test
    void removeShowsTheOldImageAndMarksTtlDeletes() {
        ChangeEvent remove =
                event(EventName.REMOVE)
                        .ttlDelete(true)
                        .oldImage(
                                Map.of(
                                        "pk", AttributeValue.fromS("a"),
                                        "m", AttributeValue.fromM(KEYS)))
                        .build();

        assertThat(ChangeLines.format(remove, 0))
                .isEqualTo(
                        "0> REMOVE (TTL) keys={pk=a} old={pk=a, m={pk=a}} shard=shardId-1 seq=42");
    }

    @Test
    void changeOfReadsKeyAndVersionFromTheImageTheEventCarries() {
        Map<String, AttributeValue> image =
                Map.of("pk", AttributeValue.fromS("item-01"), "version", AttributeValue.fromN("9"));
        ChangeEvent remove =
                event(EventName.REMOVE)
                        .keys(Map.of("pk", AttributeValue.fromS("item-01")))
                        .oldImage(image)
                        .build();
        ChangeEvent modify =
                event(EventName.MODIFY)
                        .keys(Map.of("pk", AttributeValue.fromS("item-01")))
                        .newImage(image)
                        .build();

        assertThat(Change.of(remove)).isEqualTo(new Change("item-01", EventName.REMOVE, 9));
        assertThat(Change.of(modify)).isEqualTo(new Change("item-01", EventName.MODIFY, 9));
        assertThat(Change.of(event(EventName.INSERT).build())).isNull();
    }
}
