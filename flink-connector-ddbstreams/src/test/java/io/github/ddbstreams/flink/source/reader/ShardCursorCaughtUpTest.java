package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * When a shard's empty page moves its watermark on with the wall clock, on a clock passed in: only
 * at the shard's tip (a LATEST iterator, a recent last record, or {@link
 * ShardPacing#CAUGHT_UP_EMPTY_PAGES} empty pages in a row), to the call's time less the margin,
 * never backwards, and not at all with the option off.
 */
class ShardCursorCaughtUpTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long MARGIN_MILLIS = 5_000;
    private static final Instant NOW = Instant.parse("2026-12-04T03:00:00Z");
    private static final long T = NOW.toEpochMilli();

    private final ShardReaderSettings settings = settings(true);

    @Test
    void anEmptyPageAtALatestIteratorMovesTheWatermarkToTheCallTimeLessTheMargin() {
        ShardCursor cursor = cursor(ShardPosition.latestIterator("it-0", T));

        ShardStep first = cursor.onPage(page("it-1"), "it-0", 0, T + 300, T, settings);
        ShardStep next =
                cursor.onPage(page("it-2"), "it-1", SECOND, T + 1_300, T + 1_000, settings);

        assertThat(watermarks(first)).containsExactly(T - MARGIN_MILLIS);
        assertThat(watermarks(next)).containsExactly(T + 1_000 - MARGIN_MILLIS);
    }

    @Test
    void anEmptyPageAfterARecentRecordIsAtTheTip() {
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-0");
        // Created 0.5 s before its fetch: the reading is right behind the stream's tip.
        cursor.onPage(page("it-1", record(1, NOW.minusMillis(500))), "it-0", 0, T, T, settings);

        ShardStep empty = cursor.onPage(page("it-2"), "it-1", SECOND, T + 1_000, T + 900, settings);

        assertThat(watermarks(empty)).containsExactly(T + 900 - MARGIN_MILLIS);
    }

    @Test
    void aShardBehindDoesNotMoveItsWatermarkUntilTenEmptyPagesInARow() {
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-0");
        List<Long> ticks = new ArrayList<>();
        // A backlog an hour old, with stretches of empty pages between its records.
        for (int i = 0; i < 5; i++) {
            long at = T + i * 10_000L;
            ticks.addAll(
                    watermarks(
                            cursor.onPage(
                                    page("it", record(i, NOW.minusSeconds(3600 - i))),
                                    "it",
                                    i * 10 * SECOND,
                                    at,
                                    at,
                                    settings)));
            for (int e = 1; e < ShardPacing.CAUGHT_UP_EMPTY_PAGES; e++) {
                ticks.addAll(watermarks(emptyPage(cursor, at + e)));
            }
        }
        assertThat(ticks).as("ticks of a shard reading a backlog").isEmpty();

        // The tenth empty page in a row: no other evidence, the shard counts as caught up.
        ShardStep tenth = emptyPage(cursor, T + 60_000);
        assertThat(watermarks(tenth)).containsExactly(T + 60_000 - MARGIN_MILLIS);
        // A record from the backlog again: behind, the count starts over.
        cursor.onPage(
                page("it", record(9, NOW)), "it", 61 * SECOND, T + 61_000, T + 61_000, settings);
        assertThat(watermarks(emptyPage(cursor, T + 62_000))).isEmpty();
    }

    @Test
    void aNewChildShardWithoutRecordsCountsAsCaughtUpAfterTenEmptyPages() {
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-0");
        List<Long> ticks = new ArrayList<>();
        for (int e = 0; e < ShardPacing.CAUGHT_UP_EMPTY_PAGES; e++) {
            ticks.addAll(watermarks(emptyPage(cursor, T + e * 1_000L)));
        }
        assertThat(ticks)
                .containsExactly(
                        T + (ShardPacing.CAUGHT_UP_EMPTY_PAGES - 1) * 1_000L - MARGIN_MILLIS);
    }

    @Test
    void theWatermarkNeverGoesBackwardsWhenTheWallClockDoes() {
        ShardCursor cursor = cursor(ShardPosition.latestIterator("it-0", T));

        List<Long> ticks = new ArrayList<>();
        for (long calledAt : new long[] {T, T + 2_000, T + 1_000, T + 2_000, T + 2_500}) {
            ticks.addAll(watermarks(emptyPage(cursor, calledAt)));
        }

        assertThat(ticks)
                .containsExactly(
                        T - MARGIN_MILLIS, T + 2_000 - MARGIN_MILLIS, T + 2_500 - MARGIN_MILLIS);
    }

    @Test
    void withTheOptionOffNoEmptyPageMovesTheWatermark() {
        ShardReaderSettings off = settings(false);
        ShardCursor cursor = cursor(ShardPosition.latestIterator("it-0", T));

        List<ShardElement> elements = new ArrayList<>();
        for (int e = 0; e < 2 * ShardPacing.CAUGHT_UP_EMPTY_PAGES; e++) {
            elements.addAll(
                    cursor.onPage(page("it"), "it", e * SECOND, T + e, T + e, off).elements());
        }

        assertThat(elements).noneMatch(ShardElement::isCaughtUp);
    }

    @Test
    void aClosedShardReadToItsEndNeverCountsAsCaughtUp() {
        ShardReaderSettings bounded = ShardReaderSettings.bounded(config(true), T);
        ShardCursor cursor = cursor(ShardPosition.latestIterator("it-0", T));
        cursor.onChildren(true, 0);

        List<Long> ticks = new ArrayList<>();
        for (int e = 0; e < 2 * ShardPacing.CAUGHT_UP_EMPTY_PAGES; e++) {
            ticks.addAll(
                    watermarks(cursor.onPage(page("it"), "it", e * SECOND, T + e, T + e, bounded)));
        }

        assertThat(ticks).isEmpty();
    }

    @Test
    void theShardsCaughtUpGaugeCountsShardsWhoseLastPageWasEmptyAtTheirTip() {
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardCursor latest = cursor(ShardPosition.latestIterator("it-0", T));
        ShardCursor backlog =
                new ShardCursor(
                        new ShardSplit(
                                SampleRecords.STREAM_ARN,
                                "shard-1",
                                null,
                                ShardPosition.trimHorizon()));
        backlog.onIteratorObtained("it-0");
        metrics.registerShard(latest);
        metrics.registerShard(backlog);
        // The option for caught-up watermarks is off: the gauge counts all the same.
        ShardReaderSettings noTicks = settings(false);
        assertThat(metrics.caughtUpShards()).as("before any page").isZero();

        latest.onPage(page("it-1"), "it-0", 0, T, T, noTicks);
        backlog.onPage(page("it-1", record(1, NOW.minusSeconds(3600))), "it-0", 0, T, T, noTicks);
        assertThat(metrics.caughtUpShards()).as("the LATEST shard's empty page").isEqualTo(1);

        backlog.onPage(page("it-2"), "it-1", SECOND, T + 1_000, T + 1_000, noTicks);
        assertThat(metrics.caughtUpShards()).as("an empty page behind is no tip").isEqualTo(1);

        latest.onPage(page("it-2", record(2, NOW)), "it-1", SECOND, T + 1_000, T, noTicks);
        assertThat(metrics.caughtUpShards()).as("a page with records").isZero();

        for (int e = 2; e <= ShardPacing.CAUGHT_UP_EMPTY_PAGES; e++) {
            long at = T + e * 1_000L;
            backlog.onPage(page("it-3"), "it-3", e * SECOND, at, at, noTicks);
        }
        assertThat(metrics.caughtUpShards()).as("ten empty pages in a row").isEqualTo(1);

        metrics.shardFinished(backlog);
        assertThat(metrics.caughtUpShards()).as("a finished shard is not read").isZero();
    }

    private ShardStep emptyPage(ShardCursor cursor, long calledAtMillis) {
        return cursor.onPage(
                page("it"),
                "it",
                TimeUnit.MILLISECONDS.toNanos(calledAtMillis - T),
                calledAtMillis,
                calledAtMillis,
                settings);
    }

    private static List<Long> watermarks(ShardStep step) {
        List<Long> watermarks = new ArrayList<>();
        for (ShardElement e : step.elements()) {
            if (e.isCaughtUp()) {
                watermarks.add(e.caughtUpWatermark());
            }
        }
        return watermarks;
    }

    private static ShardReaderSettings settings(boolean caughtUp) {
        return ShardReaderSettings.unbounded(config(caughtUp));
    }

    private static Configuration config(boolean caughtUp) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofSeconds(1));
        config.set(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_SHARDS, caughtUp);
        config.set(
                DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN,
                Duration.ofMillis(MARGIN_MILLIS));
        return config;
    }

    private static ShardCursor cursor(ShardPosition position) {
        return new ShardCursor(new ShardSplit(SampleRecords.STREAM_ARN, "shard-0", null, position));
    }

    private static GetRecordsResponse page(@Nullable String next, Record... records) {
        return GetRecordsResponse.builder().records(records).nextShardIterator(next).build();
    }

    private static Record record(long sequenceNumber, Instant created) {
        return Record.builder()
                .eventName("INSERT")
                .dynamodb(
                        StreamRecord.builder()
                                .sequenceNumber(Long.toString(sequenceNumber))
                                .approximateCreationDateTime(created)
                                .build())
                .build();
    }
}
