package io.github.ddbstreams.flink.source.enumerator;

import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.util.FlinkRuntimeException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The enumerator's fatal answers to a stream's listing: a missing stream and an unusable view type,
 * each with a message that says what to fix. Split out of {@link DynamoDbStreamsSourceEnumerator}
 * so that it stays wiring only.
 */
final class ListingFailures {

    private ListingFailures() {}

    static void checkViewType(
            StreamShards stream, @Nullable StreamViewType viewType, EnumeratorSettings settings) {
        Set<StreamViewType> supported = settings.supportedViewTypes();
        if (viewType != null && !supported.isEmpty() && !supported.contains(viewType)) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Stream %s has view type %s, but the source's deserializer needs one "
                                    + "of %s. Change the table's StreamSpecification "
                                    + "(StreamViewType), or use a deserializer (or SQL "
                                    + "'changelog.mode') that works with %s.",
                            stream.streamArn, viewType, supported, viewType));
        }
    }

    /**
     * Whether the listing stopped because its thread was interrupted: Flink interrupts the
     * enumerator's worker thread when the enumerator closes (a bounded job finishing, a cancel, a
     * failover), and there is nothing to retry or report then.
     */
    static boolean wasInterrupted(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof AbortedException) {
                return true;
            }
        }
        return false;
    }

    static boolean isMissingStream(Throwable error) {
        return error instanceof ResourceNotFoundException
                || error.getCause() instanceof ResourceNotFoundException;
    }

    static String describe(StreamShards stream, Throwable error) {
        if (isMissingStream(error)) {
            return "DynamoDB stream "
                    + stream.streamArn
                    + " does not exist or is not readable with the configured credentials and "
                    + "region. Check the stream ARN (DescribeTable's LatestStreamArn) and the "
                    + "region.";
        }
        return "Could not list the shards of DynamoDB stream " + stream.streamArn + ": " + error;
    }
}
