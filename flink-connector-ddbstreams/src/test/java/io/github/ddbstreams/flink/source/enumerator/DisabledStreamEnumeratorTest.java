package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions.OnStreamDisabled;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.MultiStreamFakeClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * A disabled stream ends (FINISH ends the readers, FOLLOW_NEW_STREAM moves on to the table's new
 * stream) only once its listing can be trusted to show every child: a shard that rolled over just
 * before the disable has a child that DescribeStream may list late, while a shard closed by the
 * disable has none, and the two look the same in a listing.
 */
class DisabledStreamEnumeratorTest {

    private static final String OLD = MultiStreamFakeClient.arnOf("orders");
    private static final String NEW =
            MultiStreamFakeClient.arnOf("orders", "2026-01-02T00:00:00.000");

    /** The default of {@code source.shard.disabled-stream-settle-time}. */
    private static final long SETTLE_MILLIS = 60_000;

    private final FakeStreamsClient old = new FakeStreamsClient(OLD);
    private final FakeStreamsClient neu = new FakeStreamsClient(NEW);
    private final MultiStreamFakeClient client = new MultiStreamFakeClient(Map.of(OLD, old));

    /** Paces DescribeStream calls and times the settling: simulated. */
    private final SimulatedClock clock = new SimulatedClock();

    private MockSplitEnumeratorContext<DynamoDbSplit> context;
    private DynamoDbStreamsSourceEnumerator enumerator;
    private OnStreamDisabled mode;
    private String root;
    private String newShard;

    @BeforeEach
    void oldStreamHasOneOpenShard() {
        root = old.addShard(null);
    }

    @AfterEach
    void close() throws Exception {
        if (context != null) {
            context.close();
        }
    }

    private void start(OnStreamDisabled mode) throws Throwable {
        this.mode = mode;
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.ON_STREAM_DISABLED, mode);
        config.set(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL, Duration.ofMillis(1));
        context = new MockSplitEnumeratorContext<>(1);
        enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        client,
                        Map.of(OLD, StartingPosition.trimHorizon()),
                        Map.of(),
                        new EnumeratorSettings(StartingPosition.trimHorizon(), config, false),
                        new LineageAffinityAssigner(),
                        null,
                        clock);
        enumerator.start();
        context.registerReader(new ReaderInfo(0, "host-0"));
        enumerator.addReader(0);
        runOneTimeCallables();
        assertThat(assigned()).containsExactly(ShardSplit.idOf(OLD, root));
    }

    /** Disables the old stream (and enables the table's new one) and lists it. */
    private void disable() throws Throwable {
        old.setStatus(StreamStatus.DISABLED);
        newShard = neu.addShard(null);
        client.addStream(NEW, neu);
        listEverything();
    }

    /** Every periodic callable (listings, the end of the grace period, lookup ticks) once. */
    private void listEverything() throws Throwable {
        Thread.sleep(3); // past the 1 ms discovery interval that paces the table look-ups
        for (int i = 0; i < context.getPeriodicCallables().size(); i++) {
            context.runPeriodicCallable(i);
            runOneTimeCallables();
        }
    }

    private void runOneTimeCallables() throws Throwable {
        while (!context.getOneTimeCallables().isEmpty()) {
            context.runNextOneTimeCallable();
        }
    }

    private void finish(String shardId) throws Throwable {
        enumerator.handleSourceEvent(
                0, new FinishesReportedEvent(List.of(ShardSplit.idOf(OLD, shardId))));
        runOneTimeCallables(); // child lookups
    }

    private List<String> assigned() {
        List<String> ids = new ArrayList<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            assignment.assignment().values().forEach(s -> s.forEach(x -> ids.add(x.splitId())));
        }
        return ids;
    }

    /** Whether the old stream ended: the readers were told so, or the new stream is read. */
    private boolean oldStreamEnded() {
        return mode == OnStreamDisabled.FINISH
                ? context.hasNoMoreSplits(0)
                : assigned().contains(ShardSplit.idOf(NEW, newShard));
    }

    @ParameterizedTest
    @EnumSource(
            value = OnStreamDisabled.class,
            names = {"FINISH", "FOLLOW_NEW_STREAM"})
    void aChildListedOnlyAfterTheDisableIsReadBeforeTheStreamEnds(OnStreamDisabled mode)
            throws Throwable {
        start(mode);
        // The root rolls over just before the stream is disabled; DescribeStream shows the root
        // closed, but not its child yet.
        old.closeWithoutChildren(root);
        disable();
        finish(root);
        listEverything();
        assertThat(oldStreamEnded()).as("the root's child may still be listed").isFalse();

        // The listing catches up: the child, closed by the disable.
        String child = old.addShard(root);
        old.closeWithoutChildren(child);
        clock.advanceMillis(SETTLE_MILLIS);
        listEverything();
        assertThat(assigned()).contains(ShardSplit.idOf(OLD, child));
        assertThat(oldStreamEnded()).as("the child is being read").isFalse();

        finish(child);
        listEverything();
        assertThat(oldStreamEnded()).isTrue();
        assertThat(assigned())
                .as("the child before the new stream")
                .startsWith(ShardSplit.idOf(OLD, root), ShardSplit.idOf(OLD, child));
    }

    @ParameterizedTest
    @EnumSource(
            value = OnStreamDisabled.class,
            names = {"FINISH", "FOLLOW_NEW_STREAM"})
    void shardsClosedByTheDisableEndTheStreamOnceAListingAfterTheSettleTimeShowsNoChild(
            OnStreamDisabled mode) throws Throwable {
        start(mode);
        old.closeWithoutChildren(root); // closed by the disable: it never gets a child
        disable();
        finish(root);
        listEverything();
        assertThat(oldStreamEnded()).isFalse();

        clock.advanceMillis(SETTLE_MILLIS / 2);
        listEverything();
        assertThat(oldStreamEnded()).as("within the settle time").isFalse();

        clock.advanceMillis(SETTLE_MILLIS / 2);
        int calls = old.describeStreamCalls.get();
        listEverything();
        assertThat(oldStreamEnded()).isTrue();
        assertThat(old.describeStreamCalls.get() - calls)
                .as("one complete listing (one page) confirmed it")
                .isEqualTo(1);
    }
}
