package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The enumerator across failures: partial failover ({@code addSplitsBack}), the race between a
 * finish report and a checkpoint, and restore from a snapshot.
 *
 * <p>Flink's order on a partial failover of subtask s: s is unregistered, {@code addSplitsBack}
 * gets the splits assigned to s since the checkpoint s restarts from, then the restored reader
 * registers again ({@code addReader}).
 */
class DynamoDbStreamsSourceEnumeratorRecoveryTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final List<EnumeratorHarness> harnesses = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (EnumeratorHarness h : harnesses) {
            h.close();
        }
    }

    private EnumeratorHarness start(int parallelism) {
        return track(EnumeratorHarness.started(fake, parallelism, StartingPosition.trimHorizon()));
    }

    private EnumeratorHarness restore(DynamoDbStreamsSourceEnumState state, int parallelism) {
        return track(
                EnumeratorHarness.started(
                        fake,
                        parallelism,
                        EnumeratorHarness.settings(
                                StartingPosition.trimHorizon(), new Configuration(), false),
                        state));
    }

    private EnumeratorHarness track(EnumeratorHarness h) {
        harnesses.add(h);
        return h;
    }

    private static void failSubtask(EnumeratorHarness h, int subtask, ShardSplit... returned) {
        h.context.unregisterReader(subtask);
        assertThatCode(() -> h.enumerator.addSplitsBack(List.of(returned), subtask))
                .doesNotThrowAnyException();
    }

    @Test
    void returnedSplitsGoBackToTheirSubtaskWhenItRegistersAgain() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        EnumeratorHarness h = start(2);
        h.register(0, 1);
        h.runInitialDiscovery();
        assertThat(h.subtaskByShard()).containsExactly(Map.entry(a, 0), Map.entry(b, 1));

        ShardPosition returnedAt = ShardPosition.afterSequenceNumber("000000000000000000123");
        failSubtask(h, 0, h.split(a).withPosition(returnedAt));
        // Subtask 1 is there, but the shard's lineage belongs to subtask 0, which comes back.
        assertThat(h.assignedShardIds()).containsExactly(a, b);

        h.register(0);
        assertThat(h.assignedTo(0)).containsExactly(a, a);
        assertThat(h.split(a).getPosition()).isEqualTo(returnedAt);
    }

    @Test
    void aShardAssignedAndFinishedSinceTheCheckpointIsReadAgainBeforeItsChild() throws Throwable {
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        EnumeratorHarness h = start(2);
        h.register(0, 1);
        h.runInitialDiscovery();
        h.finish(0, a);
        assertThat(h.assignedTo(0)).containsExactly(a, a1);

        // No checkpoint completed: the restored subtask 0 holds neither shard, so both come back.
        // Shard a's records since the checkpoint are rolled back with it: a must be read again,
        // and a1 only after that.
        failSubtask(h, 0, h.split(a), h.split(a1));
        h.register(0);
        assertThat(h.assignedTo(0)).containsExactly(a, a1, a);
        assertThat(h.split(a).getPosition()).isEqualTo(ShardPosition.trimHorizon());

        h.finish(0, a);
        assertThat(h.assignedTo(0)).containsExactly(a, a1, a, a1);
        assertThat(h.assignedTo(1)).isEmpty();
    }

    @Test
    void aFinishNotInACompletedCheckpointIsTakenBackOnPartialFailover() throws Throwable {
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        EnumeratorHarness h = start(1);
        h.register(0);
        h.runInitialDiscovery();
        h.enumerator.snapshotState(1);
        h.enumerator.notifyCheckpointComplete(1);
        h.finish(0, a);
        assertThat(h.assignedShardIds()).containsExactly(a, a1);

        // Subtask 0 restarts from checkpoint 1, where it still reads a; a1 was assigned after.
        failSubtask(h, 0, h.split(a1));
        h.register(0);
        assertThat(h.assignedShardIds())
                .as("a1 waits until the restored reader has read a again")
                .containsExactly(a, a1);

        h.finish(0, a);
        assertThat(h.assignedShardIds()).containsExactly(a, a1, a1);
    }

    @Test
    void aFinishReportedAfterASnapshotIsReplayedFromTheReaderAfterRestore() throws Throwable {
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        EnumeratorHarness h = start(1);
        h.register(0);
        h.runInitialDiscovery();
        DynamoDbStreamsSourceEnumState state = h.checkpoint(1);
        h.finish(0, a); // reaches the enumerator after its part of checkpoint 1
        assertThat(h.assignedShardIds()).containsExactly(a, a1);
        h.enumerator.notifyCheckpointComplete(1);
        assertThat(h.eventsTo(0)).as("the finish is not in checkpoint 1").isEmpty();

        // Global failover to checkpoint 1: the reader still holds a (or its finished marker).
        EnumeratorHarness restored = restore(state, 1);
        restored.register(0);
        restored.runPeriodicDiscovery();
        assertThat(restored.assignedShardIds()).as("a is held by the restored reader").isEmpty();

        restored.finish(0, a);
        restored.finish(0, a); // reports may repeat; they must stay harmless
        assertThat(restored.assignedShardIds()).containsExactly(a1);
        assertThat(restored.split(a1).getParentShardId()).isEqualTo(a);
    }

    @Test
    void acknowledgesOnlyFinishesInACompletedCheckpointToTheSubtaskThatReportedThem()
            throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        String a1 = fake.rollover(a);
        fake.rollover(b);
        EnumeratorHarness h = start(2);
        h.register(0, 1);
        h.runInitialDiscovery();

        h.enumerator.snapshotState(1);
        h.finish(0, a);
        h.finish(1, b);
        h.enumerator.snapshotState(2);
        h.finish(0, a1);

        h.enumerator.notifyCheckpointComplete(1);
        assertThat(h.context.getSentSourceEvent()).isEmpty();

        h.enumerator.notifyCheckpointComplete(2);
        assertThat(acked(h.eventsTo(0))).containsExactly(a);
        assertThat(acked(h.eventsTo(1))).containsExactly(b);

        h.enumerator.snapshotState(3);
        h.enumerator.notifyCheckpointComplete(3);
        assertThat(acked(h.eventsTo(0))).containsExactly(a, a1);
        assertThat(acked(h.eventsTo(1))).containsExactly(b);
    }

    @Test
    void aRestoredEnumeratorAssignsWhatTheOriginalWouldHaveAssigned() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        String c = fake.addShard(null);
        String a1 = fake.rollover(a);
        String a2 = fake.rollover(a1);
        List<String> bChildren = fake.split(b);
        EnumeratorHarness original = start(2);
        original.register(0, 1);
        original.runInitialDiscovery();
        original.finish(0, a);
        assertThat(original.subtaskByShard())
                .containsOnly(Map.entry(a, 0), Map.entry(b, 1), Map.entry(c, 0), Map.entry(a1, 0));
        DynamoDbStreamsSourceEnumState state = original.checkpoint(7);

        EnumeratorHarness restored = restore(state, 2);
        restored.register(0, 1);
        restored.runPeriodicDiscovery();
        assertThat(restored.assignedShardIds())
                .as("finished and assigned shards stay where they are")
                .isEmpty();

        int before = original.assignments().size();
        for (EnumeratorHarness h : List.of(original, restored)) {
            h.finish(1, b);
            h.finish(0, a1);
            h.finish(0, c);
        }
        List<Map.Entry<Integer, ShardSplit>> expected =
                original.assignments().subList(before, original.assignments().size());
        assertThat(restored.assignments()).isEqualTo(expected);
        assertThat(restored.subtaskByShard())
                .containsOnly(
                        Map.entry(bChildren.get(0), 1),
                        Map.entry(bChildren.get(1), 1),
                        Map.entry(a2, 0));
        assertThat(restored.assignedShardIds()).doesNotHaveDuplicates();
    }

    private static List<String> acked(List<SourceEvent> events) {
        List<String> ids = new ArrayList<>();
        for (SourceEvent event : events) {
            for (String splitId : ((FinishesConfirmedEvent) event).splitIds()) {
                ids.add(ShardSplit.shardIdOf(splitId));
            }
        }
        return ids;
    }
}
