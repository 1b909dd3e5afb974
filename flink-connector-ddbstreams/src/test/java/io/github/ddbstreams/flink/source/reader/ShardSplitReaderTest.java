package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

class ShardSplitReaderTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();

    private ShardSplitReader reader(Duration idlePoll) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, idlePoll);
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 10);
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(50));
        return new ShardSplitReader(fake, ShardReaderSettings.unbounded(config));
    }

    private static ShardSplit split(String shardId, ShardPosition position) {
        return new ShardSplit(FakeStreamsClient.STREAM_ARN, shardId, null, position);
    }

    private static void assign(ShardSplitReader reader, ShardSplit... splits) {
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(splits)));
    }

    /** Fetches until the reader stops returning records for a while; collects per-shard keys. */
    private static Result drain(ShardSplitReader reader, int fetches) throws IOException {
        Result result = new Result();
        for (int i = 0; i < fetches; i++) {
            RecordsWithSplitIds<ShardElement> batch = reader.fetch();
            String splitId;
            while ((splitId = batch.nextSplit()) != null) {
                String shard = shardOf(splitId);
                ShardElement e;
                while ((e = batch.nextRecordFromSplit()) != null) {
                    if (e.record() != null) {
                        result.sequenceNumbers.add(e.record().dynamodb().sequenceNumber());
                        result.shards.add(shard);
                    } else if (e.refreshedLatestIterator() != null) {
                        result.iterators.add(e.refreshedLatestIterator());
                    }
                }
            }
            for (String finished : batch.finishedSplits()) {
                result.finished.add(shardOf(finished));
            }
        }
        return result;
    }

    /** Split ids name the stream and the shard. */
    private static String shardOf(String splitId) {
        assertThat(ShardSplit.streamArnOf(splitId)).isEqualTo(FakeStreamsClient.STREAM_ARN);
        return ShardSplit.shardIdOf(splitId);
    }

    private static final class Result {
        final List<String> sequenceNumbers = new ArrayList<>();
        final List<String> shards = new ArrayList<>();
        final List<String> iterators = new ArrayList<>();
        final Set<String> finished = new HashSet<>();
    }

    private List<String> write(String shard, int n) {
        List<String> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seqs.add(fake.put(shard, "k" + i, OperationType.INSERT, i));
        }
        return seqs;
    }

    @Test
    void readsBusyShardBackToBackAndFinishesAtShardEnd() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 35);
        fake.rollover(shard);
        ShardSplitReader reader = reader(Duration.ofHours(1));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        long start = System.nanoTime();
        Result result = drain(reader, 5);

        // 35 records at 10 per call: 4 calls and one confirming the end, none waiting for the
        // (1 hour) idle interval.
        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(result.finished).containsExactly(shard);
        assertThat(fake.getRecordsCalls.get()).isEqualTo(5);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(reader.shardCount()).isZero();
    }

    /**
     * DynamoDB Local lists a GetRecords call's records and checks whether the shard is closed in
     * two separate reads; the last writes before a rollover that land in between were lost (the
     * shard ended without them) in a failover ITCase on a loaded machine.
     */
    @Test
    void shardEndReportedBeforeTheLastRecordsIsConfirmedBeforeTheShardFinishes()
            throws IOException {
        String shard = fake.addShard(null);
        List<String> written = new ArrayList<>(write(shard, 3));
        fake.raceNextShardEnd(
                shard,
                () -> {
                    written.addAll(write(shard, 4));
                    fake.rollover(shard);
                });
        ShardSplitReader reader = reader(Duration.ofHours(1));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        Result result = drain(reader, 3);

        assertThat(written).hasSize(7);
        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(result.finished).containsExactly(shard);
        assertThat(fake.getShardIteratorCalls.get()).isEqualTo(1);
    }

    @Test
    void resumesAfterCheckpointedSequenceNumber() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 20);
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.afterSequenceNumber(written.get(6))));

        Result result = drain(reader, 3);

        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written.subList(7, 20));
    }

    @Test
    void expiredIteratorResumesWithoutLossOrDuplicate() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 15);
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        Result first = drain(reader, 1); // 10 records, holds an iterator at index 10

        fake.advanceClock(Duration.ofMinutes(16).toMillis());
        Result rest = drain(reader, 3);

        List<String> all = new ArrayList<>(first.sequenceNumbers);
        all.addAll(rest.sequenceNumbers);
        assertThat(all).containsExactlyElementsOf(written);
        // The new iterator came from the last record handed out, not from the trim horizon.
        assertThat(fake.getShardIteratorCalls.get()).isEqualTo(2);
    }

    @Test
    void idleShardIsPolledAtTheIdleIntervalAndNeverBusyLoops() throws Exception {
        String shard = fake.addShard(null);
        ShardSplitReader reader = reader(Duration.ofMillis(200));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        // A new TRIM_HORIZON iterator may sit behind empty pages: the first few are followed at
        // once.
        int followUps = ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE;
        drain(reader, 1 + followUps);
        assertThat(fake.getRecordsCalls.get()).isEqualTo(1 + followUps);

        long start = System.nanoTime();
        drain(reader, 10);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        // Ten fetches of an idle shard: every other fetch sleeps until the shard is due again.
        assertThat(fake.getRecordsCalls.get() - 1 - followUps).isBetween(4, 6);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(800);
    }

    @Test
    void wakeUpInterruptsAnIdleWait() throws Exception {
        String shard = fake.addShard(null);
        ShardSplitReader reader = reader(Duration.ofMinutes(10));
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        drain(reader, 1); // empty: next poll in 10 minutes

        CompletableFuture<Long> waited =
                CompletableFuture.supplyAsync(
                        () -> {
                            long start = System.nanoTime();
                            try {
                                reader.fetch();
                            } catch (IOException e) {
                                throw new RuntimeException(e);
                            }
                            return System.nanoTime() - start;
                        });
        Thread.sleep(200);
        reader.wakeUp();

        assertThat(waited.get(5, TimeUnit.SECONDS)).isLessThan(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void throttledShardBacksOffAloneWhileOthersAreRead() throws IOException {
        String slow = fake.addShard(null);
        String fast = fake.addShard(null);
        List<String> fastRecords = write(fast, 5);
        List<String> slowRecords = write(slow, 5);
        ShardSplitReader reader = reader(Duration.ofHours(1));
        assign(reader, split(fast, ShardPosition.trimHorizon()));
        assign(reader, split(slow, ShardPosition.trimHorizon()));
        fake.throttleShard(slow, 1);

        // Polls run side by side and a fetch returns what finished: neither shard waits for the
        // other, and the throttled one is read once its back-off is over. The fast shard follows
        // a few empty pages at once before it waits.
        Result result = drain(reader, 6 + ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);

        List<String> fastRead = new ArrayList<>();
        List<String> slowRead = new ArrayList<>();
        for (int i = 0; i < result.shards.size(); i++) {
            String seq = result.sequenceNumbers.get(i);
            (result.shards.get(i).equals(fast) ? fastRead : slowRead).add(seq);
        }
        assertThat(fastRead).containsExactlyElementsOf(fastRecords);
        assertThat(slowRead).containsExactlyElementsOf(slowRecords);
    }

    @Test
    void latestIteratorIsRefreshedUntilTheFirstRecord() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 5); // before the job start: never read
        String iterator =
                fake.getShardIterator(
                        FakeStreamsClient.STREAM_ARN, shard, ShardIteratorType.LATEST, null);
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.latestIterator(iterator, fake.clockMillis())));

        Result idle = drain(reader, 2);
        assertThat(idle.sequenceNumbers).isEmpty();
        assertThat(idle.iterators).isNotEmpty();

        List<String> after = write(shard, 3);
        Result result = drain(reader, 2);
        assertThat(result.sequenceNumbers).containsExactlyElementsOf(after);
    }

    @Test
    void expiredLatestIteratorFallsBackToTheStartTimeWithoutLosingRecords() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 3); // written 2 hours before the start: skipped
        fake.advanceClock(Duration.ofHours(2).toMillis());
        long jobStart = fake.clockMillis();
        String iterator =
                fake.getShardIterator(
                        FakeStreamsClient.STREAM_ARN, shard, ShardIteratorType.LATEST, null);
        List<String> afterStart = write(shard, 4);
        fake.advanceClock(Duration.ofMinutes(20).toMillis()); // the job-start iterator expires
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.latestIterator(iterator, jobStart)));

        Result result = drain(reader, 3);

        assertThat(result.sequenceNumbers).containsExactlyElementsOf(afterStart);
    }

    @Test
    void atTimestampSkipsOlderRecords() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 3);
        fake.advanceClock(5_000);
        long from = fake.clockMillis();
        List<String> newer = write(shard, 3);
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.atTimestamp(from)));

        assertThat(drain(reader, 2).sequenceNumbers).containsExactlyElementsOf(newer);
    }

    @Test
    void trimmedPositionFailsWithShardAndPosition() {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 10);
        fake.trim(shard, 5);
        ShardSplitReader reader = reader(Duration.ofMillis(1));
        assign(reader, split(shard, ShardPosition.afterSequenceNumber(written.get(1))));

        assertThatThrownBy(() -> reader.fetch())
                .isInstanceOf(IOException.class)
                .hasMessageContaining(shard)
                .hasMessageContaining(written.get(1))
                .hasMessageContaining("trimmed");
    }

    @Test
    void boundedModeFinishesAnOpenShardOnceCaughtUp() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 4);
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.BOUNDED_IDLE_TIME_TO_FINISH, Duration.ofMillis(20));
        ShardSplitReader reader =
                new ShardSplitReader(fake, ShardReaderSettings.bounded(config, fake.clockMillis()));
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        Result result = new Result();
        for (int i = 0; i < 1000 && result.finished.isEmpty(); i++) {
            Result one = drain(reader, 1);
            result.sequenceNumbers.addAll(one.sequenceNumbers);
            result.finished.addAll(one.finished);
        }

        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(result.finished).containsExactly(shard);
    }

    private ShardSplitReader reader(Configuration extra, ShardReaderMetrics metrics) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(5));
        config.addAll(extra);
        return new ShardSplitReader(fake, ShardReaderSettings.unbounded(config), metrics);
    }

    @Test
    void trimmedDataCanBeSkippedToTheTrimHorizonAndIsCounted() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 10);
        fake.trim(shard, 5);
        Configuration config = new Configuration();
        config.set(
                DynamoDbStreamsSourceOptions.ON_TRIMMED_DATA,
                DynamoDbStreamsSourceOptions.OnTrimmedData.SKIP_TO_TRIM_HORIZON);
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardSplitReader reader = reader(config, metrics);
        assign(reader, split(shard, ShardPosition.afterSequenceNumber(written.get(1))));

        Result result = drain(reader, 3);

        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written.subList(5, 10));
        assertThat(metrics.trimmedDataSkips()).isEqualTo(1);
    }

    @Test
    void trimmedDataFromGetRecordsIsHandledLikeFromGetShardIterator() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 10);
        ShardSplitReader failing = reader(new Configuration(), ShardReaderMetrics.unregistered());
        assign(failing, split(shard, ShardPosition.trimHorizon()));
        assertThat(drain(failing, 1).sequenceNumbers).containsExactlyElementsOf(written);
        // The reader now holds an iterator; the data under it is trimmed before GetRecords.
        fake.failNextCalls(
                1,
                () ->
                        software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException
                                .builder()
                                .message("trimmed")
                                .build());

        assertThatThrownBy(() -> failing.fetch())
                .hasMessageContaining(shard)
                .hasMessageContaining(written.get(9))
                .hasMessageContaining("source.on-trimmed-data");
        assertThat(fake.getRecordsCalls.get()).isEqualTo(2);
    }

    @Test
    void retriesThrottlingAndServerErrorsAndCountsThem() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 3);
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardSplitReader reader = reader(new Configuration(), metrics);
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        fake.throttleNextCalls(2);

        Result result = drain(reader, 10);
        fake.failNextCalls(
                1,
                () ->
                        (RuntimeException)
                                software.amazon.awssdk.services.dynamodb.model.DynamoDbException
                                        .builder()
                                        .statusCode(503)
                                        .message("service unavailable")
                                        .build());
        drain(reader, 10);

        assertThat(result.sequenceNumbers).containsExactlyElementsOf(written);
        assertThat(metrics.retriedErrors()).isEqualTo(3);
        assertThat(metrics.throttledCalls()).as("the 503 is no throttling").isEqualTo(2);
    }

    @Test
    void givesUpAfterTheConfiguredTimeWithTheLastError() {
        String shard = fake.addShard(null);
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER, Duration.ofMillis(50));
        ShardSplitReader reader = reader(config, ShardReaderMetrics.unregistered());
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        fake.throttleNextCalls(Integer.MAX_VALUE);

        assertThatThrownBy(() -> drain(reader, 1000))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("source.retry.give-up-after")
                .hasMessageContaining("rate exceeded");
    }

    @Test
    void nonRetryableErrorsFailWithTheShard() {
        String shard = fake.addShard(null);
        ShardSplitReader reader = reader(new Configuration(), ShardReaderMetrics.unregistered());
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        fake.failNextCalls(
                1,
                () ->
                        (RuntimeException)
                                software.amazon.awssdk.services.dynamodb.model.DynamoDbException
                                        .builder()
                                        .statusCode(400)
                                        .message("AccessDenied")
                                        .build());

        assertThatThrownBy(() -> reader.fetch())
                .hasMessageContaining(shard)
                .hasMessageContaining("non-retryable");
    }

    /**
     * Only right for a split that read nothing of the shard (TRIM_HORIZON here): a checkpointed
     * position in a gone shard is lost data, see {@code ShardSplitReaderRetentionTest}.
     */
    @Test
    void aShardGoneAfterRetentionBeforeAnythingWasReadIsFinishedAndCounted() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 2);
        fake.rollover(shard);
        fake.removeShard(shard);
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardSplitReader reader = reader(new Configuration(), metrics);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        Result result = drain(reader, 1);

        assertThat(result.finished).containsExactly(shard);
        assertThat(metrics.shardsGone()).isEqualTo(1);
    }

    @Test
    void countsCallsEmptyPollsAndExpiredIterators() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 2);
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        ShardSplitReader reader = reader(new Configuration(), metrics);
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        drain(reader, 3);
        fake.advanceClock(Duration.ofMinutes(20).toMillis());
        drain(reader, 3);

        assertThat(metrics.getRecordsCalls()).isEqualTo(fake.getRecordsCalls.get());
        assertThat(metrics.emptyPolls()).isGreaterThanOrEqualTo(2);
        assertThat(metrics.expiredIterators()).isEqualTo(1);
    }

    @Test
    void pollsDueShardsConcurrentlyButNeverOneShardTwice() throws IOException {
        List<String> shards = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String shard = fake.addShard(null);
            write(shard, 25);
            shards.add(shard);
        }
        fake.setGetRecordsLatencyMillis(30);
        ShardSplitReader reader = reader(Duration.ofMillis(1)); // 10 records per call
        for (String shard : shards) {
            assign(reader, split(shard, ShardPosition.trimHorizon()));
        }

        // A fetch returns once a poll brought records, so a round may take several fetches.
        Result result = drain(reader, 30);

        assertThat(result.sequenceNumbers).hasSize(150).doesNotHaveDuplicates();
        assertThat(fake.maxConcurrentGetRecords()).isGreaterThan(1);
        assertThat(fake.maxConcurrentGetRecordsPerShard()).isEqualTo(1);
        // Per shard, records still arrive in order.
        for (String shard : shards) {
            List<String> seqs = new ArrayList<>();
            for (int i = 0; i < result.shards.size(); i++) {
                if (result.shards.get(i).equals(shard)) {
                    seqs.add(result.sequenceNumbers.get(i));
                }
            }
            assertThat(seqs).hasSize(25).isSorted();
        }
    }

    @Test
    void millisBehindLatestReflectsTheBacklogAndDropsToZeroWhenCaughtUp() throws IOException {
        String shard = fake.addShard(null);
        write(shard, 30); // the fake's clock is years behind the wall clock: a big backlog
        ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 10);
        ShardSplitReader reader = reader(config, metrics);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        drain(reader, 1);
        assertThat(metrics.maxMillisBehindLatest()).isGreaterThan(Duration.ofDays(1).toMillis());

        // The rest, then the empty pages a shard that is behind follows at once (records may lie
        // further on), then one more: caught up.
        drain(reader, 2 + ShardPacing.MAX_EMPTY_PAGES_FOLLOWED_AT_ONCE);
        assertThat(metrics.maxMillisBehindLatest()).isPositive();
        drain(reader, 1);
        assertThat(metrics.maxMillisBehindLatest()).isZero();
    }
}
