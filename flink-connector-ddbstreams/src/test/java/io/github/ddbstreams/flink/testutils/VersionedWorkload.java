package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

/**
 * Writes a reproducible mix of inserts, updates and deletes to a table whose hash key is {@code
 * pk}, each change carrying a per-key version number, and remembers what the stream must show: per
 * key, the exact list of changes in order. {@link #verify} compares what a job emitted against it
 * and reports lost, duplicated and reordered changes.
 *
 * <p>One writer thread; other threads (a Flink operator in the same JVM) may read {@link
 * #expected(String)} while it writes. Each expectation is recorded before its write is issued,
 * because the stream record can reach a job before the write call returns.
 */
public final class VersionedWorkload {

    private final DynamoDbClient client;
    private final String table;
    private final int keys;
    private final Random random;
    private final Map<String, Long> versions = new HashMap<>();
    private final Map<String, Boolean> exists = new HashMap<>();
    private final Map<String, List<String>> expected = new ConcurrentHashMap<>();
    private volatile int changes;

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

    /**
     * Writes one change to every key, in key order: an insert for a key that does not exist, an
     * update otherwise. Afterwards each key's last expected change is one written by this call.
     */
    public void touchEveryKey() {
        for (int i = 0; i < keys; i++) {
            writeOne("key-" + i, false);
        }
    }

    private void writeOne() {
        writeOne("key-" + random.nextInt(keys), true);
    }

    private void writeOne(String key, boolean mayDelete) {
        long version = versions.merge(key, 1L, Long::sum);
        boolean present = exists.getOrDefault(key, false);
        List<String> log = expected.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        if (present && mayDelete && random.nextInt(5) == 0) {
            // The REMOVE record's old image holds the last version written.
            log.add("REMOVE:" + (version - 1));
            client.deleteItem(
                    DeleteItemRequest.builder()
                            .tableName(table)
                            .key(Map.of("pk", AttributeValue.fromS(key)))
                            .build());
            exists.put(key, false);
        } else {
            log.add((present ? "MODIFY:" : "INSERT:") + version);
            client.putItem(
                    PutItemRequest.builder()
                            .tableName(table)
                            .item(
                                    Map.of(
                                            "pk", AttributeValue.fromS(key),
                                            "v", AttributeValue.fromN(Long.toString(version)),
                                            "payload", AttributeValue.fromS("value-" + version)))
                            .build());
            exists.put(key, true);
        }
        changes++;
    }

    /** How many changes (stream records) were written so far. */
    public int changes() {
        return changes;
    }

    /**
     * The changes the stream must show for {@code key}, in order, as {@link #describe} renders
     * them: a live view that grows while the writer runs, empty for a key never written.
     */
    public List<String> expected(String key) {
        List<String> log = expected.get(key);
        return log == null ? List.of() : Collections.unmodifiableList(log);
    }

    /** Every key written so far. */
    public Set<String> writtenKeys() {
        return Collections.unmodifiableSet(expected.keySet());
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
