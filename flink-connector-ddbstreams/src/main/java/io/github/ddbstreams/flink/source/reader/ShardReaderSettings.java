package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import java.io.Serializable;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The split reader's polling, back-off, bounded-mode and caught-up watermark settings, read once
 * from the options.
 */
@Internal
public final class ShardReaderSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * In bounded mode, a record created this long after the job start ends an open shard's read.
     * The margin covers DynamoDB Local's minute-truncated creation times (AWS: seconds).
     */
    static final long BOUNDED_END_MARGIN_MILLIS = JobStart.BOUNDED_END_MARGIN_MILLIS;

    private final int maxRecordsPerCall;
    private final int maxConcurrentPolls;
    private final long maxBufferedBytes;
    private final long idlePollIntervalNanos;
    private final long initialBackOffNanos;
    private final long maxBackOffNanos;
    private final boolean bounded;
    private final long boundedEndMillis;
    private final int boundedEmptyPollsToFinish;
    private final long boundedIdleTimeToFinishNanos;
    private final boolean skipTrimmedData;

    /** How far behind the wall clock a caught-up shard's watermark stays; -1: not advanced. */
    private final long caughtUpMarginMillis;

    /** -1: retry forever. */
    private final long giveUpAfterNanos;

    private ShardReaderSettings(Configuration config, boolean bounded, long jobStartMillis) {
        this.maxRecordsPerCall = config.get(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS);
        this.maxConcurrentPolls =
                config.get(DynamoDbStreamsSourceOptions.MAX_CONCURRENT_GET_RECORDS);
        this.maxBufferedBytes =
                config.get(DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES).getBytes();
        this.idlePollIntervalNanos =
                config.get(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL).toNanos();
        this.initialBackOffNanos =
                config.get(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF).toNanos();
        this.maxBackOffNanos = config.get(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF).toNanos();
        this.bounded = bounded;
        this.boundedEndMillis =
                bounded ? jobStartMillis + BOUNDED_END_MARGIN_MILLIS : Long.MAX_VALUE;
        this.boundedEmptyPollsToFinish =
                config.get(DynamoDbStreamsSourceOptions.BOUNDED_EMPTY_POLLS_TO_FINISH);
        this.boundedIdleTimeToFinishNanos =
                config.get(DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH).toNanos();
        this.skipTrimmedData =
                config.get(DynamoDbStreamsSourceOptions.ON_TRIMMED_DATA)
                        == DynamoDbStreamsSourceOptions.OnTrimmedData.SKIP_TO_TRIM_HORIZON;
        this.caughtUpMarginMillis =
                config.get(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_SHARDS)
                        ? config.get(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN)
                                .toMillis()
                        : -1;
        this.giveUpAfterNanos =
                config.getOptional(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER)
                        .map(java.time.Duration::toNanos)
                        .orElse(-1L);
    }

    public static ShardReaderSettings unbounded(Configuration config) {
        return new ShardReaderSettings(config, false, Long.MAX_VALUE);
    }

    /** Settings of a bounded read of what existed at {@code jobStartMillis}. */
    public static ShardReaderSettings bounded(Configuration config, long jobStartMillis) {
        return new ShardReaderSettings(config, true, jobStartMillis);
    }

    int maxRecordsPerCall() {
        return maxRecordsPerCall;
    }

    int maxConcurrentPolls() {
        return maxConcurrentPolls;
    }

    long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    long idlePollIntervalNanos() {
        return idlePollIntervalNanos;
    }

    boolean bounded() {
        return bounded;
    }

    int boundedEmptyPollsToFinish() {
        return boundedEmptyPollsToFinish;
    }

    long boundedIdleTimeToFinishNanos() {
        return boundedIdleTimeToFinishNanos;
    }

    boolean skipTrimmedData() {
        return skipTrimmedData;
    }

    /** Whether caught-up shards advance their watermark ({@link #caughtUpMarginMillis()}). */
    boolean caughtUpWatermarks() {
        return caughtUpMarginMillis >= 0;
    }

    /** How far behind the wall clock a caught-up shard's watermark stays. */
    long caughtUpMarginMillis() {
        return caughtUpMarginMillis;
    }

    /** True if a shard failing since {@code failingForNanos} must stop retrying. */
    boolean shouldGiveUp(long failingForNanos) {
        return giveUpAfterNanos >= 0 && failingForNanos >= giveUpAfterNanos;
    }

    boolean isPastBoundedEnd(Record record) {
        if (!bounded) {
            return false;
        }
        Instant created = record.dynamodb().approximateCreationDateTime();
        return created != null && created.toEpochMilli() > boundedEndMillis;
    }

    /** Exponential back-off with full jitter for the n-th failure in a row (n >= 1). */
    long backOffNanos(int failures) {
        long ceiling = initialBackOffNanos << Math.min(failures - 1, 20);
        if (ceiling <= 0 || ceiling > maxBackOffNanos) {
            ceiling = maxBackOffNanos;
        }
        // Half fixed, half random: retries of many shards spread out but never come back at once.
        return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
    }
}
