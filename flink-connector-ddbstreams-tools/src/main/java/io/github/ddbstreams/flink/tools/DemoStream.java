package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * An embedded DynamoDB Local with one table, {@value #TABLE}, whose stream holds a short history
 * over a lineage of three shards: orders are inserted, the shard rolls over, some are paid, it
 * rolls over again, one is deleted and another inserted. {@link #startLiveWrites} keeps changing
 * items afterwards so that following the stream shows something.
 */
final class DemoStream implements AutoCloseable {
    static final String TABLE = "demo-orders";

    /** Changes {@link #start} writes before any command reads: see the class comment. */
    static final int SEEDED_CHANGES = 8;

    private final DynamoDbLocal local;
    private final StreamsClient client;
    private final String streamArn;
    private final AtomicInteger liveTicks = new AtomicInteger();
    private ScheduledExecutorService liveWriter;

    private DemoStream(DynamoDbLocal local, String streamArn) {
        this.local = local;
        this.streamArn = streamArn;
        this.client = SdkStreamsClient.create(local.awsConfig());
    }

    /** Starts DynamoDB Local (about 2 s) and writes the demo history. */
    static DemoStream start(PrintWriter err) {
        DynamoDbLocal local = startQuietly();
        try {
            String arn = local.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
            for (int i = 1; i <= 4; i++) {
                local.putItem(TABLE, order(i, "NEW"));
            }
            local.triggerShardRollovers();
            local.putItem(TABLE, order(1, "PAID"));
            local.putItem(TABLE, order(2, "PAID"));
            local.triggerShardRollovers();
            local.dynamoDbClient()
                    .deleteItem(
                            r ->
                                    r.tableName(TABLE)
                                            .key(
                                                    Map.of(
                                                            DynamoDbLocal.HASH_KEY,
                                                            AttributeValue.fromS("order-3"))));
            local.putItem(TABLE, order(5, "NEW"));
            err.printf(
                    "demo: DynamoDB Local at %s, table %s: %d changes over 3 shards (two"
                            + " rollovers)%n",
                    local.endpoint(), TABLE, SEEDED_CHANGES);
            err.flush();
            return new DemoStream(local, arn);
        } catch (RuntimeException e) {
            local.close();
            throw e;
        }
    }

    /**
     * DynamoDB Local prints its start banner on {@code System.out}, where tail's JSON lines go:
     * send it to stderr instead.
     */
    private static DynamoDbLocal startQuietly() {
        PrintStream stdout = System.out;
        synchronized (System.class) {
            System.setOut(System.err);
            try {
                return DynamoDbLocal.start();
            } finally {
                System.setOut(stdout);
            }
        }
    }

    /** Marks order {@code n} with a new status every {@code periodMillis}, on a daemon thread. */
    synchronized void startLiveWrites(long periodMillis) {
        if (liveWriter != null) {
            return;
        }
        liveWriter =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "demo-live-writes");
                            t.setDaemon(true);
                            return t;
                        });
        liveWriter.scheduleWithFixedDelay(
                () -> {
                    int tick = liveTicks.incrementAndGet();
                    local.putItem(TABLE, order(1 + tick % 5, "UPDATE-" + tick));
                },
                periodMillis,
                periodMillis,
                TimeUnit.MILLISECONDS);
    }

    StreamsClient client() {
        return client;
    }

    String streamArn() {
        return streamArn;
    }

    private static Map<String, AttributeValue> order(int n, String status) {
        return Map.of(
                DynamoDbLocal.HASH_KEY,
                AttributeValue.fromS("order-" + n),
                "status",
                AttributeValue.fromS(status),
                "amount",
                AttributeValue.fromN(n + "9.95"));
    }

    @Override
    public synchronized void close() {
        if (liveWriter != null) {
            liveWriter.shutdownNow();
        }
        client.close();
        local.close();
    }
}
