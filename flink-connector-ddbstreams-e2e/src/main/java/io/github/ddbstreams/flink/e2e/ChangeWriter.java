package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes a steady mix of inserts, updates and deletes over a fixed set of items, one write per
 * {@link #writeOne()} call, and remembers every change it made in order.
 *
 * <p>Each write is idempotent (a put or update of the same values, a delete of a known item), so an
 * SDK retry of a write that had in fact succeeded changes nothing and, as DynamoDB emits no record
 * for a write that changes nothing, adds no stream record. Not thread-safe: one thread writes.
 */
final class ChangeWriter {

    /** The hash key attribute (DynamoDbLocal's tables use it). */
    static final String KEY = "pk";

    /** Grows with every insert or update, so a key's changes can be checked for order. */
    static final String VERSION = "version";

    private static final String AMOUNT = "amount";
    private static final String LABEL = "label";
    private static final String[] LABELS = {"new", "paid", "packed", "shipped", "delivered"};

    private final DynamoDbClient dynamoDb;
    private final String table;
    private final int keyCount;
    private final Random random;

    /** Version of each item that exists now. */
    private final Map<String, Long> live = new HashMap<>();

    private final List<Change> written = new ArrayList<>();
    private long nextVersion = 1;

    ChangeWriter(DynamoDbClient dynamoDb, String table, int keyCount, long seed) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.keyCount = keyCount;
        this.random = new Random(seed);
    }

    /** Inserts every item: the table's contents before the job starts. */
    void prefill() {
        for (int i = 0; i < keyCount; i++) {
            write(String.format("item-%02d", i));
        }
    }

    /** Inserts a missing item, or updates (3 in 4) or deletes (1 in 4) an existing one. */
    void writeOne() {
        write(String.format("item-%02d", random.nextInt(keyCount)));
    }

    private void write(String key) {
        Long current = live.get(key);
        Change change;
        if (current == null) {
            long version = nextVersion++;
            Map<String, AttributeValue> item = new HashMap<>();
            item.put(KEY, AttributeValue.fromS(key));
            item.put(VERSION, number(version));
            item.put(AMOUNT, number(random.nextInt(1000)));
            item.put(LABEL, AttributeValue.fromS(LABELS[0]));
            dynamoDb.putItem(r -> r.tableName(table).item(item));
            live.put(key, version);
            change = new Change(key, EventName.INSERT, version);
        } else if (random.nextInt(4) > 0) {
            long version = nextVersion++;
            Map<String, AttributeValue> values =
                    Map.of(
                            ":v", number(version),
                            ":a", number(random.nextInt(1000)),
                            ":l", AttributeValue.fromS(LABELS[random.nextInt(LABELS.length)]));
            dynamoDb.updateItem(
                    r ->
                            r.tableName(table)
                                    .key(Map.of(KEY, AttributeValue.fromS(key)))
                                    // Names as placeholders: no reserved-word surprises.
                                    .updateExpression("SET #v = :v, #a = :a, #l = :l")
                                    .expressionAttributeNames(
                                            Map.of("#v", VERSION, "#a", AMOUNT, "#l", LABEL))
                                    .expressionAttributeValues(values));
            live.put(key, version);
            change = new Change(key, EventName.MODIFY, version);
        } else {
            dynamoDb.deleteItem(
                    r -> r.tableName(table).key(Map.of(KEY, AttributeValue.fromS(key))));
            live.remove(key);
            change = new Change(key, EventName.REMOVE, current);
        }
        synchronized (written) {
            written.add(change);
        }
    }

    int writtenCount() {
        synchronized (written) {
            return written.size();
        }
    }

    /** Every change made so far, in the order made. */
    List<Change> written() {
        synchronized (written) {
            return new ArrayList<>(written);
        }
    }

    private static AttributeValue number(long n) {
        return AttributeValue.fromN(Long.toString(n));
    }
}
