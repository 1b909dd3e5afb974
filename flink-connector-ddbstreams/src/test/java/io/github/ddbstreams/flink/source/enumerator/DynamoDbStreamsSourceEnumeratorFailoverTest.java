package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

/**
 * A subtask that restarts from a checkpoint taken before it finished a shard reads that shard's
 * tail again, so the enumerator must not hand out the shard's children until it is finished again.
 */
class DynamoDbStreamsSourceEnumeratorFailoverTest {

    private final FakeStreamsClient client = new FakeStreamsClient();
    private final String parent = client.addShard(null);
    private final String child = client.rollover(parent);

    @Test
    void childrenWaitForAParentWhoseFinishTheRestartedReaderForgot() throws Throwable {
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                new MockSplitEnumeratorContext<>(2)) {
            DynamoDbStreamsSourceEnumerator enumerator = enumerator(context);
            enumerator.start();
            context.runNextOneTimeCallable(); // initial discovery
            register(context, enumerator, 0);
            context.runPeriodicCallable(1); // subtask 1 did not register in the grace period
            assertThat(assignedShards(context, 0)).containsExactly(parent);

            // Subtask 0 finishes the parent and gets the child; no checkpoint completes since.
            enumerator.handleSourceEvent(
                    0,
                    new FinishesReportedEvent(
                            List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
            assertThat(assignedShards(context, 0)).containsExactly(parent, child);

            // Subtask 0 fails and restores the last checkpoint: Flink returns the child only.
            context.unregisterReader(0);
            enumerator.addSplitsBack(List.of(split(child)), 0);
            register(context, enumerator, 1);
            register(context, enumerator, 0);
            assertThat(assignedShards(context, 1)).isEmpty();
            assertThat(assignedShards(context, 0)).containsExactly(parent, child);

            // The restored reader reads the parent to its end again: only now the child is ready.
            enumerator.handleSourceEvent(
                    0,
                    new FinishesReportedEvent(
                            List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
            assertThat(assignedShards(context, 0)).containsExactly(parent, child, child);
            assertThat(assignedShards(context, 1)).isEmpty();
        }
    }

    @Test
    void finishesCoveredByACompletedCheckpointStayFinished() throws Throwable {
        try (MockSplitEnumeratorContext<DynamoDbSplit> context =
                new MockSplitEnumeratorContext<>(2)) {
            DynamoDbStreamsSourceEnumerator enumerator = enumerator(context);
            enumerator.start();
            context.runNextOneTimeCallable();
            register(context, enumerator, 0);
            enumerator.handleSourceEvent(
                    0,
                    new FinishesReportedEvent(
                            List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
            enumerator.snapshotState(1);
            enumerator.notifyCheckpointComplete(1);

            context.unregisterReader(0);
            enumerator.addSplitsBack(List.of(), 0);

            DynamoDbStreamsSourceEnumState state = enumerator.snapshotState(2);
            assertThat(state.getStreams().get(0).getShards())
                    .filteredOn(node -> node.getShardId().equals(parent))
                    .singleElement()
                    .extracting(ShardNode::getStatus)
                    .isEqualTo(ShardStatus.FINISHED);
        }
    }

    private DynamoDbStreamsSourceEnumerator enumerator(
            MockSplitEnumeratorContext<DynamoDbSplit> context) {
        return new DynamoDbStreamsSourceEnumerator(
                context,
                client,
                Map.of(FakeStreamsClient.STREAM_ARN, StartingPosition.trimHorizon()),
                Map.of(),
                new EnumeratorSettings(StartingPosition.trimHorizon(), new Configuration(), false),
                new LineageAffinityAssigner(),
                null,
                DescribeStreamPacer.Clock.SYSTEM);
    }

    private static void register(
            MockSplitEnumeratorContext<DynamoDbSplit> context,
            DynamoDbStreamsSourceEnumerator enumerator,
            int subtask) {
        context.registerReader(new ReaderInfo(subtask, "localhost"));
        enumerator.addReader(subtask);
    }

    private ShardSplit split(String shardId) {
        return new ShardSplit(
                FakeStreamsClient.STREAM_ARN,
                shardId,
                parent,
                io.github.ddbstreams.flink.source.split.ShardPosition.trimHorizon(),
                false);
    }

    private static List<String> assignedShards(
            MockSplitEnumeratorContext<DynamoDbSplit> context, int subtask) {
        List<String> shards = new ArrayList<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            for (ShardSplit split :
                    Splits.shards(assignment.assignment().getOrDefault(subtask, List.of()))) {
                shards.add(split.getShardId());
            }
        }
        return shards;
    }
}
