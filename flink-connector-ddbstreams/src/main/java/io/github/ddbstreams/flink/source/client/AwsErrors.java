package io.github.ddbstreams.flink.source.client;

import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;

/** Which AWS errors are worth retrying with back-off. */
@Internal
public final class AwsErrors {
    private AwsErrors() {}

    /**
     * Throttling, server errors (5xx) and client-side network errors (connection reset, timeouts)
     * are transient. Everything else (validation, access denied, ...) will fail again.
     */
    public static boolean isRetryable(SdkException e) {
        if (e instanceof LimitExceededException) {
            return true;
        }
        if (e instanceof AwsServiceException) {
            AwsServiceException service = (AwsServiceException) e;
            return service.isThrottlingException() || service.statusCode() >= 500;
        }
        return e instanceof SdkClientException;
    }

    /** Whether AWS refused the call for its rate: a subset of {@link #isRetryable}. */
    public static boolean isThrottling(SdkException e) {
        return e instanceof LimitExceededException
                || (e instanceof AwsServiceException
                        && ((AwsServiceException) e).isThrottlingException());
    }
}
