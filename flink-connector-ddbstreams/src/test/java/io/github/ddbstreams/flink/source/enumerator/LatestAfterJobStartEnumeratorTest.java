package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.time.Duration;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/**
 * LATEST for an enumerator that is not the job's first (a failover before the first checkpoint), or
 * that starts long after the job's start instant: no LATEST iterator, which would skip what was
 * written since the start, but every shard from its oldest record, filtered by creation time.
 */
class LatestAfterJobStartEnumeratorTest {

    private static final long MARGIN = JobStart.CREATION_TIME_MARGIN_MILLIS;

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final long now = System.currentTimeMillis();
    private EnumeratorHarness h;

    @BeforeEach
    void recordsCarryTheWallClock() {
        fake.advanceClock(now - fake.clockMillis());
    }

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    private static EnumeratorSettings latest(JobStart jobStart) {
        return new EnumeratorSettings(
                StartingPosition.latest(), new Configuration(), false, Set.of(), jobStart);
    }

    @Test
    void aFirstEnumeratorPastTheDeadlineReadsFromTheJobStartByCreationTime() throws Throwable {
        long jobStart = now - JobStart.LATEST_ITERATOR_DEADLINE_MILLIS - 10_000;
        long cutoff = jobStart - MARGIN;
        fake.advanceClock(-Duration.ofHours(2).toMillis());
        String old = fake.addShard(null);
        fake.put(old, "k", OperationType.INSERT, 1);
        String closedAfterStart = fake.rollover(old); // old closed 2 h ago
        fake.advanceClock(jobStart - fake.clockMillis() + 5_000);
        fake.put(closedAfterStart, "k", OperationType.INSERT, 2);
        String open = fake.rollover(closedAfterStart); // closed after the start
        fake.put(open, "k", OperationType.INSERT, 3);

        h = EnumeratorHarness.started(fake, 1, latest(JobStart.at(jobStart, false)), null);
        h.register(0);
        h.runInitialDiscovery();

        assertThat(fake.getShardIteratorCalls.get()).as("no LATEST iterator").isZero();
        assertThat(h.assignedShardIds())
                .as("a shard closed before the start is not read")
                .containsExactly(closedAfterStart);
        assertThat(h.split(closedAfterStart).getPosition())
                .isEqualTo(ShardPosition.atTimestamp(cutoff));

        h.finish(0, closedAfterStart);
        assertThat(h.assignedShardIds()).containsExactly(closedAfterStart, open);
        assertThat(h.split(open).getPosition()).isEqualTo(ShardPosition.atTimestamp(cutoff));
    }

    @Test
    void anEnumeratorAfterAnotherOfTheJobTakesNoIteratorEvenRightAfterTheStart() throws Throwable {
        String shard = fake.addShard(null);
        JobStart first = JobStart.at(now, false);
        try (EnumeratorHarness earlier =
                EnumeratorHarness.started(fake, 1, latest(first.forNewEnumerator()), null)) {
            earlier.register(0);
            earlier.runInitialDiscovery();
            assertThat(earlier.split(shard).getPosition().getKind())
                    .isEqualTo(ShardPosition.Kind.LATEST_ITERATOR);
        }

        h = EnumeratorHarness.started(fake, 1, latest(first.forNewEnumerator()), null);
        h.register(0);
        h.runInitialDiscovery();

        assertThat(h.split(shard).getPosition()).isEqualTo(ShardPosition.atTimestamp(now - MARGIN));
        assertThat(fake.getShardIteratorCalls.get()).as("the first enumerator's only").isOne();
    }

    /** The state of a checkpoint taken before the first listing proves the job started before. */
    @Test
    void aStateCheckpointedBeforeTheFirstListingIsResolvedByCreationTime() throws Throwable {
        String shard = fake.addShard(null);
        long jobStart = now - 1_000;
        DynamoDbStreamsSourceEnumState beforeListing;
        try (EnumeratorHarness earlier =
                EnumeratorHarness.started(fake, 1, latest(JobStart.at(jobStart, false)), null)) {
            beforeListing = earlier.checkpoint(1);
        }

        h = EnumeratorHarness.started(fake, 1, latest(JobStart.at(now, false)), beforeListing);
        h.register(0);
        h.runInitialDiscovery();

        assertThat(fake.getShardIteratorCalls.get()).isZero();
        assertThat(h.split(shard).getPosition())
                .isEqualTo(ShardPosition.atTimestamp(jobStart - MARGIN));
    }

    @Test
    void creationTimePositionsOfUnassignedShardsSurviveACheckpoint() throws Throwable {
        String shard = fake.addShard(null);
        long jobStart = now - 1_000;
        DynamoDbStreamsSourceEnumState listed;
        try (EnumeratorHarness earlier =
                EnumeratorHarness.started(fake, 1, latest(JobStart.at(jobStart, true)), null)) {
            earlier.runInitialDiscovery(); // no reader yet: nothing assigned
            listed = earlier.checkpoint(1);
        }

        h = EnumeratorHarness.started(fake, 1, latest(JobStart.at(now, false)), listed);
        h.register(0);
        h.endRegistrationGrace();

        assertThat(h.split(shard).getPosition())
                .isEqualTo(ShardPosition.atTimestamp(jobStart - MARGIN));
    }
}
