package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.DeleteRequest;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Writes a reproducible mix of inserts, updates and deletes to a table whose hash key is {@code
 * pk}, each change carrying a per-key version number, and remembers what the stream must show: per
 * key, the exact list of changes in order. {@link #verify} compares what a job emitted against it
 * and reports lost, duplicated and reordered changes.
 *
 * <p>One writer thread; other threads (a Flink operator in the same JVM) may read {@link
 * #expected(String)} while it writes. Each expectation is recorded before its write is issued,
 * because the stream record can reach a job before the write call returns.
 *
 * <p>Changes go out in {@code BatchWriteItem} calls of up to 25 distinct keys (a batch may not hold
 * a key twice, and the order of different keys does not matter), several times faster than one call
 * per change, which is what lets a long failover run write 50,000 changes quickly.
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
        Batch batch = new Batch();
        for (int i = 0; i < count; i++) {
            String key = "key-" + random.nextInt(keys);
            if (!batch.add(key)) {
                batch.flush();
                batch.add(key);
            }
            writeOne(key, true, batch);
        }
        batch.flush();
    }

    /**
     * Writes one change to every key, in key order: an insert for a key that does not exist, an
     * update otherwise. Afterwards each key's last expected change is one written by this call.
     */
    public void touchEveryKey() {
        touchFirstKeys(keys);
    }

    /**
     * Writes one change to each of the first {@code count} keys, in key order, as {@link
     * #touchEveryKey} does for all: the others stay unwritten, so later writes to them are inserts
     * of items that never existed.
     */
    public void touchFirstKeys(int count) {
        Batch batch = new Batch();
        for (int i = 0; i < Math.min(count, keys); i++) {
            String key = "key-" + i;
            if (!batch.add(key)) {
                batch.flush();
                batch.add(key);
            }
            writeOne(key, false, batch);
        }
        batch.flush();
    }

    private void writeOne(String key, boolean mayDelete, Batch batch) {
        long version = versions.merge(key, 1L, Long::sum);
        boolean present = exists.getOrDefault(key, false);
        List<String> log = expected.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
        if (present && mayDelete && random.nextInt(5) == 0) {
            // The REMOVE record's old image holds the last version written.
            log.add("REMOVE:" + (version - 1));
            batch.requests.add(
                    WriteRequest.builder()
                            .deleteRequest(
                                    DeleteRequest.builder()
                                            .key(Map.of("pk", AttributeValue.fromS(key)))
                                            .build())
                            .build());
            exists.put(key, false);
        } else {
            log.add((present ? "MODIFY:" : "INSERT:") + version);
            batch.requests.add(
                    WriteRequest.builder()
                            .putRequest(
                                    PutRequest.builder()
                                            .item(
                                                    Map.of(
                                                            "pk",
                                                            AttributeValue.fromS(key),
                                                            "v",
                                                            AttributeValue.fromN(
                                                                    Long.toString(version)),
                                                            "payload",
                                                            AttributeValue.fromS(
                                                                    "value-" + version)))
                                            .build())
                            .build());
            exists.put(key, true);
        }
    }

    /** Up to 25 writes of distinct keys, sent in one call (plus retries of unprocessed ones). */
    private final class Batch {
        private static final int MAX = 25;
        private final Set<String> keysInBatch = new HashSet<>();
        private final List<WriteRequest> requests = new ArrayList<>();

        /** Whether {@code key} fits: the batch is not full and does not hold it yet. */
        boolean add(String key) {
            return requests.size() < MAX && keysInBatch.add(key);
        }

        void flush() {
            List<WriteRequest> pending = new ArrayList<>(requests);
            int written = pending.size();
            while (!pending.isEmpty()) {
                BatchWriteItemResponse response =
                        client.batchWriteItem(b -> b.requestItems(Map.of(table, pending)));
                List<WriteRequest> unprocessed =
                        response.unprocessedItems().getOrDefault(table, List.of());
                pending.clear();
                pending.addAll(unprocessed);
            }
            changes += written;
            requests.clear();
            keysInBatch.clear();
        }
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
