package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Writes a reproducible mix of inserts, updates and deletes to a table whose hash key is {@code
 * pk}, each change carrying a per-key version number, and remembers what the stream must show: per
 * key, the exact list of changes in order. {@link #verify} compares what a job emitted against it
 * and reports lost, duplicated and reordered changes. Not thread-safe: one writer thread.
 */
public final class VersionedWorkload {

    private final DynamoDbClient client;
    private final String table;
    private final int keys;
    private final Random random;
    private final Map<String, Long> versions = new HashMap<>();
    private final Map<String, Boolean> exists = new HashMap<>();
    private final Map<String, List<String>> expected = new LinkedHashMap<>();
    private int changes;

    public VersionedWorkload(DynamoDbClient client, String table, int keys, long seed) {
        this.client = client;
        this.table = table;
        this.keys = keys;
        this.random = new Random(seed);
    }

    /** Writes {@code count} changes; each changes the item, so each yields one stream record. */
    public void write(int count) {
        for (int i = 0; i < count; i++) {
            writeOne();
        }
    }

    private void writeOne() {
        String key = "key-" + random.nextInt(keys);
        long version = versions.merge(key, 1L, Long::sum);
        boolean present = exists.getOrDefault(key, false);
        List<String> log = expected.computeIfAbsent(key, k -> new ArrayList<>());
        if (present && random.nextInt(5) == 0) {
            client.deleteItem(
                    DeleteItemRequest.builder()
                            .tableName(table)
                            .key(Map.of("pk", AttributeValue.fromS(key)))
                            .build());
            // The REMOVE record's old image holds the last version written.
            log.add("REMOVE:" + (version - 1));
            exists.put(key, false);
        } else {
            client.putItem(
                    PutItemRequest.builder()
                            .tableName(table)
                            .item(
                                    Map.of(
                                            "pk", AttributeValue.fromS(key),
                                            "v", AttributeValue.fromN(Long.toString(version)),
                                            "payload", AttributeValue.fromS("value-" + version)))
                            .build());
            log.add((present ? "MODIFY:" : "INSERT:") + version);
            exists.put(key, true);
        }
        changes++;
    }

    /** How many changes (stream records) were written so far. */
    public int changes() {
        return changes;
    }

    /** The stream's view of one change event, comparable with what {@link #write} expects. */
    public static String describe(ChangeEvent event) {
        Map<String, AttributeValue> image =
                event.getEventName() == ChangeEvent.EventName.REMOVE
                        ? event.getOldImage()
                        : event.getNewImage();
        return event.getEventName() + ":" + image.get("v").n();
    }

    public static String keyOf(ChangeEvent event) {
        return event.getKeys().get("pk").s();
    }

    /**
     * Compares emitted events with the written changes. Returns an empty list when every change was
     * emitted exactly once and in order per key; otherwise one line per wrong key.
     */
    public List<String> verify(List<ChangeEvent> emitted) {
        Map<String, List<String>> actual = new HashMap<>();
        for (ChangeEvent event : emitted) {
            actual.computeIfAbsent(keyOf(event), k -> new ArrayList<>()).add(describe(event));
        }
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> entry : expected.entrySet()) {
            List<String> got = actual.getOrDefault(entry.getKey(), List.of());
            if (!got.equals(entry.getValue())) {
                problems.add(entry.getKey() + ": expected " + entry.getValue() + " but got " + got);
            }
        }
        for (String key : actual.keySet()) {
            if (!expected.containsKey(key)) {
                problems.add(key + ": never written but got " + actual.get(key));
            }
        }
        return problems;
    }
}
