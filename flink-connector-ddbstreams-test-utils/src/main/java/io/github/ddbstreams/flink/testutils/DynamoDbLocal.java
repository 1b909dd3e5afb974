package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.io.IOException;
import java.lang.reflect.Field;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import javax.annotation.Nullable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;
import software.amazon.dynamodb.services.local.shared.access.AmazonDynamoDBLocal;

/**
 * Amazon's DynamoDB Local, running in this JVM behind its real HTTP endpoint on a free port, with
 * raw SDK clients and helpers for tests.
 *
 * <p>Its data lives in memory and disappears on {@link #close()}. Use one instance per test class
 * (see {@link DynamoDbLocalExtension}): records of other tables' streams slow its writes badly.
 *
 * <p>Beyond the HTTP API it can roll shards over at once ({@link #triggerShardRollovers()}) and
 * move its clock ({@link #dilateEventTimes(long)}). Those hooks live on its engine, which the HTTP
 * server keeps in private fields: this class is the one place that reaches them by reflection, so a
 * DynamoDB Local upgrade that moves them breaks here with a clear message.
 */
public final class DynamoDbLocal implements AutoCloseable {

    /** The hash key attribute of every table {@link #createTable} makes. */
    public static final String HASH_KEY = "pk";

    /** The sort key attribute of tables made with a sort key. */
    public static final String SORT_KEY = "sk";

    public static final String REGION = "us-east-1";
    // DynamoDB Local keeps one database per access key and region, and accepts only letters and
    // digits in the key: every client here uses the same pair so they all see the same tables.
    public static final String ACCESS_KEY_ID = "fakeKey";
    public static final String SECRET_ACCESS_KEY = "fakeSecret";

    private static final int START_ATTEMPTS = 5;
    private static final int BATCH_WRITE_MAX = 25;

    private final DynamoDBProxyServer server;
    private final int port;
    private final DynamoDbClient dynamoDb;
    private final DynamoDbStreamsClient streams;

    private DynamoDbLocal(DynamoDBProxyServer server, int port) {
        this.server = server;
        this.port = port;
        this.dynamoDb = configure(DynamoDbClient.builder()).build();
        this.streams = configure(DynamoDbStreamsClient.builder()).build();
    }

    /** Starts a fresh in-memory instance on a free port. */
    public static DynamoDbLocal start() {
        Exception last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freePort();
            DynamoDBProxyServer server = null;
            try {
                server =
                        ServerRunner.createServerFromCommandLineArgs(
                                new String[] {
                                    // Telemetry would try to reach AWS from the test JVM.
                                    "-inMemory",
                                    "-port",
                                    Integer.toString(port),
                                    "-disableTelemetry"
                                });
                server.start();
                return new DynamoDbLocal(server, port);
            } catch (Exception e) {
                // Another process may take the port between our probe and Jetty's bind.
                last = e;
                stopQuietly(server);
                if (!isBindClash(e)) {
                    break;
                }
            }
        }
        throw new IllegalStateException("Could not start DynamoDB Local", last);
    }

    /** {@code http://localhost:port}. */
    public URI endpoint() {
        return URI.create("http://localhost:" + port);
    }

    public int port() {
        return port;
    }

    /** What the connector should use to reach this instance. */
    public AwsConfig awsConfig() {
        return AwsConfig.builder()
                .region(REGION)
                .endpointOverride(endpoint())
                .staticCredentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
    }

    /** A raw SDK DynamoDB client on this instance; closed by {@link #close()}. */
    public DynamoDbClient dynamoDbClient() {
        return dynamoDb;
    }

    /** A raw SDK DynamoDB Streams client on this instance; closed by {@link #close()}. */
    public DynamoDbStreamsClient streamsClient() {
        return streams;
    }

    /** Creates a table with string hash key {@value #HASH_KEY} and a stream of the given view. */
    public String createTable(String tableName, @Nullable StreamViewType viewType) {
        return createTable(tableName, viewType, false);
    }

    /**
     * Creates a table with string hash key {@value #HASH_KEY}, optionally string sort key {@value
     * #SORT_KEY}, and a stream of the given view type (null: no stream). Returns the stream ARN, or
     * null without a stream.
     */
    @Nullable
    public String createTable(
            String tableName, @Nullable StreamViewType viewType, boolean withSortKey) {
        List<KeySchemaElement> keys = new ArrayList<>();
        List<AttributeDefinition> attributes = new ArrayList<>();
        keys.add(KeySchemaElement.builder().attributeName(HASH_KEY).keyType(KeyType.HASH).build());
        attributes.add(stringAttribute(HASH_KEY));
        if (withSortKey) {
            keys.add(
                    KeySchemaElement.builder()
                            .attributeName(SORT_KEY)
                            .keyType(KeyType.RANGE)
                            .build());
            attributes.add(stringAttribute(SORT_KEY));
        }
        dynamoDb.createTable(
                r -> {
                    r.tableName(tableName)
                            .keySchema(keys)
                            .attributeDefinitions(attributes)
                            .billingMode(BillingMode.PAY_PER_REQUEST);
                    if (viewType != null) {
                        r.streamSpecification(s -> s.streamEnabled(true).streamViewType(viewType));
                    }
                });
        return viewType == null ? null : streamArn(tableName);
    }

    /**
     * Turns on the stream of a table made without one and returns its ARN: a table loaded before
     * has no stream records of its load, which DynamoDB Local would otherwise keep for 24 hours of
     * its clock and which slow its later writes.
     */
    public String enableStream(String tableName, StreamViewType viewType) {
        dynamoDb.updateTable(
                r ->
                        r.tableName(tableName)
                                .streamSpecification(
                                        s -> s.streamEnabled(true).streamViewType(viewType)));
        return streamArn(tableName);
    }

    /** The table's latest stream ARN, or null if it never had a stream. */
    @Nullable
    public String streamArn(String tableName) {
        return dynamoDb.describeTable(r -> r.tableName(tableName)).table().latestStreamArn();
    }

    /** Puts one item. */
    public void putItem(String tableName, Map<String, AttributeValue> item) {
        dynamoDb.putItem(r -> r.tableName(tableName).item(item));
    }

    /**
     * Loads items {@code from} to {@code to - 1} (each made by {@code item}) on two threads, in
     * chunks of 500 {@link #putItems} calls: the fastest way to fill a table here.
     */
    public void loadItems(
            String tableName, int from, int to, IntFunction<Map<String, AttributeValue>> item)
            throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int start = from; start < to; start += 500) {
                int first = start;
                int last = Math.min(to, start + 500);
                done.add(
                        writers.submit(
                                () -> {
                                    List<Map<String, AttributeValue>> items = new ArrayList<>();
                                    for (int i = first; i < last; i++) {
                                        items.add(item.apply(i));
                                    }
                                    putItems(tableName, items);
                                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            writers.shutdown();
        }
    }

    /**
     * Puts items with {@code BatchWriteItem}, 25 at a time, resending what the server leaves
     * unprocessed. Batching matters: writes are the slow side of DynamoDB Local.
     */
    public void putItems(String tableName, List<Map<String, AttributeValue>> items) {
        for (int from = 0; from < items.size(); from += BATCH_WRITE_MAX) {
            List<WriteRequest> batch = new ArrayList<>();
            for (Map<String, AttributeValue> item :
                    items.subList(from, Math.min(items.size(), from + BATCH_WRITE_MAX))) {
                batch.add(
                        WriteRequest.builder()
                                .putRequest(PutRequest.builder().item(item).build())
                                .build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(tableName, batch);
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response =
                        dynamoDb.batchWriteItem(r -> r.requestItems(request));
                pending = response.hasUnprocessedItems() ? response.unprocessedItems() : Map.of();
            }
        }
    }

    /** Puts {@code count} items {@code {pk: prefix + i, value: i}} for i in [0, count). */
    public void putItems(String tableName, String keyPrefix, int count) {
        List<Map<String, AttributeValue>> items = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            items.add(
                    Map.of(
                            HASH_KEY,
                            AttributeValue.fromS(keyPrefix + i),
                            "value",
                            AttributeValue.fromN(Integer.toString(i))));
        }
        putItems(tableName, items);
    }

    /**
     * Closes every open shard of every stream and opens one child for each, as DynamoDB Local
     * otherwise does only after 4 hours of its clock.
     */
    public void triggerShardRollovers() {
        for (AmazonDynamoDBLocal database : databases()) {
            database.triggerShardRollovers();
        }
    }

    /**
     * Moves DynamoDB Local's stream clock forward by {@code millis}: past 4 h shards roll over,
     * past 24 h old records are trimmed.
     */
    public void dilateEventTimes(long millis) {
        for (AmazonDynamoDBLocal database : databases()) {
            database.dilateEventTimes(millis);
        }
    }

    /** Stops the server and closes the clients; the data is gone. */
    @Override
    public void close() {
        dynamoDb.close();
        streams.close();
        stopQuietly(server);
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder) {
        builder.region(Region.of(REGION))
                .endpointOverride(endpoint())
                .credentialsProvider(
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                .httpClientBuilder(
                        Apache5HttpClient.builder().connectionTimeout(Duration.ofSeconds(5)));
        return builder;
    }

    /**
     * The engines behind the HTTP server, one per access key and region that has sent a request:
     * {@code DynamoDBProxyServer.serverHandler -> LocalDynamoDBServerHandler.primaryHandler ->
     * LocalDynamoDBRequestHandler.dbRequestHandlers} (DynamoDB Local 3.3.1).
     */
    private List<AmazonDynamoDBLocal> databases() {
        try {
            Object serverHandler = readField(server, "serverHandler");
            Object requestHandler = readField(serverHandler, "primaryHandler");
            // The request handler creates databases lazily under its own monitor.
            synchronized (requestHandler) {
                Map<?, ?> databases = (Map<?, ?>) readField(requestHandler, "dbRequestHandlers");
                List<AmazonDynamoDBLocal> result = new ArrayList<>();
                for (Object database : databases.values()) {
                    result.add((AmazonDynamoDBLocal) database);
                }
                return result;
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(
                    "Cannot reach DynamoDB Local's engine (DynamoDBProxyServer.serverHandler"
                            + " .primaryHandler.dbRequestHandlers): this DynamoDB Local version"
                            + " lays out its server differently from 3.3.1; update"
                            + " DynamoDbLocal.databases()",
                    e);
        }
    }

    private static Object readField(Object target, String name)
            throws ReflectiveOperationException {
        Field field = findField(target.getClass(), name);
        field.setAccessible(true);
        Object value = field.get(target);
        if (value == null) {
            throw new NoSuchFieldException(field + " is null");
        }
        return value;
    }

    private static Field findField(Class<?> type, String name) throws NoSuchFieldException {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getName().equals(name)) {
                    return field;
                }
            }
        }
        throw new NoSuchFieldException(type.getName() + "." + name);
    }

    private static AttributeDefinition stringAttribute(String name) {
        return AttributeDefinition.builder()
                .attributeName(name)
                .attributeType(ScalarAttributeType.S)
                .build();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free local port for DynamoDB Local", e);
        }
    }

    private static boolean isBindClash(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException) {
                return true;
            }
        }
        return false;
    }

    private static void stopQuietly(@Nullable DynamoDBProxyServer server) {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort: nothing a test can do about a server that will not stop.
        }
    }
}
