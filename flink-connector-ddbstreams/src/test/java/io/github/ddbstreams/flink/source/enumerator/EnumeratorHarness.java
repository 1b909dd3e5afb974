package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;

/**
 * An enumerator on Flink's {@link MockSplitEnumeratorContext} over a {@link FakeStreamsClient},
 * driven step by step: nothing runs until a test runs a callable, so every test states exactly
 * which discovery ran before what it asserts.
 */
final class EnumeratorHarness implements AutoCloseable {

    /** Index of the periodic discovery in the context's periodic callables. */
    private static final int PERIODIC_DISCOVERY = 0;

    /** Index of the end of the readers' registration grace period (after the one discovery). */
    private static final int REGISTRATION_GRACE = 1;

    /** Index of the repeated child lookups' tick, registered when a lookup first found nothing. */
    private static final int CHILD_LOOKUP_TICK = 2;

    static final long CHILD_LOOKUP_TICK_MILLIS =
            DynamoDbStreamsSourceEnumerator.CHILD_LOOKUP_TICK_MILLIS;

    final FakeStreamsClient fake;

    /** Paces the enumerator's DescribeStream calls: simulated, so pacing costs no real time. */
    final SimulatedClock pacingClock = new SimulatedClock();

    final MockSplitEnumeratorContext<DynamoDbSplit> context;
    final DynamoDbStreamsSourceEnumerator enumerator;
    private final String streamArn;

    private EnumeratorHarness(
            FakeStreamsClient fake,
            String streamArn,
            int parallelism,
            EnumeratorSettings settings,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this(fake, fake, streamArn, parallelism, settings, restored);
    }

    private EnumeratorHarness(
            StreamsClient client,
            FakeStreamsClient fake,
            String streamArn,
            int parallelism,
            EnumeratorSettings settings,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this.fake = fake;
        this.streamArn = streamArn;
        this.context = new MockSplitEnumeratorContext<>(parallelism);
        this.enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        client,
                        Map.of(streamArn, settings.startingPosition()),
                        Map.of(),
                        settings,
                        new LineageAffinityAssigner(),
                        restored,
                        pacingClock);
        enumerator.start();
    }

    static EnumeratorHarness started(
            FakeStreamsClient fake, int parallelism, StartingPosition start) {
        return started(fake, parallelism, settings(start, new Configuration(), false), null);
    }

    static EnumeratorHarness started(
            FakeStreamsClient fake,
            int parallelism,
            EnumeratorSettings settings,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        return new EnumeratorHarness(
                fake, FakeStreamsClient.STREAM_ARN, parallelism, settings, restored);
    }

    /** An enumerator whose AWS calls go through {@code client}, e.g. a wrapper of {@code fake}. */
    static EnumeratorHarness startedWith(
            StreamsClient client, FakeStreamsClient fake, EnumeratorSettings settings) {
        return new EnumeratorHarness(client, fake, FakeStreamsClient.STREAM_ARN, 1, settings, null);
    }

    /** An enumerator told to read {@code streamArn}, which the fake may not know. */
    static EnumeratorHarness startedOn(FakeStreamsClient fake, String streamArn) {
        return new EnumeratorHarness(
                fake,
                streamArn,
                1,
                settings(StartingPosition.trimHorizon(), new Configuration(), false),
                null);
    }

    static EnumeratorSettings settings(
            StartingPosition start, Configuration config, boolean bounded) {
        return new EnumeratorSettings(start, config, bounded);
    }

    // ------------------------------------------------------------------ driving

    void runInitialDiscovery() throws Throwable {
        context.runNextOneTimeCallable();
    }

    void runNextOneTimeCallable() throws Throwable {
        context.runNextOneTimeCallable();
    }

    int pendingOneTimeCallables() {
        return context.getOneTimeCallables().size();
    }

    void runPeriodicDiscovery() throws Throwable {
        context.runPeriodicCallable(PERIODIC_DISCOVERY);
    }

    /** The tick that runs child lookups due again (after one found no children). */
    void runChildLookupTick() throws Throwable {
        context.runPeriodicCallable(CHILD_LOOKUP_TICK);
    }

    /** The start grace period for readers to register ends. */
    void endRegistrationGrace() throws Throwable {
        context.runPeriodicCallable(REGISTRATION_GRACE);
    }

    /** Registers the readers, as Flink does before calling {@code addReader}. */
    void register(int... subtasks) {
        for (int subtask : subtasks) {
            context.registerReader(new ReaderInfo(subtask, "host-" + subtask));
            enumerator.addReader(subtask);
        }
    }

    void finish(int subtask, String... shardIds) {
        List<String> splitIds = new ArrayList<>();
        for (String shardId : shardIds) {
            splitIds.add(ShardSplit.idOf(streamArn, shardId));
        }
        enumerator.handleSourceEvent(subtask, new FinishesReportedEvent(splitIds));
    }

    /** A snapshot taken through the state serializer, as a real checkpoint stores it. */
    DynamoDbStreamsSourceEnumState checkpoint(long checkpointId) throws IOException {
        DynamoDbStreamsSourceEnumStateSerializer serializer =
                new DynamoDbStreamsSourceEnumStateSerializer();
        byte[] bytes = serializer.serialize(enumerator.snapshotState(checkpointId));
        return serializer.deserialize(serializer.getVersion(), bytes);
    }

    // ------------------------------------------------------------------ observing

    /** Every assigned split in assignment order, with its subtask; repeats are kept. */
    List<Map.Entry<Integer, ShardSplit>> assignments() {
        List<Map.Entry<Integer, ShardSplit>> all = new ArrayList<>();
        for (SplitsAssignment<DynamoDbSplit> assignment : context.getSplitsAssignmentSequence()) {
            assignment
                    .assignment()
                    .forEach(
                            (subtask, splits) -> {
                                for (ShardSplit split : Splits.shards(splits)) {
                                    all.add(Map.entry(subtask, split));
                                }
                            });
        }
        return all;
    }

    /** Assigned shard ids in assignment order; a shard assigned twice shows twice. */
    List<String> assignedShardIds() {
        List<String> ids = new ArrayList<>();
        for (Map.Entry<Integer, ShardSplit> e : assignments()) {
            ids.add(e.getValue().getShardId());
        }
        return ids;
    }

    /** The subtask of each assigned shard (the last one if assigned more than once). */
    Map<String, Integer> subtaskByShard() {
        Map<String, Integer> owners = new LinkedHashMap<>();
        for (Map.Entry<Integer, ShardSplit> e : assignments()) {
            owners.put(e.getValue().getShardId(), e.getKey());
        }
        return owners;
    }

    List<String> assignedTo(int subtask) {
        List<String> ids = new ArrayList<>();
        for (Map.Entry<Integer, ShardSplit> e : assignments()) {
            if (e.getKey() == subtask) {
                ids.add(e.getValue().getShardId());
            }
        }
        return ids;
    }

    /** The split of the last assignment of the shard. */
    ShardSplit split(String shardId) {
        ShardSplit found = null;
        for (Map.Entry<Integer, ShardSplit> e : assignments()) {
            if (e.getValue().getShardId().equals(shardId)) {
                found = e.getValue();
            }
        }
        if (found == null) {
            throw new AssertionError("shard " + shardId + " was never assigned");
        }
        return found;
    }

    List<SourceEvent> eventsTo(int subtask) throws Exception {
        return context.getSentSourceEvent().getOrDefault(subtask, List.of());
    }

    String streamArn() {
        return streamArn;
    }

    @Override
    public void close() throws Exception {
        enumerator.close();
        context.close();
    }
}
