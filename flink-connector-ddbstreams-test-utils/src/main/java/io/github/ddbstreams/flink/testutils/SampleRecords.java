package io.github.ddbstreams.flink.testutils;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * DynamoDB Streams records shaped like the ones AWS returns (NEW_AND_OLD_IMAGES view), and an item
 * that holds every attribute type, for tests of formats and readers.
 */
public final class SampleRecords {

    public static final String STREAM_ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-05-01T00:00:00.000";
    public static final String SHARD_ID = "shardId-00000001714521600000-a1b2c3d4";

    private SampleRecords() {}

    /** A key of a table with partition key {@code pk} (S) and sort key {@code sk} (N). */
    public static Map<String, AttributeValue> key(String pk, int sk) {
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS(pk));
        key.put("sk", AttributeValue.fromN(Integer.toString(sk)));
        return key;
    }

    /** An item with the given key and one attribute of every DynamoDB type, nested M and L. */
    public static Map<String, AttributeValue> itemWithEveryType(String pk, int sk) {
        Map<String, AttributeValue> item = key(pk, sk);
        item.put("name", AttributeValue.fromS("Zoë 🚀 \u0000 tab\t"));
        item.put("price", AttributeValue.fromN("12345678901234567890.123456789012345678"));
        item.put("negative", AttributeValue.fromN("-1E-130"));
        item.put("blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, -1, 127})));
        item.put("active", AttributeValue.fromBool(true));
        item.put("archived", AttributeValue.fromBool(false));
        item.put("nothing", AttributeValue.fromNul(true));
        item.put("tags", AttributeValue.fromSs(List.of("b", "a", "")));
        item.put("scores", AttributeValue.fromNs(List.of("1", "2.50", "-3")));
        item.put(
                "chunks",
                AttributeValue.fromBs(
                        List.of(
                                SdkBytes.fromByteArray(new byte[] {1}),
                                SdkBytes.fromByteArray(new byte[0]))));
        Map<String, AttributeValue> inner = new LinkedHashMap<>();
        inner.put("deep", AttributeValue.fromL(List.of(AttributeValue.fromM(Map.of()))));
        inner.put("emptyList", AttributeValue.fromL(List.of()));
        Map<String, AttributeValue> address = new LinkedHashMap<>();
        address.put("city", AttributeValue.fromS("Lyon"));
        address.put("zip", AttributeValue.fromN("69001"));
        address.put("inner", AttributeValue.fromM(inner));
        item.put("address", AttributeValue.fromM(address));
        item.put(
                "history",
                AttributeValue.fromL(
                        List.of(
                                AttributeValue.fromS("created"),
                                AttributeValue.fromN("7"),
                                AttributeValue.fromNul(true),
                                AttributeValue.fromL(List.of(AttributeValue.fromBool(false))),
                                AttributeValue.fromM(
                                        Map.of("k", AttributeValue.fromSs(List.of("x")))))));
        return item;
    }

    public static Record insert(
            String seq, Map<String, AttributeValue> keys, Map<String, AttributeValue> newImage) {
        return record(OperationType.INSERT, seq, keys, null, newImage, null);
    }

    public static Record modify(
            String seq,
            Map<String, AttributeValue> keys,
            Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage) {
        return record(OperationType.MODIFY, seq, keys, oldImage, newImage, null);
    }

    public static Record remove(
            String seq, Map<String, AttributeValue> keys, Map<String, AttributeValue> oldImage) {
        return record(OperationType.REMOVE, seq, keys, oldImage, null, null);
    }

    /** A REMOVE made by DynamoDB's Time to Live, as AWS marks it. */
    public static Record ttlRemove(
            String seq, Map<String, AttributeValue> keys, Map<String, AttributeValue> oldImage) {
        Identity ttl =
                Identity.builder().type("Service").principalId("dynamodb.amazonaws.com").build();
        return record(OperationType.REMOVE, seq, keys, oldImage, null, ttl);
    }

    /** Builds a record; null images are left out as AWS leaves them out. */
    public static Record record(
            OperationType eventName,
            String seq,
            Map<String, AttributeValue> keys,
            Map<String, AttributeValue> oldImage,
            Map<String, AttributeValue> newImage,
            Identity userIdentity) {
        StreamRecord.Builder change =
                StreamRecord.builder()
                        .approximateCreationDateTime(Instant.parse("2024-05-01T12:34:56Z"))
                        .keys(keys)
                        .sequenceNumber(seq)
                        .sizeBytes(100L + seq.length())
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES);
        if (oldImage != null) {
            change.oldImage(oldImage);
        }
        if (newImage != null) {
            change.newImage(newImage);
        }
        return Record.builder()
                .eventID("evt-" + seq)
                .eventName(eventName)
                .eventVersion("1.1")
                .eventSource("aws:dynamodb")
                .awsRegion("eu-west-1")
                .dynamodb(change.build())
                .userIdentity(userIdentity)
                .build();
    }
}
