package io.github.ddbstreams.flink.table;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Writes orders ({@code pk}, {@code customer}, {@code amount} with two decimals) to a DynamoDB
 * table: inserts, updates (amount and sometimes customer) and deletes, counting the stream records
 * each write produces. The expected query results come from scanning the table, not from this
 * class's bookkeeping, so a bug here cannot hide a bug in the source.
 */
final class OrdersWorkload {
    private final DynamoDbClient dynamoDb;
    private final String table;
    private final Random random;
    private final List<String> live = new ArrayList<>();
    private int nextId;
    private int inserts;
    private int modifies;
    private int removes;

    OrdersWorkload(DynamoDbClient dynamoDb, String table, long seed) {
        this.dynamoDb = dynamoDb;
        this.table = table;
        this.random = new Random(seed);
    }

    void insert(int count) {
        for (int i = 0; i < count; i++) {
            String id = "o" + nextId++;
            put(id, customer(), amount(), null);
            live.add(id);
            inserts++;
        }
    }

    void update(int count) {
        for (int i = 0; i < count && !live.isEmpty(); i++) {
            String id = live.get(random.nextInt(live.size()));
            // A unique amount per write: a write that changes nothing emits no stream record.
            put(id, random.nextInt(3) == 0 ? customer() : null, amount(), id);
            modifies++;
        }
    }

    void delete(int count) {
        for (int i = 0; i < count && !live.isEmpty(); i++) {
            String id = live.remove(random.nextInt(live.size()));
            dynamoDb.deleteItem(
                    r -> r.tableName(table).key(Map.of("pk", AttributeValue.fromS(id))));
            removes++;
        }
    }

    int inserts() {
        return inserts;
    }

    int modifies() {
        return modifies;
    }

    int removes() {
        return removes;
    }

    int records() {
        return inserts + modifies + removes;
    }

    /** SUM(amount) GROUP BY customer over the table's current contents, from a full scan. */
    Map<String, BigDecimal> sumsByCustomerFromScan() {
        Map<String, BigDecimal> sums = new HashMap<>();
        dynamoDb.scanPaginator(r -> r.tableName(table).consistentRead(true))
                .items()
                .forEach(
                        item ->
                                sums.merge(
                                        item.get("customer").s(),
                                        new BigDecimal(item.get("amount").n()),
                                        BigDecimal::add));
        return sums;
    }

    private void put(String id, String customer, String amount, String existing) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("pk", AttributeValue.fromS(id));
        if (customer == null) {
            customer =
                    dynamoDb.getItem(
                                    r ->
                                            r.tableName(table)
                                                    .consistentRead(true)
                                                    .key(
                                                            Map.of(
                                                                    "pk",
                                                                    AttributeValue.fromS(
                                                                            existing))))
                            .item()
                            .get("customer")
                            .s();
        }
        item.put("customer", AttributeValue.fromS(customer));
        item.put("amount", AttributeValue.fromN(amount));
        dynamoDb.putItem(r -> r.tableName(table).item(item));
    }

    private String customer() {
        return "c" + random.nextInt(5);
    }

    /** Unique per write (the integer part counts writes), so every put changes the item. */
    private String amount() {
        return (records() + 1) + "." + String.format("%02d", random.nextInt(100));
    }
}
