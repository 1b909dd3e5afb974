package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumerator;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The enumerator's answers to failed listings and look-ups: fatal for a missing stream and an
 * unusable view type, each with a message that says what to fix; logged and retried otherwise.
 * Split out of {@link DynamoDbStreamsSourceEnumerator} so that it stays wiring only.
 */
@Internal
public final class ListingFailures {
    private ListingFailures() {}

    /**
     * Fails the job if {@code error} says the stream is gone; logs any other error, to be retried
     * at the next listing.
     *
     * @param log the enumerator's, where operators look for its warnings
     * @param what the call, as the log names it: "Shard discovery", "Child lookup"
     * @return whether there was an error (the listing brought nothing)
     */
    public static boolean failed(
            Logger log, String streamArn, @Nullable Throwable error, String what) {
        if (error == null) {
            return false;
        }
        if (isMissingStream(error)) {
            throw new FlinkRuntimeException(describe(streamArn, error), error);
        }
        if (wasInterrupted(error)) {
            log.debug("{} of stream {} interrupted", what, streamArn, error);
        } else {
            log.warn("{} of stream {} failed; will retry: {}", what, streamArn, error.toString());
        }
        return true;
    }

    /** Logs a failed look-up of a table's latest stream (following); it is tried again later. */
    public static void logLatestStreamLookupFailure(
            Logger log, String table, @Nullable Throwable error) {
        if (error instanceof IllegalArgumentException
                || (error != null && error.getCause() instanceof IllegalArgumentException)) {
            // The client's answer while the table has no enabled stream: the usual case until
            // someone enables it again.
            log.debug("Table {} has no enabled stream yet: {}", table, error.getMessage());
        } else if (error != null) {
            log.warn(
                    "Looking up the latest stream of table {} failed; will retry: {}",
                    table,
                    error.toString());
        }
    }

    public static void checkViewType(
            String streamArn, @Nullable StreamViewType viewType, EnumeratorSettings settings) {
        Set<StreamViewType> supported = settings.supportedViewTypes();
        if (viewType != null && !supported.isEmpty() && !supported.contains(viewType)) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Stream %s has view type %s, but the source's deserializer needs one "
                                    + "of %s. Change the table's StreamSpecification "
                                    + "(StreamViewType), or use a deserializer (or SQL "
                                    + "'changelog.mode') that works with %s.",
                            streamArn, viewType, supported, viewType));
        }
    }

    /**
     * A snapshot followed by the stream needs each change's new image (to merge it with the item's
     * snapshot row): KEYS_ONLY and OLD_IMAGE streams cannot give it.
     */
    public static void checkSnapshotViewType(String streamArn, @Nullable StreamViewType viewType) {
        if (viewType == StreamViewType.KEYS_ONLY || viewType == StreamViewType.OLD_IMAGE) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Stream %s has view type %s, but StartingPosition.initialSnapshot() "
                                    + "followed by the stream needs the changes' new images: "
                                    + "NEW_AND_OLD_IMAGES (a full changelog) or NEW_IMAGE (an "
                                    + "upsert changelog). Change the table's StreamSpecification "
                                    + "(StreamViewType), or read the contents only with "
                                    + "bounded() (SQL: 'scan.startup.mode' = 'snapshot').",
                            streamArn, viewType));
        }
    }

    /**
     * Whether the listing stopped because its thread was interrupted: Flink interrupts the
     * enumerator's worker thread when the enumerator closes (a bounded job finishing, a cancel, a
     * failover), and there is nothing to retry or report then.
     */
    public static boolean wasInterrupted(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof AbortedException) {
                return true;
            }
        }
        return false;
    }

    public static boolean isMissingStream(Throwable error) {
        return error instanceof ResourceNotFoundException
                || error.getCause() instanceof ResourceNotFoundException;
    }

    public static String describe(String streamArn, Throwable error) {
        if (isMissingStream(error)) {
            return "DynamoDB stream "
                    + streamArn
                    + " does not exist or is not readable with the configured credentials and "
                    + "region. Check the stream ARN (DescribeTable's LatestStreamArn) and the "
                    + "region.";
        }
        return "Could not list the shards of DynamoDB stream " + streamArn + ": " + error;
    }
}
