package io.github.ddbstreams.flink.source.reader;

import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.assign;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.drain;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.split;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions.OnTrimmedData;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Data that is gone when the reader comes for it: a shard removed after retention, records trimmed
 * under an iterator. Whether that loses anything depends on whether the reader's position is a
 * checkpointed record of the shard (then the policy {@code source.on-trimmed-data} applies) or a
 * starting point defined by what the stream retains (TRIM_HORIZON, AT_TIMESTAMP, the LATEST
 * fallback), where nothing checkpointed is skipped.
 */
class ShardSplitReaderRetentionTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final ShardReaderMetrics metrics = ShardReaderMetrics.unregistered();

    private ShardSplitReader reader(OnTrimmedData onTrimmedData, int maxRecords) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(5));
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, maxRecords);
        config.set(DynamoDbStreamsSourceOptions.ON_TRIMMED_DATA, onTrimmedData);
        return new ShardSplitReader(fake, ShardReaderSettings.unbounded(config), metrics);
    }

    private List<String> write(String shard, int n) {
        List<String> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seqs.add(fake.put(shard, "k" + i, OperationType.INSERT, i));
        }
        return seqs;
    }

    /** A restore of a checkpoint older than retention: its shard closed and was removed since. */
    @Test
    void aCheckpointedPositionInAShardGoneAfterRetentionFailsNamingShardStreamAndPosition() {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 5);
        fake.rollover(shard);
        fake.removeShard(shard);
        ShardSplitReader reader = reader(OnTrimmedData.FAIL, 10);
        assign(reader, split(shard, ShardPosition.afterSequenceNumber(written.get(1))));

        assertThatThrownBy(() -> drain(reader, 3))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(shard)
                .hasMessageContaining(FakeStreamsClient.STREAM_ARN)
                .hasMessageContaining(written.get(1))
                .hasMessageContaining("source.on-trimmed-data")
                .hasMessageContaining("no longer exists");
        assertThat(metrics.shardsGone()).isZero();
    }

    @Test
    void aShardThatGoesAwayUnderAReaderThatEmittedRecordsFails() throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 3);
        ShardSplitReader reader = reader(OnTrimmedData.FAIL, 10);
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        assertThat(drain(reader, 1).sequenceNumbers).containsExactlyElementsOf(written);
        fake.rollover(shard);
        fake.removeShard(shard);

        assertThatThrownBy(() -> drain(reader, 3))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(shard)
                .hasMessageContaining(written.get(2));
    }

    @Test
    void withSkipToTrimHorizonAGoneShardWithACheckpointedPositionIsFinishedAsTrimmed()
            throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 5);
        fake.rollover(shard);
        fake.removeShard(shard);
        ShardSplitReader reader = reader(OnTrimmedData.SKIP_TO_TRIM_HORIZON, 10);
        assign(reader, split(shard, ShardPosition.afterSequenceNumber(written.get(1))));

        SplitReaderRun run = drain(reader, 3);

        assertThat(run.finished).containsExactly(shard);
        assertThat(metrics.trimmedDataSkips()).isEqualTo(1);
        assertThat(metrics.shardsGone()).as("counted once, as lost data").isZero();
    }

    /**
     * On AWS the trim horizon moves on all the time: trimming can overtake a TRIM_HORIZON iterator
     * between GetShardIterator and GetRecords. Nothing of the shard was read, so nothing
     * checkpointed is skipped: the reader takes a new TRIM_HORIZON iterator, even under FAIL.
     */
    @Test
    void trimmingThatOvertakesATrimHorizonIteratorTakesANewOneInsteadOfFailing()
            throws IOException {
        String shard = fake.addShard(null);
        List<String> written = write(shard, 10);
        fake.beforeNextGetRecords(shard, () -> fake.trim(shard, 4));
        ShardSplitReader reader = reader(OnTrimmedData.FAIL, 100);
        assign(reader, split(shard, ShardPosition.trimHorizon()));

        SplitReaderRun run = drain(reader, 20);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(written.subList(4, 10));
        assertThat(metrics.trimmedDataSkips()).isZero();
    }

    /**
     * An AT_TIMESTAMP start still skipping older records has emitted nothing: trimming under it
     * takes a new TRIM_HORIZON iterator that keeps the timestamp filter, under either policy (with
     * SKIP_TO_TRIM_HORIZON the filter used to be dropped, emitting records from before the
     * timestamp).
     */
    @ParameterizedTest
    @EnumSource(OnTrimmedData.class)
    void trimmingUnderAnAtTimestampStartKeepsItsFilter(OnTrimmedData policy) throws IOException {
        String shard = fake.addShard(null);
        write(shard, 3);
        fake.advanceClock(5_000);
        long from = fake.clockMillis();
        List<String> newer = write(shard, 3);
        ShardSplitReader reader = reader(policy, 1);
        assign(reader, split(shard, ShardPosition.atTimestamp(from)));
        assertThat(drain(reader, 1).sequenceNumbers).isEmpty(); // skipped the oldest record
        fake.beforeNextGetRecords(shard, () -> fake.trim(shard, 2));

        SplitReaderRun run = drain(reader, 30);

        assertThat(run.sequenceNumbers).containsExactlyElementsOf(newer);
        assertThat(metrics.trimmedDataSkips()).isZero();
    }

    /**
     * A starting iterator that keeps being reported as trimmed (DynamoDB Local does so on an empty
     * shard after another table was written) is re-taken with the retry back-off, never in a busy
     * loop, and {@code source.retry.give-up-after} ends it.
     */
    @Test
    void aStartThatKeepsBeingTrimmedIsRetakenWithBackOffNotInALoop() throws Exception {
        String shard = fake.addShard(null);
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(20));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(100));
        config.set(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER, Duration.ofMillis(1500));
        ShardSplitReader reader =
                new ShardSplitReader(fake, ShardReaderSettings.unbounded(config), metrics);
        assign(reader, split(shard, ShardPosition.trimHorizon()));
        fake.failNextCalls(
                Integer.MAX_VALUE,
                () -> TrimmedDataAccessException.builder().message("trimmed (fake)").build());

        long start = System.nanoTime();
        assertThatThrownBy(() -> drain(reader, 10_000))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("source.retry.give-up-after")
                .hasMessageContaining("trimmed (fake)");
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;

        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1500);
        // 20 ms doubling to 100 ms (half of it jitter) over 1.5 s: a few dozen calls at most.
        assertThat(fake.getShardIteratorCalls.get()).isBetween(5, 60);
        assertThat(metrics.trimmedDataSkips()).isZero();
    }
}
