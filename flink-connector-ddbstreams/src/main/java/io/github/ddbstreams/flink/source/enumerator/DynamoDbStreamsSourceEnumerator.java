package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers the shards of one or more streams and hands them to readers parent-before-child. Wiring
 * only: each stream's lineage and readiness live in its {@link ShardGraph} (held with its discovery
 * and positions in a {@link StreamShards}), the choice of subtask in {@link ShardAssigner}, the
 * assignment loop and end of input in {@link ShardDistributor}, AWS calls in {@link
 * ShardDiscovery}, the look-up of a finished shard's children in {@link ChildShardLookups}, the
 * order of a table's streams and the following of its new stream in {@link StreamFollower}, the
 * look-up of the streams of tables given by name in {@link TableResolution}. The assigner sees
 * every stream's shards when it counts a subtask's load, so the shards of all streams are balanced
 * together. One {@link DescribeStreamPacer} paces the DescribeStream calls of all streams, because
 * the limit is per account and region, not per stream.
 *
 * <p>Threads: every method of this class runs on the coordinator thread, including the handlers of
 * {@code callAsync}; only the callables (DescribeTable, listing, iterator lookups) run on the
 * worker thread, and they read nothing but their arguments. The constructor calls no AWS API.
 */
@Internal
public final class DynamoDbStreamsSourceEnumerator
        implements SplitEnumerator<ShardSplit, DynamoDbStreamsSourceEnumState> {
    private static final Logger LOG =
            LoggerFactory.getLogger(DynamoDbStreamsSourceEnumerator.class);

    /**
     * How long shards wait at start for every subtask's reader to register before going to those
     * registered. Readers of one job normally register within a second of each other.
     */
    static final long READER_REGISTRATION_GRACE_MILLIS = 5_000;

    private final SplitEnumeratorContext<ShardSplit> context;
    private final StreamsClient client;
    private final EnumeratorSettings settings;
    private final EnumeratorMetrics metrics;
    private final ShardDistributor distributor;
    private final DescribeStreamPacer pacer;
    private final StreamFollower follower;

    /** Every stream's discovery, for the metrics; the reporter thread reads it. */
    private final List<ShardDiscovery> discoveries = new CopyOnWriteArrayList<>();

    /** By stream ARN, in the order the streams were restored, then configured. */
    private final Map<String, StreamShards> streams = new LinkedHashMap<>();

    /** Keyed by split id, which names the stream and the shard. */
    private final UnconfirmedFinishes unconfirmedFinishes;

    private final ChildShardLookups childLookups;

    private final TableResolution tables;

    /** An enumerator of one stream, from {@code settings}' starting position. */
    public DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            String streamArn,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this(
                context,
                client,
                streamArn,
                settings,
                assigner,
                restored,
                DescribeStreamPacer.Clock.SYSTEM);
    }

    /** With the clock that paces DescribeStream calls; tests simulate it. */
    DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            String streamArn,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            @Nullable DynamoDbStreamsSourceEnumState restored,
            DescribeStreamPacer.Clock pacingClock) {
        this(
                context,
                client,
                Map.of(streamArn, settings.startingPosition()),
                Map.of(),
                settings,
                assigner,
                restored,
                pacingClock);
    }

    /**
     * @param startingPositions the streams to read, by ARN, with the position each starts from if
     *     the restored state does not have it yet. Streams of the restored state are read on even
     *     if not named here (their positions are in the state), from {@code settings}' starting
     *     position if their first listing had not been applied.
     * @param tables tables whose current streams to read too, with their starting positions: looked
     *     up at {@link #start()}, off the coordinator thread. Name here only tables of which the
     *     restored state has no stream.
     */
    public DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            Map<String, StartingPosition> startingPositions,
            Map<String, StartingPosition> tables,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this(
                context,
                client,
                startingPositions,
                tables,
                settings,
                assigner,
                restored,
                DescribeStreamPacer.Clock.SYSTEM);
    }

    /** With the clock that paces DescribeStream calls; tests simulate it. */
    DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            Map<String, StartingPosition> startingPositions,
            Map<String, StartingPosition> tables,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            @Nullable DynamoDbStreamsSourceEnumState restored,
            DescribeStreamPacer.Clock pacingClock) {
        this.context = context;
        this.client = client;
        this.settings = settings;
        this.childLookups =
                new ChildShardLookups(
                        context,
                        streams,
                        this::onListing,
                        pacingClock,
                        settings.discoveryIntervalMillis());
        this.pacer =
                new DescribeStreamPacer(
                        settings.describeStreamCallsPerSecond(),
                        settings.retryInitialBackoffMillis(),
                        settings.retryMaxBackoffMillis(),
                        pacingClock);
        this.tables = new TableResolution(client, pacer, settings, tables);
        streams.putAll(StreamShards.openAll(client, startingPositions, settings, pacer, restored));
        if (streams.isEmpty() && !this.tables.anyPending()) {
            throw new IllegalArgumentException("No stream to read");
        }
        streams.values().forEach(stream -> discoveries.add(stream.discovery));
        this.metrics = new EnumeratorMetrics(context.metricGroup(), discoveries, pacer);
        this.unconfirmedFinishes = new UnconfirmedFinishes(restored != null);
        this.follower =
                new StreamFollower(
                        context,
                        client,
                        pacer,
                        settings,
                        streams,
                        unconfirmedFinishes,
                        this::follow);
        this.distributor =
                new ShardDistributor(
                        context, assigner, settings, streams, follower::waitsForOlderStream);
        follower.trustRestoredEnds();
        follower.retireFollowedStreams(); // a restored stream that was followed is not listed
    }

    @Override
    public void start() {
        // First: the streams' listings wait for these in the worker's queue.
        tables.pendingTables().forEach(this::startResolving);
        streams.values().forEach(this::startInitialListing);
        // Registered after the initial listings, in stream order: periodic callable i lists
        // stream i (tests rely on it; then the end of the grace period below; the listings of
        // a table's stream and of a followed stream come after all others).
        streams.values().forEach(this::startPeriodicListing);
        // Periodic because the context has no one-shot delayed call; a no-op after the first.
        context.callAsync(
                () -> null,
                (ignored, error) -> {
                    if (distributor.endStartHold()) {
                        assignReadyShards();
                    }
                },
                READER_REGISTRATION_GRACE_MILLIS,
                READER_REGISTRATION_GRACE_MILLIS);
    }

    private void startResolving(String table) {
        context.callAsync(
                () -> tables.resolve(table),
                (streamArn, error) -> onTableResolved(table, streamArn, error));
    }

    private void startInitialListing(StreamShards stream) {
        if (!stream.initialDiscoveryDone()) {
            ShardDiscovery discovery = stream.discovery;
            StartingPosition start = stream.startingPosition;
            context.callAsync(
                    () ->
                            InitialListingRetry.call(
                                    "First listing of stream " + stream.streamArn,
                                    settings,
                                    () -> discovery.initialListing(start)),
                    (result, error) -> onInitialDiscovery(stream, result, error));
        }
    }

    private void startPeriodicListing(StreamShards stream) {
        long interval = settings.discoveryIntervalMillis();
        long fullListingInterval = settings.fullListingIntervalMillis();
        ShardDiscovery discovery = stream.discovery;
        context.callAsync(
                () -> discovery.periodicListing(fullListingInterval),
                (listing, error) -> onListing(stream, listing, error),
                stream.initialDiscoveryDone() ? 0 : interval,
                interval);
    }

    /** Reads {@code newStreamArn}, the new stream of {@code disabled}'s table, after it. */
    private void follow(StreamShards disabled, String newStreamArn) {
        LOG.info(
                "Stream {} of table {} is disabled and the table has a new stream {}: reading it "
                        + "from TRIM_HORIZON, its shards once every shard of {} is finished "
                        + "(source.on-stream-disabled = FOLLOW_NEW_STREAM)",
                disabled.streamArn,
                disabled.tableName,
                newStreamArn,
                disabled.streamArn);
        metrics.streamFollowed();
        addStream(newStreamArn, StartingPosition.trimHorizon());
    }

    private void addStream(String streamArn, StartingPosition start) {
        StreamShards stream = new StreamShards(client, streamArn, start, settings, pacer, null);
        streams.put(streamArn, stream);
        discoveries.add(stream.discovery);
        startInitialListing(stream);
        startPeriodicListing(stream);
    }

    // ---------------------------------------------------------------- coordinator-thread handlers

    private void onTableResolved(String table, @Nullable String streamArn, Throwable error) {
        if (error != null) {
            if (ListingFailures.wasInterrupted(error)) {
                LOG.debug("Looking up the stream of table {} interrupted", table, error);
                return;
            }
            throw TableResolution.failure(table, error);
        }
        StartingPosition start = tables.resolved(table);
        LOG.info("Table {}: reading its stream {} from {}", table, streamArn, start);
        addStream(streamArn, start);
    }

    private void onInitialDiscovery(
            StreamShards stream, ShardDiscovery.InitialListing result, Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(ListingFailures.describe(stream, error), error);
        }
        ListingFailures.checkViewType(stream, result.listing.viewType, settings);
        long now = System.currentTimeMillis();
        stream.applyInitialListing(result, now);
        forgetExpiredShards(stream, now);
        LOG.info(
                "Stream {}: {} shards found at start, starting position {}",
                stream.streamArn,
                result.listing.shards.size(),
                stream.startingPosition);
        afterListing(stream, result.listing, now);
    }

    private void onListing(
            StreamShards stream, @Nullable ShardDiscovery.Listing listing, Throwable error) {
        if (error != null) {
            if (ListingFailures.isMissingStream(error)) {
                throw new FlinkRuntimeException(ListingFailures.describe(stream, error), error);
            }
            if (ListingFailures.wasInterrupted(error)) {
                LOG.debug("Shard discovery of stream {} interrupted", stream.streamArn, error);
                return;
            }
            LOG.warn(
                    "Shard discovery of stream {} failed; will retry: {}",
                    stream.streamArn,
                    error.toString());
            return;
        }
        if (listing == null || !stream.initialDiscoveryDone()) {
            // Retired; or the initial discovery decides starting positions first.
            return;
        }
        long now = System.currentTimeMillis();
        List<String> added = stream.graph.addShards(listing.shards, listing.complete, now);
        if (!added.isEmpty()) {
            LOG.info("Stream {}: discovered {} new shards", stream.streamArn, added.size());
        }
        if (listing.complete) {
            forgetExpiredShards(stream, now);
        }
        afterListing(stream, listing, now);
    }

    private void forgetExpiredShards(StreamShards stream, long now) {
        // With checkpoints, a finish no completed checkpoint holds may still be taken back: keep
        // those shards. Without, none is ever confirmed and none is kept for it.
        stream.forgetExpiredShards(
                now,
                shardId ->
                        unconfirmedFinishes.contains(ShardSplit.idOf(stream.streamArn, shardId)));
        unconfirmedFinishes.retainKnown(stream.streamArn, stream.graph::contains);
    }

    private void afterListing(StreamShards stream, ShardDiscovery.Listing listing, long now) {
        if (stream.afterListing(listing, now)) {
            LOG.warn(
                    "Stream {} is {}: its shards are read to their ends, with the children a "
                            + "listing {} ms from now shows (source.shard."
                            + "disabled-stream-settle-time), then the source {} "
                            + "(source.on-stream-disabled)",
                    stream.streamArn,
                    listing.status,
                    settings.disabledStreamSettleMillis(),
                    settings.finishWhenDisabled()
                            ? "finishes"
                            : settings.followNewStream()
                                    ? "reads the table's new stream once it is enabled again"
                                    : "keeps running idle");
        }
        follower.afterListing(stream, now);
        assignReadyShards();
    }

    @Override
    public void addReader(int subtaskId) {
        distributor.readerAdded(subtaskId);
        assignReadyShards();
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Shards are pushed to readers as they become ready; readers never ask.
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (!(event instanceof FinishesReportedEvent)) {
            LOG.warn("Ignoring unknown event {} from subtask {}", event, subtaskId);
            return;
        }
        for (String splitId : ((FinishesReportedEvent) event).splitIds()) {
            StreamShards stream = streams.get(ShardSplit.streamArnOf(splitId));
            if (stream == null) {
                LOG.warn(
                        "Subtask {} finished {}, a shard of no stream read here",
                        subtaskId,
                        splitId);
                continue;
            }
            String shardId = ShardSplit.shardIdOf(splitId);
            List<String> children = stream.graph.markFinished(shardId, subtaskId);
            unconfirmedFinishes.reported(splitId, subtaskId);
            if (children.isEmpty()
                    && !stream.isRetired() // read to its end: no children to come
                    && !stream.everyShardListed() // disabled, and its listing shows them all
                    && stream.graph.contains(shardId) // a forgotten shard's children are known
                    && !stream.isOutOfBoundedScope(shardId)) {
                childLookups.lookUp(stream, shardId);
            }
        }
        assignReadyShards();
    }

    /**
     * Called when subtask {@code subtaskId} failed and restarts from its last completed checkpoint,
     * with the splits assigned to it since then.
     */
    @Override
    public void addSplitsBack(List<ShardSplit> splits, int subtaskId) {
        // Finishes the subtask reported after that checkpoint are undone there: the restored
        // reader reads those shards again, or re-reports them from its restored finished markers.
        // Until it does, their children must wait, or they would be read before their parent.
        for (String splitId : unconfirmedFinishes.takeBack(subtaskId)) {
            StreamShards stream = streams.get(ShardSplit.streamArnOf(splitId));
            LOG.info("Finish of {} undone by the failover of subtask {}", splitId, subtaskId);
            stream.graph.reopenFinished(ShardSplit.shardIdOf(splitId), subtaskId);
            distributor.shardReopened();
        }
        for (ShardSplit split : splits) {
            StreamShards stream = streams.get(split.getStreamArn());
            if (stream != null && stream.takeBack(split)) {
                LOG.info("Shard {} returned by failed subtask {}", split.splitId(), subtaskId);
                distributor.shardReopened();
            }
        }
        distributor.subtaskFailed(subtaskId);
        assignReadyShards();
    }

    private void assignReadyShards() {
        follower.retireFollowedStreams();
        distributor.assignReadyShards();
        metrics.update(graphs());
        if (!tables.anyPending()) {
            distributor.signalNoMoreSplitsIfAllRead();
        }
    }

    private List<ShardGraph> graphs() {
        List<ShardGraph> graphs = new ArrayList<>(streams.size());
        streams.values().forEach(stream -> graphs.add(stream.graph));
        return graphs;
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public DynamoDbStreamsSourceEnumState snapshotState(long checkpointId) {
        unconfirmedFinishes.snapshotTaken(checkpointId);
        List<StreamEnumState> states = new ArrayList<>(streams.size());
        streams.values().forEach(stream -> states.add(stream.snapshot()));
        return new DynamoDbStreamsSourceEnumState(states);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map<Integer, List<String>> acks = unconfirmedFinishes.checkpointCompleted(checkpointId);
        acks.forEach(
                (subtask, splitIds) -> {
                    if (subtask >= 0 && context.registeredReaders().containsKey(subtask)) {
                        context.sendEventToSourceReader(
                                subtask, new FinishesConfirmedEvent(splitIds));
                    }
                });
        if (!acks.isEmpty()) {
            assignReadyShards(); // a followed stream may wait for its old stream's confirmations
        }
    }

    /** How many reported finishes no completed checkpoint holds; for tests. */
    int unconfirmedFinishCount() {
        return unconfirmedFinishes.size();
    }

    /** The enumerator's gauges; for tests. */
    EnumeratorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        client.close();
    }
}
