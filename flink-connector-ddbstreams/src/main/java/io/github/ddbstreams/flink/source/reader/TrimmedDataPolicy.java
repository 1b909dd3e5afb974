package io.github.ddbstreams.flink.source.reader;

import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * What the split reader does when the data at a shard's reading position is gone: trimmed (records
 * live 24 hours) or the whole shard removed (24 hours after it closed). Whether that loses changes
 * is the cursor's call ({@link ShardCursor#onDataGone}); this class applies {@code
 * source.on-trimmed-data}, logs, counts, and words the errors.
 */
final class TrimmedDataPolicy {
    private static final Logger LOG = LoggerFactory.getLogger(TrimmedDataPolicy.class);

    private final boolean skipAllowed;
    private final ShardReaderMetrics metrics;

    TrimmedDataPolicy(boolean skipAllowed, ShardReaderMetrics metrics) {
        this.skipAllowed = skipAllowed;
        this.metrics = metrics;
    }

    /**
     * A {@code TrimmedDataAccessException} on the shard; returns the outcome, after acting on it.
     * With {@link ShardCursor.LostData#NOTHING_CHECKPOINTED} the cursor takes a new starting
     * iterator, and the caller should back off before it does.
     *
     * @throws IOException if changes after a checkpointed position are lost and the policy is FAIL
     */
    ShardCursor.LostData onTrimmed(ShardCursor cursor, TrimmedDataAccessException e)
            throws IOException {
        ShardCursor.LostData outcome = cursor.onDataGone(skipAllowed);
        switch (outcome) {
            case NOTHING_CHECKPOINTED:
                // The trim horizon moved past a starting iterator (AWS trims continuously): no
                // record of the shard was emitted, so a new one at the same start loses nothing.
                LOG.debug(
                        "Trimming overtook the starting iterator of shard {}; taking a new one",
                        cursor.shardId());
                cursor.retakeStartingIterator();
                return outcome;
            case SKIP:
                LOG.warn(
                        "Records of {} have been trimmed; continuing at the shard's oldest "
                                + "retained record (source.on-trimmed-data = "
                                + "SKIP_TO_TRIM_HORIZON). The changes in between are lost.",
                        where(cursor));
                metrics.trimmedDataSkips.inc();
                cursor.restartAtTrimHorizon();
                return outcome;
            default:
                throw new IOException(
                        "The records of "
                                + where(cursor)
                                + " have been trimmed (DynamoDB Streams keeps records 24 hours), "
                                + "so continuing would silently lose changes. To accept the loss "
                                + "and continue from the oldest retained record, set "
                                + "'source.on-trimmed-data' to SKIP_TO_TRIM_HORIZON, or start the "
                                + "job without its checkpoint.",
                        e);
        }
    }

    /**
     * A {@code ResourceNotFoundException} on the shard: the shard is gone, or the whole stream is
     * (then the enumerator's listing fails the job, naming the stream). Returns true: the shard is
     * finished, nothing of it remains to read.
     *
     * @throws IOException if changes after a checkpointed position are lost and the policy is FAIL
     */
    boolean onShardGone(ShardCursor cursor, ResourceNotFoundException e) throws IOException {
        switch (cursor.onDataGone(skipAllowed)) {
            case NOTHING_CHECKPOINTED:
                LOG.warn(
                        "Shard {} of stream {} no longer exists ({}); nothing of it was read, "
                                + "treating it as finished",
                        cursor.shardId(),
                        cursor.split().getStreamArn(),
                        e.getMessage());
                metrics.shardsGone.inc();
                return true;
            case SKIP:
                LOG.warn(
                        "The {} no longer exists ({}): its changes after that position are "
                                + "lost; going on with its children (source.on-trimmed-data = "
                                + "SKIP_TO_TRIM_HORIZON)",
                        where(cursor),
                        e.getMessage());
                metrics.trimmedDataSkips.inc();
                return true;
            default:
                throw new IOException(
                        "The "
                                + where(cursor)
                                + " no longer exists ("
                                + e.getMessage()
                                + "): DynamoDB Streams removes a shard 24 hours after it closed "
                                + "(shards close within about 4 hours), so the job's checkpoint "
                                + "is older than the stream's retention and the shard's changes "
                                + "after that position are lost. (If the stream itself was "
                                + "deleted or the ARN is wrong, check it with DescribeTable's "
                                + "LatestStreamArn.) To accept the loss and go on with the "
                                + "shard's children, set 'source.on-trimmed-data' to "
                                + "SKIP_TO_TRIM_HORIZON, or start the job without its "
                                + "checkpoint.",
                        e);
        }
    }

    private static String where(ShardCursor cursor) {
        String position =
                cursor.lastSequenceNumber() != null
                        ? "after sequence number " + cursor.lastSequenceNumber()
                        : cursor.split().getPosition().toString();
        return String.format(
                "shard %s of stream %s at %s",
                cursor.shardId(), cursor.split().getStreamArn(), position);
    }
}
