package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * {@link ShardCursor}'s reading protocol, page by page, without a client: the pages are built here
 * and time is passed in.
 */
class ShardCursorTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final Instant START = Instant.parse("2026-12-04T03:00:00Z");

    private final ShardReaderSettings unbounded = ShardReaderSettings.unbounded(config());

    @Test
    void aShardEndIsBelievedOnlyFromACallMadeAfterItWasSeen() {
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        assertThat(cursor.startingPoint()).isEqualTo(ShardStartingPoint.trimHorizon());
        cursor.onIteratorObtained("it-1");

        ShardStep seen = cursor.onPage(page(null, record(1), record(2)), "it-1", 0, 0, unbounded);

        assertThat(sequenceNumbers(seen)).containsExactly("1", "2");
        assertThat(seen.next()).isEqualTo(ShardStep.Next.POLL);
        assertThat(cursor.iterator()).isEqualTo("it-1");
        assertThat(cursor.nextPollAtNanos()).isZero();

        // The confirming call sees a record written just before the end, and nothing twice.
        ShardStep confirmed =
                cursor.onPage(page(null, record(1), record(2), record(3)), "it-1", 5, 5, unbounded);

        assertThat(sequenceNumbers(confirmed)).containsExactly("3");
        assertThat(confirmed.next()).isEqualTo(ShardStep.Next.FINISHED);
        assertThat(cursor.millisBehindLatest()).isZero();
    }

    @Test
    void anExpiredIteratorIsRetakenAfterTheLastRecordHandedOn() {
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-1");
        cursor.onPage(page("it-2", record(7)), "it-1", 0, 0, unbounded);

        cursor.onIteratorLost();

        assertThat(cursor.iterator()).isNull();
        assertThat(cursor.startingPoint())
                .isEqualTo(new ShardStartingPoint(ShardIteratorType.AFTER_SEQUENCE_NUMBER, "7"));
    }

    @Test
    void aBoundedReadStopsBeforeTheFirstRecordCreatedAfterItsEnd() {
        ShardReaderSettings bounded = ShardReaderSettings.bounded(config(), START.toEpochMilli());
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-1");
        Record inTime = record(1, START.plusSeconds(59));
        Record after = record(2, START.plusSeconds(61));

        ShardStep step = cursor.onPage(page("it-2", inTime, after), "it-1", 0, 0, bounded);

        assertThat(sequenceNumbers(step)).containsExactly("1");
        assertThat(step.next()).isEqualTo(ShardStep.Next.FINISHED);
    }

    @Test
    void aCaughtUpOpenShardOfABoundedReadAsksForChildrenBeforeEnding() {
        ShardReaderSettings bounded = ShardReaderSettings.bounded(config(), START.toEpochMilli());
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        cursor.onIteratorObtained("it-1");
        cursor.onPage(page("it-2", record(1, START)), "it-1", 0, START.toEpochMilli(), bounded);

        // Three empty pages (source.bounded.empty-polls-to-finish) over 5 s (idle-time-to-finish).
        List<ShardStep.Next> steps = new ArrayList<>();
        for (long t : new long[] {1, 3, 7}) {
            steps.add(cursor.onPage(page("it-2"), "it-2", t * SECOND, 0, bounded).next());
        }

        assertThat(steps)
                .containsExactly(
                        ShardStep.Next.POLL, ShardStep.Next.POLL, ShardStep.Next.ASK_IF_OPEN);
        // With children the shard is closed: read on at once, never asked again.
        assertThat(cursor.onChildren(true, 7 * SECOND)).isFalse();
        assertThat(cursor.nextPollAtNanos()).isEqualTo(7 * SECOND);
        assertThat(cursor.onPage(page("it-2"), "it-2", 20 * SECOND, 0, bounded).next())
                .isEqualTo(ShardStep.Next.POLL);
        assertThat(cursor.nextPollAtNanos()).isEqualTo(20 * SECOND);
        // Without children it is open: read up to the bounded end, so finished.
        ShardCursor open = cursor(ShardPosition.trimHorizon());
        assertThat(open.onChildren(false, 0)).isTrue();
    }

    @Test
    void anUnpositionedLatestShardHandsOnAFresherIteratorEveryFewMinutes() {
        ShardCursor cursor =
                cursor(ShardPosition.latestIterator("it-latest", START.toEpochMilli()));
        assertThat(cursor.iterator()).isEqualTo("it-latest");

        ShardStep first = cursor.onPage(page("it-a"), "it-latest", 0, 0, unbounded);
        ShardStep soon = cursor.onPage(page("it-b"), "it-a", 60 * SECOND, 0, unbounded);
        ShardStep later = cursor.onPage(page("it-c"), "it-b", 301 * SECOND, 0, unbounded);

        assertThat(iterators(first)).containsExactly("it-a");
        assertThat(iterators(soon)).isEmpty();
        assertThat(iterators(later)).containsExactly("it-c");
        // Once a record is emitted, its sequence number is the position: no more iterators.
        cursor.onPage(page("it-d", record(4)), "it-c", 302 * SECOND, 0, unbounded);
        assertThat(iterators(cursor.onPage(page("it-e"), "it-d", 900 * SECOND, 0, unbounded)))
                .isEmpty();
    }

    @Test
    void anAtTimestampStartSkipsOlderRecordsButMovesPastThem() {
        ShardCursor cursor = cursor(ShardPosition.atTimestamp(START.toEpochMilli()));
        cursor.onIteratorObtained("it-1");

        ShardStep step =
                cursor.onPage(
                        page("it-2", record(1, START.minusSeconds(5)), record(2, START)),
                        "it-1",
                        0,
                        0,
                        unbounded);

        assertThat(sequenceNumbers(step)).containsExactly("2");
        cursor.onIteratorLost();
        assertThat(cursor.startingPoint().sequenceNumber()).isEqualTo("2");
    }

    @Test
    void lostDataLosesChangesOnlyAfterAPositionWasHandedOn() {
        ShardCursor fresh = cursor(ShardPosition.trimHorizon());
        ShardCursor restored = cursor(ShardPosition.afterSequenceNumber("9"));

        assertThat(fresh.onDataGone(false)).isEqualTo(ShardCursor.LostData.NOTHING_CHECKPOINTED);
        assertThat(restored.onDataGone(false)).isEqualTo(ShardCursor.LostData.FAIL);
        assertThat(restored.onDataGone(true)).isEqualTo(ShardCursor.LostData.SKIP);

        restored.restartAtTrimHorizon();
        assertThat(restored.startingPoint()).isEqualTo(ShardStartingPoint.trimHorizon());
        assertThat(restored.onDataGone(false)).isEqualTo(ShardCursor.LostData.NOTHING_CHECKPOINTED);
    }

    @Test
    void failuresBackOffLongerEachTimeAndGiveUpAfterTheLimit() throws IOException {
        Configuration config = config();
        config.set(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER, Duration.ofSeconds(10));
        ShardReaderSettings settings = ShardReaderSettings.unbounded(config);
        ShardCursor cursor = cursor(ShardPosition.trimHorizon());
        LimitExceededException throttled = LimitExceededException.builder().build();

        assertThat(cursor.onFailure(throttled, 0, settings)).isEqualTo(1);
        // 200 ms initial back-off: half fixed, half jitter.
        assertThat(cursor.nextPollAtNanos()).isBetween(100_000_000L, 200_000_000L);
        assertThat(cursor.onFailure(throttled, SECOND, settings)).isEqualTo(2);
        assertThat(cursor.nextPollAtNanos() - SECOND).isBetween(200_000_000L, 400_000_000L);

        assertThatThrownBy(() -> cursor.onFailure(throttled, 11 * SECOND, settings))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("kept failing for 11 s")
                .hasMessageContaining("shard-0");

        // A success in between starts the count again.
        ShardCursor recovering = cursor(ShardPosition.trimHorizon());
        recovering.onFailure(throttled, 0, settings);
        recovering.onIteratorObtained("it-1");
        recovering.onPage(page("it-2"), "it-1", 9 * SECOND, 0, settings);
        assertThat(recovering.onFailure(throttled, 30 * SECOND, settings)).isEqualTo(1);
    }

    private static Configuration config() {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofSeconds(1));
        return config;
    }

    private static ShardCursor cursor(ShardPosition position) {
        return new ShardCursor(new ShardSplit(SampleRecords.STREAM_ARN, "shard-0", null, position));
    }

    private static GetRecordsResponse page(@Nullable String next, Record... records) {
        return GetRecordsResponse.builder().records(records).nextShardIterator(next).build();
    }

    private static Record record(long sequenceNumber) {
        return record(sequenceNumber, START);
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

    /** The fresher LATEST iterators a step hands on. */
    private static List<String> iterators(ShardStep step) {
        List<String> iterators = new ArrayList<>();
        for (ShardElement e : step.elements()) {
            if (e.refreshedLatestIterator() != null) {
                iterators.add(e.refreshedLatestIterator());
            }
        }
        return iterators;
    }

    private static List<String> sequenceNumbers(ShardStep step) {
        List<String> numbers = new ArrayList<>();
        step.elements().forEach(e -> numbers.add(e.record().dynamodb().sequenceNumber()));
        return numbers;
    }
}
