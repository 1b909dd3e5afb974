package io.github.ddbstreams.flink.source;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.MemorySize;

/**
 * Every tuning option of the DynamoDB Streams source. Set them with {@link
 * DynamoDbStreamsSourceBuilder#setConfig} (or the builder's typed shortcuts); the table connector
 * exposes the same keys.
 */
@PublicEvolving
public final class DynamoDbStreamsSourceOptions {

    private DynamoDbStreamsSourceOptions() {}

    /** Every option of this class, in declaration order (the table connector forwards them). */
    public static List<ConfigOption<?>> all() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : DynamoDbStreamsSourceOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }

    public static final ConfigOption<Duration> SHARD_DISCOVERY_INTERVAL =
            ConfigOptions.key("source.shard.discovery-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often the enumerator looks for new shards. Each look continues "
                                    + "the DescribeStream listing after the newest known shard, "
                                    + "so its cost grows with new shards only. Children of a "
                                    + "finished shard are looked up at once when a reader "
                                    + "reports the shard's end, and again after 0.25, 0.5, 1, "
                                    + "2 and 4 s (within this interval) while the listing does "
                                    + "not show them yet, so this interval is not the floor of "
                                    + "the shard rollover latency.");

    public static final ConfigOption<Duration> SHARD_FULL_LISTING_INTERVAL =
            ConfigOptions.key("source.shard.full-listing-interval")
                    .durationType()
                    .defaultValue(Duration.ofMinutes(10))
                    .withDescription(
                            "How often the enumerator lists the whole stream as a safety net "
                                    + "against shards an incremental listing missed. It also "
                                    + "confirms that a shard's unlisted parent is gone (trimmed).");

    public static final ConfigOption<Duration> DISABLED_STREAM_SETTLE_TIME =
            ConfigOptions.key("source.shard.disabled-stream-settle-time")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(60))
                    .withDescription(
                            "How long DescribeStream's listing of a disabled stream may lag "
                                    + "behind: a shard that rolled over or split just before "
                                    + "the disable has children the listing may show late, "
                                    + "while a shard closed by the disable has none. A disabled "
                                    + "stream counts as read to its end (for "
                                    + "source.on-stream-disabled = FINISH or "
                                    + "FOLLOW_NEW_STREAM) only once every shard is finished and "
                                    + "a complete listing, started at least this long after the "
                                    + "stream was first seen disabled, shows it DISABLED.");

    public static final ConfigOption<Double> DESCRIBE_STREAM_MAX_CALLS_PER_SECOND =
            ConfigOptions.key("source.shard.describe-stream.max-calls-per-second")
                    .doubleType()
                    .defaultValue(5.0)
                    .withDescription(
                            "The most DescribeStream calls per second that one source makes "
                                    + "(listing pages and child-shard lookups together). "
                                    + "DynamoDB Streams allows 10 per second per account and "
                                    + "region, shared with every other consumer; the default "
                                    + "leaves half for them. A throttled call is retried after "
                                    + "a back-off with jitter (source.retry.initial-backoff up "
                                    + "to source.retry.max-backoff). More than 0, at most 10.");

    public static final ConfigOption<Duration> IDLE_POLL_INTERVAL =
            ConfigOptions.key("source.reader.idle-poll-interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(1))
                    .withDescription(
                            "How long a reader waits before polling a shard again after "
                                    + "GetRecords returned no records. A shard that returned "
                                    + "records is polled again at once, and so are up to 5 "
                                    + "empty pages in a row of a shard that is behind (records "
                                    + "may lie further on). The default keeps an idle shard at "
                                    + "one GetRecords call per second.");

    public static final ConfigOption<Boolean> WATERMARK_CAUGHT_UP_SHARDS =
            ConfigOptions.key("source.watermark.caught-up-shards.enabled")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Whether a shard that is caught up moves its watermark forward with "
                                    + "the wall clock (now minus "
                                    + "source.watermark.caught-up-shards.margin) when GetRecords "
                                    + "returns nothing, so that a quiet shard does not hold back "
                                    + "event time. A shard is caught up on an empty page when "
                                    + "its reading is known to be at the shard's tip (a LATEST "
                                    + "iterator, or a last record created within "
                                    + "source.reader.idle-poll-interval plus 2 s of its fetch), "
                                    + "or after 10 empty pages in a row; a closed shard being "
                                    + "read to its end never is. The watermark combines, per "
                                    + "shard, with the job's WatermarkStrategy (the larger "
                                    + "counts) and is never emitted when the strategy makes no "
                                    + "watermarks (WatermarkStrategy.noWatermarks()). false: a "
                                    + "shard without writes keeps its last record's watermark.");

    public static final ConfigOption<Duration> WATERMARK_CAUGHT_UP_MARGIN =
            ConfigOptions.key("source.watermark.caught-up-shards.margin")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "How far behind the wall clock (at the empty GetRecords call) a "
                                    + "caught-up shard's watermark stays. It must cover how much "
                                    + "earlier than its appearance in the stream a record's "
                                    + "event time can lie: ApproximateCreationDateTime is "
                                    + "truncated to the second (to the minute on DynamoDB "
                                    + "Local: use at least 60 s there), a record appears a "
                                    + "moment after the write (usually well under a second, "
                                    + "seconds under load), and this host's clock may differ "
                                    + "from AWS's. With event times taken from an attribute, it "
                                    + "must also cover how long before the write the attribute "
                                    + "may have been set. Records of a caught-up shard with "
                                    + "older event times would be late. Not negative.");

    public static final ConfigOption<Integer> GET_RECORDS_MAX_RECORDS =
            ConfigOptions.key("source.reader.get-records.max-records")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "The Limit of each GetRecords call, 1 to 1000 (the service maximum).");

    public static final ConfigOption<Integer> MAX_CONCURRENT_GET_RECORDS =
            ConfigOptions.key("source.reader.max-concurrent-get-records")
                    .intType()
                    .defaultValue(8)
                    .withDescription(
                            "How many GetRecords calls one reader (subtask) makes at the same "
                                    + "time, each to a different shard. A shard never has more "
                                    + "than one call in flight.");

    public static final ConfigOption<MemorySize> MAX_BUFFERED_BYTES =
            ConfigOptions.key("source.reader.max-buffered-bytes")
                    .memoryType()
                    .defaultValue(MemorySize.ofMebiBytes(16))
                    .withDescription(
                            "The most record bytes one reader (subtask) holds: records fetched "
                                    + "and not yet emitted (by their SizeBytes, Flink's "
                                    + "hand-over queue included) plus 1 MB for each GetRecords "
                                    + "call in flight, the most one call returns. A call starts "
                                    + "only if it fits, so at most this many MB of calls are in "
                                    + "flight (fewer than source.reader.max-concurrent-get-"
                                    + "records if that is larger), and fewer while emitting lags "
                                    + "behind. On the heap, records take a few times their "
                                    + "SizeBytes. At least 1 mb.");

    public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
            ConfigOptions.key("source.retry.initial-backoff")
                    .durationType()
                    .defaultValue(Duration.ofMillis(200))
                    .withDescription(
                            "First back-off after a throttled or failed AWS call on a shard; it "
                                    + "doubles (with jitter) on each further failure. Only the "
                                    + "failing shard waits; the reader's other shards go on.");

    public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
            ConfigOptions.key("source.retry.max-backoff")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription("The longest back-off between retries of a failing AWS call.");

    public static final ConfigOption<Integer> BOUNDED_EMPTY_POLLS_TO_FINISH =
            ConfigOptions.key("source.bounded.empty-polls-to-finish")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "In bounded mode, the fewest GetRecords calls in a row that must "
                                    + "return no records before an open shard counts as read up "
                                    + "to the job start; source.bounded.idle-time-to-finish must "
                                    + "have passed too. Never ends a closed shard, which is read "
                                    + "to its end.");

    public static final ConfigOption<Duration> BOUNDED_IDLE_TIME_TO_FINISH =
            ConfigOptions.key("source.bounded.idle-time-to-finish")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "In bounded mode, how long an open shard's GetRecords calls must have "
                                    + "returned no records (empty pages are followed meanwhile) "
                                    + "before the shard counts as read up to the job start. "
                                    + "DynamoDB Streams may answer with empty pages while "
                                    + "records lie further on; a longer time guards against a "
                                    + "long stretch of them. Before ending a shard this way the "
                                    + "reader asks whether the shard has children (then it is "
                                    + "closed and read to its end instead).");

    public static final ConfigOption<Duration> RETRY_GIVE_UP_AFTER =
            ConfigOptions.key("source.retry.give-up-after")
                    .durationType()
                    .noDefaultValue()
                    .withDescription(
                            "If set, a shard whose AWS calls keep failing (throttling, 5xx, "
                                    + "network errors) for this long fails the job with the last "
                                    + "error. Unset (default): retry forever, never restarting "
                                    + "the job; the failures are visible in the retry metrics.");

    public static final ConfigOption<Integer> SNAPSHOT_SEGMENTS =
            ConfigOptions.key("source.snapshot.segments")
                    .intType()
                    .noDefaultValue()
                    .withDescription(
                            "With the starting position INITIAL_SNAPSHOT: how many segments the "
                                    + "parallel Scan of the table has (its TotalSegments, 1 to "
                                    + "1000000). Each segment is a split, read by one subtask at "
                                    + "a time and checkpointed page by page. Unset (default): 4 "
                                    + "per subtask, or one per 256 MB of the table "
                                    + "(DescribeTable's TableSizeBytes) if that is more.");

    public static final ConfigOption<Integer> SNAPSHOT_PAGE_SIZE =
            ConfigOptions.key("source.snapshot.page-size")
                    .intType()
                    .defaultValue(1000)
                    .withDescription(
                            "With the starting position INITIAL_SNAPSHOT: the most items one Scan "
                                    + "call returns (its Limit; a page also ends at 1 MB). "
                                    + "Smaller pages mean smaller steps of the read-unit budget.");

    public static final ConfigOption<Double> SNAPSHOT_READ_UNITS_PER_SECOND =
            ConfigOptions.key("source.snapshot.read-units-per-second")
                    .doubleType()
                    .noDefaultValue()
                    .withDescription(
                            "With the starting position INITIAL_SNAPSHOT: the read capacity units "
                                    + "per second the whole source's Scan may consume on "
                                    + "average, shared equally by its subtasks (strongly "
                                    + "consistent reads: 1 unit per 4 KB), so a snapshot leaves "
                                    + "the table's own traffic its capacity. Unset (default): "
                                    + "no limit; throttled Scan calls are retried with back-off "
                                    + "either way and never fail the job.");

    public static final ConfigOption<Duration> SNAPSHOT_MAX_STREAM_LAG =
            ConfigOptions.key("source.snapshot.max-stream-lag")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(5))
                    .withDescription(
                            "With the starting position INITIAL_SNAPSHOT and an unbounded "
                                    + "source: how late a change may appear in the stream after "
                                    + "its ApproximateCreationDateTime (stream delay, its "
                                    + "whole-second precision and clock skew between Flink and "
                                    + "AWS). A snapshot row is held back until every shard has "
                                    + "been read this far past the row's read time, so that a "
                                    + "change made before the read is seen first. A change that "
                                    + "appears later still gives a consistent changelog, one "
                                    + "step back in its item's history (counted in "
                                    + "snapshotLateChangesRepaired). Larger: safer, rows held "
                                    + "longer.");

    public static final ConfigOption<OnTrimmedData> ON_TRIMMED_DATA =
            ConfigOptions.key("source.on-trimmed-data")
                    .enumType(OnTrimmedData.class)
                    .defaultValue(OnTrimmedData.FAIL)
                    .withDescription(
                            "What to do when a shard's checkpointed position is older than the "
                                    + "stream's 24 h retention (TrimmedDataAccessException, or "
                                    + "the whole shard gone), e.g. after restoring an old "
                                    + "savepoint. FAIL: fail the job, naming shard and position. "
                                    + "SKIP_TO_TRIM_HORIZON: continue from the oldest retained "
                                    + "record (or with a gone shard's children), log a warning "
                                    + "and count it in the trimmedDataSkips metric; the changes "
                                    + "in between are lost. A start that has emitted nothing yet "
                                    + "(TRIM_HORIZON, AT_TIMESTAMP, LATEST) skips nothing "
                                    + "checkpointed: trimming under it takes a new iterator.");

    public static final ConfigOption<OnDeserializationError> ON_DESERIALIZATION_ERROR =
            ConfigOptions.key("source.on-deserialization-error")
                    .enumType(OnDeserializationError.class)
                    .defaultValue(OnDeserializationError.FAIL)
                    .withDescription(
                            "What to do when the deserializer throws on a record. FAIL: fail "
                                    + "the job, naming shard and sequence number. SKIP: drop the "
                                    + "record, count it in the deserializationErrors metric and "
                                    + "go on.");

    public static final ConfigOption<OnStreamDisabled> ON_STREAM_DISABLED =
            ConfigOptions.key("source.on-stream-disabled")
                    .enumType(OnStreamDisabled.class)
                    .defaultValue(OnStreamDisabled.KEEP_RUNNING)
                    .withDescription(
                            "What to do once a disabled stream (status DISABLED) has been read "
                                    + "to the end of every shard. KEEP_RUNNING: stay running "
                                    + "with nothing to read. FINISH: end the source, so a job "
                                    + "with no other input finishes. FOLLOW_NEW_STREAM (only "
                                    + "for sources given table names): keep asking, every "
                                    + "discovery interval, for the table's latest stream; when "
                                    + "the stream is enabled again (a new stream ARN), read the "
                                    + "new stream from TRIM_HORIZON, its shards only after every "
                                    + "shard of the old stream is finished, so each item's "
                                    + "changes stay in order.");

    /** See {@link #ON_TRIMMED_DATA}. */
    @PublicEvolving
    public enum OnTrimmedData {
        FAIL,
        SKIP_TO_TRIM_HORIZON
    }

    /** See {@link #ON_DESERIALIZATION_ERROR}. */
    @PublicEvolving
    public enum OnDeserializationError {
        FAIL,
        SKIP
    }

    /** See {@link #ON_STREAM_DISABLED}. */
    @PublicEvolving
    public enum OnStreamDisabled {
        KEEP_RUNNING,
        FINISH,
        FOLLOW_NEW_STREAM
    }
}
