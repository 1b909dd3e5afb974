package io.github.ddbstreams.flink.source.reader;

import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.assign;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.drain;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.drainUntilFinished;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/**
 * GetRecords may return empty pages while records lie further on, and several empty pages before a
 * closed shard's end (only a missing next iterator ends a shard). The reader follows them: at once
 * while the shard is behind, at the idle interval once it looks caught up, and in bounded mode it
 * ends an open shard by time and a check that it is not closed, never by a count of empty pages.
 */
class ShardSplitReaderEmptyPagesTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();

    private List<String> write(String shard, int n) {
        List<String> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seqs.add(fake.put(shard, "k" + i, OperationType.INSERT, i));
        }
        return seqs;
    }

    private static Configuration config(Duration idlePoll) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, idlePoll);
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 10);
        return config;
    }

    private ShardSplitReader bounded(Configuration config) {
        return new ShardSplitReader(fake, ShardReaderSettings.bounded(config, fake.clockMillis()));
    }

    @Test
    void boundedModeReadsAClosedShardToItsEndThroughEmptyPages() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = new ArrayList<>(write(shard, 3));
        fake.addEmptyPages(shard, 4);
        written.addAll(write(shard, 3));
        fake.addEmptyPages(shard, 3);
        fake.rollover(shard);
        ShardSplitReader reader = bounded(config(Duration.ofMillis(1)));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        SplitReaderRun run = drainUntilFinished(reader, shard, 100);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(run.finished).containsExactly(shard);
    }

    /**
     * A stretch of empty pages longer than the idle time to finish: before ending the shard as
     * caught up, the reader finds it has a child, so it is closed and is read on to its end.
     */
    @Test
    void boundedModeReadsAClosedShardOnPastAStretchOfEmptyPagesLongerThanTheIdleTime()
            throws IOException {
        String shard = fake.addShard(null);
        List<String> written = new ArrayList<>(write(shard, 3));
        fake.addEmptyPages(shard, 30);
        written.addAll(write(shard, 3));
        fake.rollover(shard);
        Configuration config = config(Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH, Duration.ZERO);
        config.set(DynamoDbStreamsSourceOptions.BOUNDED_EMPTY_POLLS_TO_FINISH, 1);
        ShardSplitReader reader = bounded(config);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        SplitReaderRun run = drainUntilFinished(reader, shard, 200);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(run.finished).containsExactly(shard);
        assertThat(fake.listChildShardsCalls.get()).as("asked once").isEqualTo(1);
    }

    @Test
    void boundedModeReadsAnOpenShardsRecordsBehindEmptyPages() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = new ArrayList<>(write(shard, 3));
        fake.addEmptyPages(shard, 4);
        written.addAll(write(shard, 3)); // created before the bounded end
        Configuration config = config(Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH, Duration.ofMillis(50));
        ShardSplitReader reader = bounded(config);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        SplitReaderRun run = drainUntilFinished(reader, shard, 10_000);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(run.finished).containsExactly(shard);
    }

    @Test
    void boundedModeEndsACaughtUpOpenShardByTimeNotByACountOfEmptyPages() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 3);
        Configuration config = config(Duration.ofMillis(1));
        config.set(
                DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH, Duration.ofMillis(300));
        ShardSplitReader reader = bounded(config);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        long start = System.nanoTime();
        SplitReaderRun early = drain(reader, 12);
        assertThat(early.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(early.finished).as("10+ empty pages, but not 300 ms of them").isEmpty();

        SplitReaderRun rest = drainUntilFinished(reader, shard, 10_000);

        assertThat(rest.finished).containsExactly(shard);
        assertThat(System.nanoTime() - start)
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        // The open shard was asked for children once, found none: caught up, so finished.
        assertThat(fake.listChildShardsCalls.get()).isEqualTo(1);
    }

    /**
     * Mid-backlog empty pages (records far behind the clock) are followed at once: with a 10 s idle
     * interval, a shard with two stretches of empty pages between its records is read in one fetch
     * per page and no fetch waits (a waiting fetch sleeps up to 1 s).
     */
    @Test
    void emptyPagesInABacklogAreFollowedAtOnce() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = new ArrayList<>(write(shard, 10));
        fake.addEmptyPages(shard, ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);
        written.addAll(write(shard, 10));
        fake.addEmptyPages(shard, ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);
        written.addAll(write(shard, 10));
        ShardSplitReader reader =
                new ShardSplitReader(
                        fake, ShardReaderSettings.unbounded(config(Duration.ofSeconds(10))));
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        int pages = 3 + 2 * ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE;

        long start = System.nanoTime();
        SplitReaderRun run = drain(reader, pages);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(fake.getRecordsCalls.get()).isEqualTo(pages);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
    }

    /** A closed shard with empty pages before its end is finished without idle waits too. */
    @Test
    void emptyPagesBeforeAClosedShardsEndAreFollowedAtOnce() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 5);
        fake.addEmptyPages(shard, 3);
        fake.rollover(shard);
        ShardSplitReader reader =
                new ShardSplitReader(
                        fake, ShardReaderSettings.unbounded(config(Duration.ofSeconds(10))));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        long start = System.nanoTime();
        SplitReaderRun run = drainUntilFinished(reader, shard, 10);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(run.finished).containsExactly(shard);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.MILLISECONDS.toNanos(900));
    }

    /**
     * The idle cost: a caught-up shard behind which nothing lies follows only a few empty pages at
     * once, then polls at the idle interval, never in a loop.
     */
    @Test
    void aCaughtUpShardFollowsAFewEmptyPagesThenPollsAtTheIdleInterval() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 5); // created years before the wall clock: the reader thinks it is behind
        ShardSplitReader reader =
                new ShardSplitReader(
                        fake, ShardReaderSettings.unbounded(config(Duration.ofMillis(300))));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        long start = System.nanoTime();
        drain(reader, 30);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // One page of records, the capped follow-ups, then one call per 300 ms.
        int followUps = ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE;
        long idleCalls = elapsedMillis / 300;
        assertThat(fake.getRecordsCalls.get())
                .isBetween(1 + followUps, 1 + followUps + (int) idleCalls + 1);
    }

    /**
     * A shard at its tip (the last record was created just now) is not polled again at once after
     * an empty page: following empty pages is for shards that are behind.
     */
    @Test
    void aShardAtItsTipWaitsTheIdleIntervalAfterAnEmptyPage() throws IOException {
        fake.setClock(System.currentTimeMillis());
        String shard = fake.addShard(null);
        write(shard, 5);
        ShardSplitReader reader =
                new ShardSplitReader(
                        fake, ShardReaderSettings.unbounded(config(Duration.ofSeconds(10))));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        drain(reader, 4); // records, one empty page, then waiting

        assertThat(fake.getRecordsCalls.get()).isEqualTo(2);
    }
}
