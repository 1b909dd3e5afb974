package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.assign.SplitPlanner;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.FlinkRuntimeException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/**
 * The look-up of a configured table's stream (DescribeTable's {@code LatestStreamArn}) at the
 * enumerator's start; the {@link SplitPlanner} keeps which tables are still to resolve. The look-up
 * runs in the enumerator's {@code callAsync} work, not when Flink creates the enumerator: that runs
 * on the coordinator thread, where a slow DescribeTable would hold up the job's coordination, and a
 * throttled or 5xx one would fail the job at once instead of being retried like the first listing.
 * A table the restored state already reads is not looked up again; the source maps it to its
 * stream.
 *
 * <p>{@link #resolve} runs on the worker thread and reads nothing but its argument and final,
 * thread-safe fields.
 */
@Internal
public final class TableResolution {

    private final StreamsClient client;
    private final DescribeStreamPacer pacer;
    private final EnumeratorSettings settings;

    public TableResolution(
            StreamsClient client, DescribeStreamPacer pacer, EnumeratorSettings settings) {
        this.client = client;
        this.pacer = pacer;
        this.settings = settings;
    }

    /**
     * The table's current stream. Worker thread. Goes through the pacer as the look-ups of a
     * followed table's new stream do.
     *
     * @throws IllegalArgumentException if the table has no enabled stream
     */
    public String resolve(String table) throws InterruptedException {
        return InitialListingRetry.call(
                "Looking up the stream of table " + table + " (DescribeTable)",
                settings,
                () -> pacer.call(() -> client.resolveLatestStreamArn(table)));
    }

    /** The job's failure for a table that could not be resolved, saying what to fix. */
    public static FlinkRuntimeException failure(String table, Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof ResourceNotFoundException) {
                return new FlinkRuntimeException(
                        "DynamoDB table '"
                                + table
                                + "' does not exist in the region and account of the configured "
                                + "credentials. Check the table name (tableName(...), SQL "
                                + "'table-name') and the region.",
                        error);
            }
            if (t instanceof IllegalArgumentException) {
                // The client's message names the table and says how to enable its stream.
                return new FlinkRuntimeException(t.getMessage(), error);
            }
        }
        return new FlinkRuntimeException(
                "Could not look up the stream of DynamoDB table '"
                        + table
                        + "' (DescribeTable): "
                        + error,
                error);
    }
}
