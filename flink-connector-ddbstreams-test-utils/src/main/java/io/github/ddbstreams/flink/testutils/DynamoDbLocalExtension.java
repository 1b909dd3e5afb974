package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.net.URI;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Runs a fresh {@link DynamoDbLocal} for each test class and stops it after the class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();
 * }</pre>
 *
 * <p>A fresh instance per class keeps other classes' stream records from slowing its writes. Tests
 * inside one class share it, so each should use its own table names.
 */
public final class DynamoDbLocalExtension implements BeforeAllCallback, AfterAllCallback {

    @Nullable private DynamoDbLocal local;

    @Override
    public void beforeAll(ExtensionContext context) {
        local = DynamoDbLocal.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (local != null) {
            local.close();
            local = null;
        }
    }

    /** The running instance. */
    public DynamoDbLocal get() {
        if (local == null) {
            throw new IllegalStateException(
                    "DynamoDB Local is not running: register DynamoDbLocalExtension on a static"
                            + " field with @RegisterExtension, and use it only inside tests");
        }
        return local;
    }

    /** See {@link DynamoDbLocal#endpoint()}. */
    public URI endpoint() {
        return get().endpoint();
    }

    /** See {@link DynamoDbLocal#awsConfig()}. */
    public AwsConfig awsConfig() {
        return get().awsConfig();
    }

    /** See {@link DynamoDbLocal#dynamoDbClient()}. */
    public DynamoDbClient dynamoDbClient() {
        return get().dynamoDbClient();
    }

    /** See {@link DynamoDbLocal#streamsClient()}. */
    public DynamoDbStreamsClient streamsClient() {
        return get().streamsClient();
    }

    /** See {@link DynamoDbLocal#createTable(String, StreamViewType)}. */
    @Nullable
    public String createTable(String tableName, @Nullable StreamViewType viewType) {
        return get().createTable(tableName, viewType);
    }

    /** See {@link DynamoDbLocal#createTable(String, StreamViewType, boolean)}. */
    @Nullable
    public String createTable(
            String tableName, @Nullable StreamViewType viewType, boolean withSortKey) {
        return get().createTable(tableName, viewType, withSortKey);
    }

    /** See {@link DynamoDbLocal#streamArn(String)}. */
    @Nullable
    public String streamArn(String tableName) {
        return get().streamArn(tableName);
    }

    /** See {@link DynamoDbLocal#putItem(String, Map)}. */
    public void putItem(String tableName, Map<String, AttributeValue> item) {
        get().putItem(tableName, item);
    }

    /** See {@link DynamoDbLocal#putItems(String, List)}. */
    public void putItems(String tableName, List<Map<String, AttributeValue>> items) {
        get().putItems(tableName, items);
    }

    /** See {@link DynamoDbLocal#putItems(String, String, int)}. */
    public void putItems(String tableName, String keyPrefix, int count) {
        get().putItems(tableName, keyPrefix, count);
    }

    /** See {@link DynamoDbLocal#triggerShardRollovers()}. */
    public void triggerShardRollovers() {
        get().triggerShardRollovers();
    }

    /** See {@link DynamoDbLocal#dilateEventTimes(long)}. */
    public void dilateEventTimes(long millis) {
        get().dilateEventTimes(millis);
    }
}
