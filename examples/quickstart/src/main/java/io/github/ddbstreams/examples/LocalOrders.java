package io.github.ddbstreams.examples;

import io.github.ddbstreams.flink.source.aws.AwsConfig;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Amazon's DynamoDB Local in this JVM, with an {@code orders} table whose stream holds a few
 * inserts, updates and deletes: something for the quickstart jobs to read without an AWS account.
 */
final class LocalOrders implements AutoCloseable {

    static final String TABLE = "orders";
    static final String REGION = "us-east-1";
    // DynamoDB Local accepts any credentials made of letters and digits.
    static final String ACCESS_KEY_ID = "quickstart";
    static final String SECRET_ACCESS_KEY = "quickstart";

    private final DynamoDBProxyServer server;
    private final URI endpoint;

    private LocalOrders(DynamoDBProxyServer server, URI endpoint) {
        this.server = server;
        this.endpoint = endpoint;
    }

    /** Starts DynamoDB Local on a free port and writes the sample orders. */
    static LocalOrders startWithSampleOrders() throws Exception {
        int port = freePort();
        DynamoDBProxyServer server =
                ServerRunner.createServerFromCommandLineArgs(
                        new String[] {
                            // Telemetry would try to reach AWS.
                            "-inMemory", "-port", Integer.toString(port), "-disableTelemetry"
                        });
        server.start();
        LocalOrders local = new LocalOrders(server, URI.create("http://localhost:" + port));
        local.writeSampleOrders();
        return local;
    }

    URI endpoint() {
        return endpoint;
    }

    AwsConfig awsConfig() {
        return AwsConfig.builder()
                .region(REGION)
                .endpointOverride(endpoint)
                .staticCredentials(ACCESS_KEY_ID, SECRET_ACCESS_KEY)
                .build();
    }

    /** Six orders; two change their amount, two are deleted (order-2 and order-5). */
    private void writeSampleOrders() {
        try (DynamoDbClient client =
                DynamoDbClient.builder()
                        .endpointOverride(endpoint)
                        .region(Region.of(REGION))
                        .credentialsProvider(
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create(
                                                ACCESS_KEY_ID, SECRET_ACCESS_KEY)))
                        .build()) {
            client.createTable(
                    b ->
                            b.tableName(TABLE)
                                    .keySchema(
                                            KeySchemaElement.builder()
                                                    .attributeName("order_id")
                                                    .keyType(KeyType.HASH)
                                                    .build())
                                    .attributeDefinitions(
                                            AttributeDefinition.builder()
                                                    .attributeName("order_id")
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build())
                                    .billingMode(BillingMode.PAY_PER_REQUEST)
                                    .streamSpecification(
                                            StreamSpecification.builder()
                                                    .streamEnabled(true)
                                                    .streamViewType(
                                                            StreamViewType.NEW_AND_OLD_IMAGES)
                                                    .build()));
            String[] customers = {"alice", "bob", "carol"};
            for (int i = 1; i <= 6; i++) {
                put(client, "order-" + i, customers[i % 3], (10 * i) + ".50");
            }
            put(client, "order-1", customers[1], "99.00");
            put(client, "order-4", customers[1], "5.25");
            for (String deleted : List.of("order-2", "order-5")) {
                client.deleteItem(
                        b ->
                                b.tableName(TABLE)
                                        .key(Map.of("order_id", AttributeValue.fromS(deleted))));
            }
        }
    }

    private static void put(DynamoDbClient client, String orderId, String customer, String amount) {
        AttributeValue item =
                AttributeValue.fromM(
                        Map.of(
                                "sku",
                                AttributeValue.fromS("sku-1"),
                                "qty",
                                AttributeValue.fromN("2")));
        client.putItem(
                b ->
                        b.tableName(TABLE)
                                .item(
                                        Map.of(
                                                "order_id", AttributeValue.fromS(orderId),
                                                "customer", AttributeValue.fromS(customer),
                                                "amount", AttributeValue.fromN(amount),
                                                "items", AttributeValue.fromL(List.of(item)))));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
