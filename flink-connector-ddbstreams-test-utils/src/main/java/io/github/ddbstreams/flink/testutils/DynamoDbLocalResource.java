package io.github.ddbstreams.flink.testutils;

import javax.annotation.Nullable;
import org.apache.flink.connector.testframe.TestResource;

/**
 * {@link DynamoDbLocal} as an external system of Flink's connector testing framework: annotate a
 * field of a {@code SourceTestSuiteBase} subclass with {@code @TestExternalSystem} and the
 * framework starts it before the class and stops it after.
 */
public final class DynamoDbLocalResource implements TestResource {

    @Nullable private DynamoDbLocal local;

    @Override
    public synchronized void startUp() {
        if (local == null) {
            local = DynamoDbLocal.start();
        }
    }

    @Override
    public synchronized void tearDown() {
        if (local != null) {
            local.close();
            local = null;
        }
    }

    /** The running instance. */
    public synchronized DynamoDbLocal get() {
        if (local == null) {
            throw new IllegalStateException(
                    "DynamoDB Local is not running: annotate this resource with"
                            + " @TestExternalSystem so the testing framework starts it");
        }
        return local;
    }
}
