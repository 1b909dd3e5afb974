package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions.OnStreamDisabled;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.LogCapture;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * A table's stream is disabled and enabled again, which makes a new stream: with {@code
 * FOLLOW_NEW_STREAM} the enumerator reads the new stream after the old one, per item in order, also
 * across a checkpoint taken mid-follow; with the other modes it does not look for it.
 */
class StreamFollowingEnumeratorTest {

    private static final String OLD = MultiStreamFakeClient.arnOf("orders");
    private static final String NEW =
            MultiStreamFakeClient.arnOf("orders", "2026-01-02T00:00:00.000");

    /**
     * Periodic callable indexes: the old stream's, then the end of the start grace period, then the
     * one registered when following. A restored enumerator knows both streams at start, so their
     * listings come first.
     */
    private static final int OLD_LISTING = 0;

    private static final int NEW_LISTING = 2;

    private static final int RESTORED_NEW_LISTING = 1;

    private final FakeStreamsClient old = new FakeStreamsClient(OLD);
    private final FakeStreamsClient neu = new FakeStreamsClient(NEW);
    private final MultiStreamFakeClient client = new MultiStreamFakeClient(Map.of(OLD, old));
    private final List<MockSplitEnumeratorContext<DynamoDbSplit>> contexts = new ArrayList<>();

    /** Paces DescribeStream calls and times how long a disabled stream's listing may lag. */
    private final SimulatedClock clock = new SimulatedClock();

    private MockSplitEnumeratorContext<DynamoDbSplit> context;
    private DynamoDbStreamsSourceEnumerator enumerator;

    /** The old stream's first shard, and its child that is open until the stream is disabled. */
    private String root;

    private String child;

    @BeforeEach
    void oldStreamHasTwoShards() {
        root = old.addShard(null);
        child = old.rollover(root);
    }

    @AfterEach
    void close() throws Exception {
        for (MockSplitEnumeratorContext<DynamoDbSplit> c : contexts) {
            c.close();
        }
    }

    private void start(
            OnStreamDisabled mode,
            StartingPosition start,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED, mode);
        // Short, so that a test can let one interval pass between two look-ups.
        config.set(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL, Duration.ofMillis(1));
        context = new MockSplitEnumeratorContext<>(2);
        contexts.add(context);
        enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        client,
                        Map.of(OLD, start), // what the source resolves table "orders" to
                        Map.of(),
                        new EnumeratorSettings(start, config, false),
                        new LineageAffinityAssigner(),
                        restored,
                        clock);
        enumerator.start();
        for (int subtask = 0; subtask < 2; subtask++) {
            context.registerReader(new ReaderInfo(subtask, "host-" + subtask));
            enumerator.addReader(subtask);
        }
        runOneTimeCallables();
    }

    private void runOneTimeCallables() throws RuntimeException {
        try {
            while (!context.getOneTimeCallables().isEmpty()) {
                context.runNextOneTimeCallable();
            }
        } catch (Throwable e) {
            throw new RuntimeException(e);
        }
    }

    /** A periodic listing, then whatever it triggered (the look-up of the table's stream). */
    private void list(int periodic) throws Throwable {
        Thread.sleep(3); // past the 1 ms discovery interval, which paces the look-ups
        context.runPeriodicCallable(periodic);
        runOneTimeCallables();
    }

    private void finish(String streamArn, String shardId) {
        String splitId = ShardSplit.idOf(streamArn, shardId);
        int owner = ownerOf(splitId);
        enumerator.handleSourceEvent(owner, new FinishesReportedEvent(List.of(splitId)));
        runOneTimeCallables(); // child look-ups
    }

    /** The subtask a split was last assigned to. */
    private int ownerOf(String splitId) {
        int owner = -1;
        // Searched in the contexts of earlier (restored) enumerators too: a restored reader
        // keeps the splits it was given before.
        for (MockSplitEnumeratorContext<DynamoDbSplit> c : contexts) {
            for (SplitsAssignment<DynamoDbSplit> assignment : c.getSplitsAssignmentSequence()) {
                for (Map.Entry<Integer, List<DynamoDbSplit>> e :
                        assignment.assignment().entrySet()) {
                    if (e.getValue().stream().anyMatch(s -> s.splitId().equals(splitId))) {
                        owner = e.getKey();
                    }
                }
            }
        }
        assertThat(owner).as("%s was assigned", splitId).isNotNegative();
        return owner;
    }

    private List<String> assignedSplitIds() {
        List<String> ids = new ArrayList<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            assignment.assignment().values().forEach(s -> s.forEach(x -> ids.add(x.splitId())));
        }
        return ids;
    }

    private ShardSplit assignedSplit(String splitId) {
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            for (List<DynamoDbSplit> splits : assignment.assignment().values()) {
                for (ShardSplit split : Splits.shards(splits)) {
                    if (split.splitId().equals(splitId)) {
                        return split;
                    }
                }
            }
        }
        throw new AssertionError(splitId + " was never assigned");
    }

    private List<String> streamsInState() {
        List<String> arns = new ArrayList<>();
        enumerator.snapshotState(99).getStreams().forEach(s -> arns.add(s.getStreamArn()));
        return arns;
    }

    /** Disables the old stream and lists it: the enumerator sees it DISABLED. */
    private void disableOldStream() throws Throwable {
        old.setStatus(StreamStatus.DISABLED);
        list(OLD_LISTING);
    }

    /**
     * The disabled old stream's listing settles: a complete listing taken after the settle time
     * shows every shard it will ever have, so it may end once its shards are finished.
     */
    private void settleOldStream() throws Throwable {
        list(OLD_LISTING); // the restored enumerator's first sight of the disable
        clock.advanceMillis(
                DynamoDbStreamsSourceOptions.DISABLED_STREAM_SETTLE_TIME.defaultValue().toMillis());
        list(OLD_LISTING);
    }

    /** Enables the table's stream again: a new stream, with one shard. */
    private String enableNewStream() {
        String shard = neu.addShard(null);
        client.addStream(NEW, neu);
        return shard;
    }

    @Test
    void followsTheNewStreamAndAssignsItsShardsOnlyAfterTheOldOnesAreFinished() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), null);
        assertThat(assignedSplitIds()).containsExactly(ShardSplit.idOf(OLD, root));

        disableOldStream();
        assertThat(client.resolveCalls).as("looked up while disabled").hasValue(1);
        settleOldStream();
        assertThat(streamsInState()).as("no new stream yet").containsExactly(OLD);

        String newShard = enableNewStream();
        try (LogCapture logs = LogCapture.everything()) {
            list(OLD_LISTING);
            assertThat(logs.text()).contains("has a new stream " + NEW).contains(OLD);
        }
        assertThat(streamsInState()).containsExactly(OLD, NEW);
        assertThat(enumerator.metrics().streamsFollowed()).isEqualTo(1);
        assertThat(neu.describeStreamCalls.get()).as("the new stream was listed").isPositive();
        assertThat(assignedSplitIds())
                .as("the new stream waits for the old one")
                .containsExactly(ShardSplit.idOf(OLD, root));

        finish(OLD, root);
        list(NEW_LISTING);
        assertThat(assignedSplitIds())
                .containsExactly(ShardSplit.idOf(OLD, root), ShardSplit.idOf(OLD, child));

        finish(OLD, child);
        // Checkpoints are taken (streamsInState took a snapshot): a failover could still take the
        // old stream's last finish back, and its reader would read that shard's tail again.
        assertThat(assignedSplitIds())
                .as("until a completed checkpoint holds the old stream's last finish")
                .doesNotContain(ShardSplit.idOf(NEW, newShard));
        completeCheckpoint();
        assertThat(assignedSplitIds())
                .containsExactly(
                        ShardSplit.idOf(OLD, root),
                        ShardSplit.idOf(OLD, child),
                        ShardSplit.idOf(NEW, newShard));
        assertThat(assignedSplit(ShardSplit.idOf(NEW, newShard)).getPosition())
                .isEqualTo(ShardPosition.trimHorizon());

        int oldCalls = old.describeStreamCalls.get();
        int lookups = client.resolveCalls.get();
        list(OLD_LISTING);
        list(NEW_LISTING);
        assertThat(old.describeStreamCalls).as("read and followed: not listed").hasValue(oldCalls);
        assertThat(client.resolveCalls).as("followed: not looked up again").hasValue(lookups);
    }

    @Test
    void looksUpTheTableAtMostOncePerDiscoveryInterval() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), null);
        old.setStatus(StreamStatus.DISABLED);
        context.runPeriodicCallable(OLD_LISTING);
        context.runPeriodicCallable(OLD_LISTING);
        context.runPeriodicCallable(OLD_LISTING);
        assertThat(context.getOneTimeCallables()).as("one look-up queued").hasSize(1);
        runOneTimeCallables();
        assertThat(client.resolveCalls).hasValue(1);
    }

    @ParameterizedTest
    @EnumSource(
            value = OnStreamDisabled.class,
            names = {"KEEP_RUNNING", "FINISH"})
    void otherModesNeverLookForANewStream(OnStreamDisabled mode) throws Throwable {
        start(mode, StartingPosition.trimHorizon(), null);
        disableOldStream();
        enableNewStream();
        list(OLD_LISTING);
        finish(OLD, root);
        finish(OLD, child);
        settleOldStream();

        assertThat(client.resolveCalls).hasValue(0);
        assertThat(neu.describeStreamCalls).hasValue(0);
        assertThat(streamsInState()).containsExactly(OLD);
        assertThat(context.hasNoMoreSplits(0)).isEqualTo(mode == OnStreamDisabled.FINISH);
    }

    @Test
    void aCheckpointTakenBeforeTheNewStreamWasListedRestoresItFromTrimHorizon() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.latest(), null);
        // From LATEST, the old stream's closed root holds nothing after the start.
        assertThat(assignedSplitIds()).containsExactly(ShardSplit.idOf(OLD, child));
        disableOldStream();
        String newShard = enableNewStream();
        Thread.sleep(3);
        context.runPeriodicCallable(OLD_LISTING);
        context.runNextOneTimeCallable(); // the look-up only: the new stream is not listed yet
        DynamoDbStreamsSourceEnumState state = checkpoint();
        assertThat(state.stream(NEW))
                .hasValueSatisfying(s -> assertThat(s.isInitialDiscoveryDone()).isFalse());

        // A job restored with its configured LATEST: the new stream must still start at
        // TRIM_HORIZON, or the changes written to it before its first listing would be lost.
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.latest(), state);
        assertThat(assignedSplitIds()).as("the restored reader keeps the old child").isEmpty();
        finish(OLD, child);
        completeCheckpoint();
        assertThat(assignedSplitIds())
                .as("restored: the old stream's listing settles again")
                .isEmpty();
        settleOldStream();
        assertThat(assignedSplitIds()).containsExactly(ShardSplit.idOf(NEW, newShard));
        assertThat(assignedSplit(ShardSplit.idOf(NEW, newShard)).getPosition())
                .isEqualTo(ShardPosition.trimHorizon());
    }

    @Test
    void aCheckpointTakenWhileTheOldStreamIsReadKeepsTheNewOneWaiting() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), null);
        disableOldStream();
        String newShard = enableNewStream();
        list(OLD_LISTING);
        finish(OLD, root);
        DynamoDbStreamsSourceEnumState state = checkpoint();

        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), state);
        list(OLD_LISTING);
        list(RESTORED_NEW_LISTING);
        assertThat(assignedSplitIds()).as("the old child is still being read").isEmpty();
        settleOldStream();
        finish(OLD, child);
        completeCheckpoint();
        assertThat(assignedSplitIds()).containsExactly(ShardSplit.idOf(NEW, newShard));
        assertThat(streamsInState()).containsExactly(OLD, NEW);
    }

    @Test
    void aRestoredFollowedStreamIsNotListedEvenOnceItIsGone() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), null);
        disableOldStream();
        String newShard = enableNewStream();
        list(OLD_LISTING);
        settleOldStream();
        finish(OLD, root);
        finish(OLD, child);
        assertThat(assignedSplitIds()).contains(ShardSplit.idOf(NEW, newShard));
        DynamoDbStreamsSourceEnumState state = checkpoint();
        client.removeStream(OLD); // 24 h after it was disabled, listing it would fail the job

        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), state);
        assertThatCode(
                        () -> {
                            list(OLD_LISTING);
                            list(RESTORED_NEW_LISTING);
                        })
                .doesNotThrowAnyException();
        assertThat(assignedSplitIds()).as("the new shard stays with its reader").isEmpty();

        String newChild = neu.rollover(newShard);
        finish(NEW, newShard);
        assertThat(assignedSplitIds()).containsExactly(ShardSplit.idOf(NEW, newChild));
        assertThat(streamsInState()).as("kept, finished").containsExactly(OLD, NEW);
    }

    @Test
    void aFailoverThatTakesBackTheOldStreamsLastFinishKeepsTheNewStreamWaiting() throws Throwable {
        start(OnStreamDisabled.FOLLOW_NEW_STREAM, StartingPosition.trimHorizon(), null);
        completeCheckpoint(); // the job checkpoints
        disableOldStream();
        String newShard = enableNewStream();
        list(OLD_LISTING);
        settleOldStream();
        finish(OLD, root);
        completeCheckpoint();
        int owner = ownerOf(ShardSplit.idOf(OLD, child));
        finish(OLD, child);

        // The subtask that read the child fails before a checkpoint holds its finish: it will read
        // the child's tail again, so the new stream must not start on another subtask meanwhile.
        context.unregisterReader(owner);
        enumerator.addSplitsBack(List.of(), owner);
        context.registerReader(new ReaderInfo(owner, "host-" + owner));
        enumerator.addReader(owner);
        completeCheckpoint();
        assertThat(assignedSplitIds()).doesNotContain(ShardSplit.idOf(NEW, newShard));

        finish(OLD, child); // the restored reader re-reports it
        completeCheckpoint();
        assertThat(assignedSplitIds()).contains(ShardSplit.idOf(NEW, newShard));
    }

    private long checkpointId = 1_000;

    /** A checkpoint is taken and completes. */
    private void completeCheckpoint() {
        long id = ++checkpointId;
        enumerator.snapshotState(id);
        enumerator.notifyCheckpointComplete(id);
    }

    /** A snapshot through the state serializer, as a real checkpoint stores it. */
    private DynamoDbStreamsSourceEnumState checkpoint() throws Exception {
        DynamoDbStreamsSourceEnumStateSerializer serializer =
                new DynamoDbStreamsSourceEnumStateSerializer();
        return serializer.deserialize(
                serializer.getVersion(), serializer.serialize(enumerator.snapshotState(1)));
    }
}
