package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.assign.Decisions;
import io.github.ddbstreams.flink.source.enumerator.assign.ShardAssigner;
import io.github.ddbstreams.flink.source.enumerator.assign.SnapshotSegments;
import io.github.ddbstreams.flink.source.enumerator.assign.SplitPlanner;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListingRetry;
import io.github.ddbstreams.flink.source.enumerator.discovery.ListingFailures;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardDiscovery;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.SnapshotSegmentCount;
import io.github.ddbstreams.flink.source.enumerator.discovery.TableResolution;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Discovers the shards of one or more streams and hands them to readers parent-before-child. Flink
 * wiring only: every piece of state and every decision (which shard goes to which reader and when,
 * finishes waiting for a checkpoint, following a table's new stream, the end of input) is the
 * {@link SplitPlanner}'s. This class turns Flink's calls into the planner's events, runs what needs
 * AWS ({@link ShardDiscovery} listings and child lookups, {@link TableResolution}, the look-up of a
 * table's latest stream) in {@code callAsync} callables, and carries out the planner's {@link
 * Decisions} through the context. One {@link DescribeStreamPacer} paces the DescribeStream calls of
 * all streams, because the limit is per account and region, not per stream.
 *
 * <p>Threads: every method of this class runs on the coordinator thread, including the handlers of
 * {@code callAsync}; only the callables (DescribeTable, listing, iterator lookups) run on the
 * worker thread, and they read nothing but their arguments. The constructor calls no AWS API.
 */
@Internal
public final class DynamoDbStreamsSourceEnumerator
        implements SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> {
    private static final Logger LOG =
            LoggerFactory.getLogger(DynamoDbStreamsSourceEnumerator.class);

    /**
     * How long shards wait at start for every subtask's reader to register before going to those
     * registered. Readers of one job normally register within a second of each other.
     */
    static final long READER_REGISTRATION_GRACE_MILLIS = 5_000;

    /** How often repeated child lookups are checked for, once one was needed. */
    static final long CHILD_LOOKUP_TICK_MILLIS = 250;

    private final SplitEnumeratorContext<DynamoDbSplit> context;
    private final StreamsClient client;
    private final EnumeratorSettings settings;
    private final SplitPlanner planner;
    private final DescribeStreamPacer pacer;
    private final TableResolution tables;
    private final EnumeratorMetrics metrics;

    /** Every stream's discovery, by ARN; the metric reporter thread reads the values. */
    private final Map<String, ShardDiscovery> discoveries = new ConcurrentHashMap<>();

    /**
     * @param startingPositions the streams to read, by ARN, with the position each starts from if
     *     the restored state does not have it yet. Streams of the restored state are read on even
     *     if not named here (their positions are in the state), from {@code settings}' starting
     *     position if their first listing had not been applied.
     * @param tables tables whose current streams to read too, with their starting positions: looked
     *     up at {@link #start()}, off the coordinator thread. Name here only tables of which the
     *     restored state has no stream.
     * @param pacingClock the clock that paces DescribeStream calls and repeated child lookups; the
     *     source passes {@link DescribeStreamPacer.Clock#SYSTEM}, tests simulate it
     */
    public DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<DynamoDbSplit> context,
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
        this.pacer =
                new DescribeStreamPacer(
                        settings.describeStreamCallsPerSecond(),
                        settings.retryInitialBackoffMillis(),
                        settings.retryMaxBackoffMillis(),
                        pacingClock);
        this.tables = new TableResolution(client, pacer, settings);
        this.planner =
                new SplitPlanner(
                        startingPositions,
                        tables,
                        settings,
                        assigner,
                        new ContextReaders(context),
                        pacingClock::nanoTime,
                        restored);
        for (Decisions.NewStream stream : planner.streams()) {
            ShardDiscovery discovery = newDiscovery(stream);
            if (planner.isRetired(stream.streamArn())) {
                discovery.retire();
            }
        }
        this.metrics = new EnumeratorMetrics(context.metricGroup(), discoveries.values(), pacer);
    }

    @Override
    public void start() {
        // First: the streams' listings wait for these in the worker's queue.
        planner.pendingTables().forEach(this::startResolving);
        describeRestoredSnapshots();
        List<Decisions.NewStream> streams = planner.streams();
        streams.forEach(this::startInitialListing);
        // Registered after the initial listings, in stream order: periodic callable i lists
        // stream i (tests rely on it; then the end of the grace period below; the listings of
        // a table's stream and of a followed stream come after all others).
        streams.forEach(this::startPeriodicListing);
        // Periodic because the context has no one-shot delayed call; a no-op after the first.
        context.callAsync(
                () -> null,
                (ignored, error) -> execute(planner.registrationGraceOver()),
                READER_REGISTRATION_GRACE_MILLIS,
                READER_REGISTRATION_GRACE_MILLIS);
    }

    // ---------------------------------------------------------------- AWS work, worker thread

    private ShardDiscovery newDiscovery(Decisions.NewStream stream) {
        ShardDiscovery discovery =
                new ShardDiscovery(client, stream.streamArn(), pacer, stream.jobStart());
        discoveries.put(stream.streamArn(), discovery);
        return discovery;
    }

    private void startResolving(String table) {
        context.callAsync(
                () -> tables.resolve(table),
                (streamArn, error) -> {
                    if (error != null) {
                        if (ListingFailures.wasInterrupted(error)) {
                            LOG.debug(
                                    "Looking up the stream of table {} interrupted", table, error);
                            return;
                        }
                        throw TableResolution.failure(table, error);
                    }
                    execute(planner.tableResolved(table, streamArn));
                });
    }

    private void startInitialListing(Decisions.NewStream stream) {
        if (!stream.initialListingDone()) {
            String arn = stream.streamArn();
            ShardDiscovery discovery = discoveries.get(arn);
            StartingPosition start = stream.startingPosition();
            // A snapshot's segment count may need the table's size: asked once, with the listing
            // that fixes the stream's positions, and retried with it.
            String table = planner.takesSnapshot(arn) ? StreamArns.tableName(arn) : null;
            int parallelism = context.currentParallelism();
            context.callAsync(
                    () ->
                            InitialListingRetry.call(
                                    "First listing of stream " + arn,
                                    settings,
                                    () -> {
                                        InitialListing listing = discovery.initialListing(start);
                                        SnapshotSegmentCount.Plan plan =
                                                table == null
                                                        ? new SnapshotSegmentCount.Plan(0, -1)
                                                        : SnapshotSegmentCount.plan(
                                                                settings.snapshotSegments(),
                                                                () -> client.describeTable(table),
                                                                parallelism);
                                        return new ListingAndSegments(listing, plan);
                                    }),
                    (result, error) -> onInitialListing(arn, result, error));
        }
    }

    /** A stream's first listing, with the plan of its table's snapshot (0 segments: none). */
    private record ListingAndSegments(InitialListing listing, SnapshotSegmentCount.Plan snapshot) {}

    /**
     * The item counts of the tables of restored snapshots still being read, for the progress gauge
     * (a checkpoint does not hold them). A failure leaves the count unknown.
     */
    private void describeRestoredSnapshots() {
        for (SnapshotSegments snapshot : planner.snapshots()) {
            if (!snapshot.allRead()) {
                String table = snapshot.getTableName();
                context.callAsync(
                        () -> client.describeTable(table).itemCount(),
                        (count, error) -> {
                            if (error == null && count != null) {
                                metrics.snapshotTableItems(count);
                            } else {
                                LOG.info("No item count of table {} for the progress gauge", table);
                            }
                        });
            }
        }
    }

    private void startPeriodicListing(Decisions.NewStream stream) {
        long interval = settings.discoveryIntervalMillis();
        long fullListingInterval = settings.fullListingIntervalMillis();
        String arn = stream.streamArn();
        ShardDiscovery discovery = discoveries.get(arn);
        context.callAsync(
                () -> discovery.periodicListing(fullListingInterval),
                (listing, error) -> {
                    ShardListing found =
                            ListingFailures.failed(LOG, arn, error, "Shard discovery")
                                    ? null
                                    : listing;
                    execute(planner.listing(arn, found, System.currentTimeMillis()));
                },
                stream.initialListingDone() ? 0 : interval,
                interval);
    }

    private void lookUpChildren(Decisions.ChildLookup lookup) {
        String arn = lookup.streamArn();
        String parent = lookup.parentShardId();
        ShardDiscovery discovery = discoveries.get(arn);
        context.callAsync(
                () -> discovery.childrenOf(parent, lookup.listAfterShardId()),
                (listing, error) -> {
                    ShardListing found =
                            ListingFailures.failed(LOG, arn, error, "Child lookup")
                                    ? null
                                    : listing;
                    execute(
                            planner.childLookupDone(
                                    arn, parent, found, System.currentTimeMillis()));
                });
    }

    private void lookUpLatestStream(Decisions.LatestStreamLookup lookup) {
        String table = lookup.table();
        context.callAsync(
                () -> pacer.call(() -> client.resolveLatestStreamArn(table)),
                (latest, error) -> {
                    ListingFailures.logLatestStreamLookupFailure(LOG, table, error);
                    String found = error == null ? latest : null;
                    execute(planner.latestStreamFound(table, lookup.disabledStreamArn(), found));
                });
    }

    // ---------------------------------------------------------------- coordinator-thread handlers

    private void onInitialListing(String arn, ListingAndSegments result, Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(ListingFailures.describe(arn, error), error);
        }
        InitialListing listing = result.listing();
        if (!settings.bounded() && planner.takesSnapshot(arn)) {
            // First: its message names what snapshot then stream needs.
            ListingFailures.checkSnapshotViewType(arn, listing.listing().viewType());
        }
        if (!(settings.bounded() && planner.takesSnapshot(arn))) {
            // A bounded snapshot reads no stream record: any view type will do.
            ListingFailures.checkViewType(arn, listing.listing().viewType(), settings);
        }
        if (result.snapshot().tableItems() >= 0) {
            metrics.snapshotTableItems(result.snapshot().tableItems());
        }
        execute(
                planner.initialListing(
                        arn, listing, result.snapshot().segments(), System.currentTimeMillis()));
    }

    @Override
    public void addReader(int subtaskId) {
        execute(planner.readerAdded(subtaskId));
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
        execute(planner.shardsFinished(subtaskId, ((FinishesReportedEvent) event).splitIds()));
    }

    /**
     * Called when subtask {@code subtaskId} failed and restarts from its last completed checkpoint,
     * with the splits assigned to it since then.
     */
    @Override
    public void addSplitsBack(List<DynamoDbSplit> splits, int subtaskId) {
        boolean registeredAgain = context.registeredReaders().containsKey(subtaskId);
        execute(planner.splitsBack(subtaskId, splits, registeredAgain));
    }

    @Override
    public DynamoDbStreamsSourceEnumState snapshotState(long checkpointId) {
        return planner.snapshot(checkpointId);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        execute(planner.checkpointCompleted(checkpointId));
    }

    /** Carries out the planner's decisions, in the order {@link Decisions} lists them. */
    private void execute(Decisions decisions) {
        for (Decisions.NewStream stream : decisions.newStreams()) {
            if (stream.followed()) {
                metrics.streamFollowed();
            }
            newDiscovery(stream);
            startInitialListing(stream);
            startPeriodicListing(stream);
        }
        decisions.nextListings().forEach((arn, next) -> discoveries.get(arn).publish(next));
        decisions.retiredStreams().forEach(arn -> discoveries.get(arn).retire());
        decisions.latestStreamLookups().forEach(this::lookUpLatestStream);
        decisions.childLookups().forEach(this::lookUpChildren);
        if (decisions.startChildLookupTick()) {
            // Periodic because the context has no one-shot delayed call; idle while none waits.
            context.callAsync(
                    () -> null,
                    (ignored, error) -> execute(planner.childLookupTick()),
                    CHILD_LOOKUP_TICK_MILLIS,
                    CHILD_LOOKUP_TICK_MILLIS);
        }
        if (!decisions.assignments().isEmpty()) {
            LOG.debug("Assigning {}", decisions.assignments());
            context.assignSplits(new SplitsAssignment<>(decisions.assignments()));
        }
        metrics.update(planner.graphs());
        metrics.updateSnapshots(planner.snapshots());
        decisions.noMoreSplits().forEach(context::signalNoMoreSplits);
        decisions
                .acks()
                .forEach(
                        (subtask, splitIds) ->
                                context.sendEventToSourceReader(
                                        subtask, new FinishesConfirmedEvent(splitIds)));
    }

    /** How many reported finishes no completed checkpoint holds; for tests. */
    int unconfirmedFinishCount() {
        return planner.unconfirmedFinishCount();
    }

    /** The enumerator's gauges; for tests. */
    EnumeratorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        client.close();
    }

    /** The planner's view of the readers: the context's registered readers. */
    private static final class ContextReaders implements SplitPlanner.Readers {
        private final SplitEnumeratorContext<DynamoDbSplit> context;

        ContextReaders(SplitEnumeratorContext<DynamoDbSplit> context) {
            this.context = context;
        }

        @Override
        public Collection<Integer> registered() {
            return context.registeredReaders().keySet();
        }

        @Override
        public int parallelism() {
            return context.currentParallelism();
        }
    }
}
