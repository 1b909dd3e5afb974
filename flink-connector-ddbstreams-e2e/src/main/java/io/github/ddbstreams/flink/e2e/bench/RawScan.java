package io.github.ddbstreams.flink.e2e.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * The snapshot baseline: a plain parallel Scan loop with the AWS SDK's own {@code DynamoDbClient}.
 * {@code threads} threads share {@code segments} segments (thread t reads segments t, t + threads,
 * ..., one after the other), each page a strongly consistent {@code Scan} of at most {@code
 * pageSize} items, following {@code LastEvaluatedKey} to the segment's end. No conversion of the
 * items, no Flink: what the endpoint gives callers that only count items.
 */
final class RawScan {
    long count;
    long firstNanos = Long.MAX_VALUE;
    long lastNanos = Long.MIN_VALUE;
    long wallNanos;

    /** Read capacity units the pages consumed, as the endpoint reports them. */
    double readUnits;

    private RawScan() {}

    /** Items per second, first to last page received. */
    double rate() {
        return count < 2 || lastNanos <= firstNanos
                ? Double.NaN
                : (count - 1) * 1e9 / (lastNanos - firstNanos);
    }

    /** Items per second, start of the first call to end of the last. */
    double wallRate() {
        return count * 1e9 / wallNanos;
    }

    static RawScan run(DynamoDbClient client, String table, int segments, int pageSize, int threads)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        RawScan total = new RawScan();
        long start = System.nanoTime();
        try {
            List<Future<RawScan>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(
                        pool.submit(
                                () -> {
                                    RawScan part = new RawScan();
                                    for (int s = first; s < segments; s += threads) {
                                        scanSegment(client, table, s, segments, pageSize, part);
                                    }
                                    return part;
                                }));
            }
            for (Future<RawScan> future : parts) {
                RawScan part = future.get();
                total.count += part.count;
                total.readUnits += part.readUnits;
                total.firstNanos = Math.min(total.firstNanos, part.firstNanos);
                total.lastNanos = Math.max(total.lastNanos, part.lastNanos);
            }
        } finally {
            pool.shutdown();
        }
        total.wallNanos = System.nanoTime() - start;
        return total;
    }

    private static void scanSegment(
            DynamoDbClient client,
            String table,
            int segment,
            int segments,
            int pageSize,
            RawScan part) {
        Map<String, AttributeValue> startKey = null;
        do {
            Map<String, AttributeValue> from = startKey;
            ScanResponse page =
                    client.scan(
                            r ->
                                    r.tableName(table)
                                            .segment(segment)
                                            .totalSegments(segments)
                                            .limit(pageSize)
                                            .consistentRead(true)
                                            .returnConsumedCapacity(ReturnConsumedCapacity.TOTAL)
                                            .exclusiveStartKey(from));
            long now = System.nanoTime();
            if (page.count() > 0) {
                part.firstNanos = Math.min(part.firstNanos, now);
                part.lastNanos = now;
                part.count += page.count();
            }
            if (page.consumedCapacity() != null
                    && page.consumedCapacity().capacityUnits() != null) {
                part.readUnits += page.consumedCapacity().capacityUnits();
            }
            startKey = page.hasLastEvaluatedKey() ? page.lastEvaluatedKey() : null;
        } while (startKey != null);
    }
}
