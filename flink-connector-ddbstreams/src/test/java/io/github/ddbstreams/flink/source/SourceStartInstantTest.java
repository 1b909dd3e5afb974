package io.github.ddbstreams.flink.source;

import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.assigned;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.runOneTimeCallables;
import static io.github.ddbstreams.flink.testutils.EnumeratorSteps.start;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.reader.IdleAwareReaderOutput;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/**
 * One start instant per built source, shared by every enumerator and reader of its job: what LATEST
 * means after an enumerator is created afresh (a failover before the first checkpoint), and where a
 * bounded read ends.
 */
class SourceStartInstantTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();

    @BeforeEach
    void recordsCarryTheWallClock() {
        // The filters compare creation times with the source's start instant, a wall-clock time.
        fake.advanceClock(System.currentTimeMillis() - fake.clockMillis());
    }

    @AfterEach
    void forgetClient() {
        FakeStreamsClients.remove(fake);
    }

    private DynamoDbStreamsSourceBuilder<ChangeEvent> builder() {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .streamArn(FakeStreamsClient.STREAM_ARN)
                .idlePollInterval(Duration.ofMillis(10))
                .streamsClientFactory(FakeStreamsClients.factoryFor(fake));
    }

    /**
     * Flink creates a fresh enumerator when the job fails over before its first checkpoint; it is
     * made by the same source, deserialized again from the job graph. Taking LATEST again at that
     * moment would skip every record written since the job started.
     */
    @Test
    void aFreshEnumeratorAfterTheFirstReadsWhatWasWrittenSinceTheJobStarted() throws Throwable {
        String shard = fake.addShard(null);
        fake.advanceClock(-Duration.ofMinutes(10).toMillis());
        fake.put(shard, "before", OperationType.INSERT, 1);
        fake.advanceClock(Duration.ofMinutes(10).toMillis());
        DynamoDbStreamsSource<ChangeEvent> source =
                builder().startingPosition(StartingPosition.latest()).build();

        ShardSplit first = onlySplit(startEnumerator(source));
        String a = fake.put(shard, "a", OperationType.INSERT, 1);
        String b = fake.put(shard, "b", OperationType.INSERT, 1);
        ShardSplit second = onlySplit(startEnumerator(InstantiationUtil.clone(source)));

        assertThat(first.getPosition().getKind())
                .as("the first start takes a LATEST iterator")
                .isEqualTo(ShardPosition.Kind.LATEST_ITERATOR);
        assertThat(read(source, second, 2))
                .extracting(ChangeEvent::getSequenceNumber)
                .containsExactly(a, b);
    }

    /**
     * The readers end a bounded read at the source's start instant (plus a margin); the enumerator
     * must leave out the shards created after that same instant, not after its own creation.
     */
    @Test
    void aBoundedReadLeavesOutShardsCreatedAfterTheSourceWasBuilt() throws Throwable {
        fake.advanceClock(-Duration.ofMinutes(10).toMillis());
        String parent = fake.addShard(null);
        fake.put(parent, "old", OperationType.INSERT, 1);
        DynamoDbStreamsSource<ChangeEvent> source =
                builder().startingPosition(StartingPosition.trimHorizon()).bounded().build();
        // After the bounded end: the build plus the margin records get too.
        fake.advanceClock(
                System.currentTimeMillis()
                        + JobStart.BOUNDED_END_MARGIN_MILLIS
                        + 1_000
                        - fake.clockMillis());
        String child = fake.rollover(parent);
        fake.put(child, "new", OperationType.INSERT, 1);

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);
            assertThat(assigned(context))
                    .extracting(ShardSplit::getShardId)
                    .containsExactly(parent);

            enumerator.handleSourceEvent(
                    0,
                    new FinishesReportedEvent(
                            List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
            runOneTimeCallables(context);

            assertThat(assigned(context))
                    .extracting(ShardSplit::getShardId)
                    .containsExactly(parent);
            assertThat(context.hasNoMoreSplits(0)).as("the bounded read is complete").isTrue();
        }
    }

    /**
     * Flink's connector test suite builds a bounded source, then writes (rolling shards over), then
     * submits: what was written in between counts as there when the job starts, within the same
     * margin that the readers' end of an open shard has.
     */
    @Test
    void aBoundedReadTakesShardsCreatedSoonAfterTheBuildLikeItsReadersTakeRecords()
            throws Throwable {
        fake.advanceClock(-Duration.ofMinutes(10).toMillis());
        String parent = fake.addShard(null);
        fake.put(parent, "old", OperationType.INSERT, 1);
        DynamoDbStreamsSource<ChangeEvent> source =
                builder().startingPosition(StartingPosition.trimHorizon()).bounded().build();
        fake.advanceClock(System.currentTimeMillis() + 1_000 - fake.clockMillis());
        String child = fake.rollover(parent);
        fake.put(child, "written after the build", OperationType.INSERT, 1);

        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);
            enumerator.handleSourceEvent(
                    0,
                    new FinishesReportedEvent(
                            List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
            runOneTimeCallables(context);

            assertThat(assigned(context))
                    .extracting(ShardSplit::getShardId)
                    .containsExactly(parent, child);
        }
    }

    private static List<ShardSplit> startEnumerator(DynamoDbStreamsSource<ChangeEvent> source)
            throws Throwable {
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                        new MockSplitEnumeratorContext<>(1);
                SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator =
                        source.createEnumerator(context)) {
            start(context, enumerator);
            return assigned(context);
        }
    }

    private static ShardSplit onlySplit(List<ShardSplit> splits) {
        assertThat(splits).hasSize(1);
        return splits.get(0);
    }

    /** What a reader of {@code source} emits from {@code split}: {@code count} events, or fewer. */
    private static List<ChangeEvent> read(
            DynamoDbStreamsSource<ChangeEvent> source, ShardSplit split, int count)
            throws Exception {
        TestingReaderOutput<ChangeEvent> output = new IdleAwareReaderOutput<>();
        try (SourceReader<ChangeEvent, DynamoDbSplit> reader =
                source.createReader(new TestingReaderContext())) {
            reader.start();
            reader.addSplits(List.of(split));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (output.getEmittedRecords().size() < count && System.nanoTime() < deadline) {
                if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                    try {
                        reader.isAvailable().get(50, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // poll again until the deadline
                    }
                }
            }
        }
        return output.getEmittedRecords();
    }
}
