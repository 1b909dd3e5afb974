package io.github.ddbstreams.flink.source.reader;

import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.assign;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.drain;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/** Watermark alignment's pause and resume of single shards, on the fake's clock. */
class ShardSplitReaderAlignmentTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final ShardSplitReader reader = new ShardSplitReader(fake, settings());

    @Test
    void aPausedShardIsNotPolledWhileTheOthersGoOn() throws IOException {
        String slow = fake.addShard(null);
        String fast = fake.addShard(null);
        ShardSplit slowSplit = split(slow, ShardPosition.trimHorizon());
        assign(reader, slowSplit);
        assign(reader, split(fast, ShardPosition.trimHorizon()));
        drain(reader, 3);

        reader.pauseOrResumeSplits(List.<DynamoDbSplit>of(slowSplit), List.of());
        int slowCalls = fake.getRecordsCalls(slow);
        String slowRecord = fake.put(slow, "s", OperationType.INSERT, 1);
        String fastRecord = fake.put(fast, "f", OperationType.INSERT, 1);
        SplitReaderRun paused = drain(reader, 5);

        assertThat(fake.getRecordsCalls(slow)).isEqualTo(slowCalls);
        assertThat(paused.sequenceNumbers).containsExactly(fastRecord);
        assertThat(reader.pausedShardCount()).isEqualTo(1);

        reader.pauseOrResumeSplits(List.of(), List.<DynamoDbSplit>of(slowSplit));
        SplitReaderRun resumed = drain(reader, 3);

        assertThat(resumed.sequenceNumbers).containsExactly(slowRecord);
        assertThat(reader.pausedShardCount()).isZero();
    }

    @Test
    void aShardPausedPastItsIteratorsLifeResumesRightAfterItsLastRecord() throws IOException {
        String shard = fake.addShard(null);
        ShardSplit split = split(shard, ShardPosition.trimHorizon());
        List<String> written = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            written.add(fake.put(shard, "k" + i, OperationType.INSERT, 1));
        }
        assign(reader, split);
        SplitReaderRun before = drain(reader, 3);
        assertThat(before.sequenceNumbers).isEqualTo(written);

        reader.pauseOrResumeSplits(List.<DynamoDbSplit>of(split), List.of());
        fake.advanceClock(Duration.ofMinutes(20).toMillis());
        List<String> later = new ArrayList<>();
        for (int i = 3; i < 6; i++) {
            later.add(fake.put(shard, "k" + i, OperationType.INSERT, 1));
        }
        drain(reader, 3);
        int iteratorsBefore = fake.getShardIteratorCalls.get();
        reader.pauseOrResumeSplits(List.of(), List.<DynamoDbSplit>of(split));
        SplitReaderRun after = drain(reader, 5);

        // The held iterator expired: a new one after the last record, nothing lost or repeated.
        assertThat(after.sequenceNumbers).isEqualTo(later);
        assertThat(fake.getShardIteratorCalls.get()).isEqualTo(iteratorsBefore + 1);
    }

    private static ShardReaderSettings settings() {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ZERO);
        // Calls are counted once the fetches are over; a caught-up tick would end a fetch while
        // a call (not yet paused) is still out.
        config.set(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_SHARDS, false);
        return ShardReaderSettings.unbounded(config);
    }
}
