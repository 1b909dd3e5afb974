package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.event.FinishedShardsCheckpointedEvent;
import io.github.ddbstreams.flink.source.event.ShardsFinishedEvent;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Discovers shards and hands them to readers parent-before-child. Wiring only: lineage and
 * readiness live in {@link ShardGraph}, the choice of subtask in {@link ShardAssigner}, AWS calls
 * in {@link ShardDiscovery}.
 *
 * <p>Threads: every method of this class runs on the coordinator thread, including the handlers of
 * {@code callAsync}; only the callables (listing, iterator lookups) run on the worker thread, and
 * they read nothing but their arguments.
 */
@Internal
public final class DynamoDbStreamsSourceEnumerator
        implements SplitEnumerator<ShardSplit, DynamoDbStreamsSourceEnumState> {
    private static final Logger LOG =
            LoggerFactory.getLogger(DynamoDbStreamsSourceEnumerator.class);

    /**
     * Incremental listings re-list the shards created in this last stretch before the newest known
     * shard: cheap (a page), and it catches shards whose ids sort before a same-moment sibling.
     */
    static final long LISTING_OVERLAP_MILLIS = 60_000;

    private final SplitEnumeratorContext<ShardSplit> context;
    private final StreamsClient client;
    private final EnumeratorSettings settings;
    private final ShardAssigner assigner;
    private final ShardGraph graph;
    private final ShardDiscovery discovery;
    private final EnumeratorMetrics metrics;
    private final String streamArn;

    /** Positions of unassigned shards that do not start at the default position. */
    private final Map<String, ShardPosition> startPositions;

    private final long jobStartMillis;
    private boolean initialDiscoveryDone;
    private long lastCompleteListingMillis;
    private boolean streamDisabled;

    /**
     * Every shard to read is finished (bounded mode, or a disabled stream with FINISH); a partial
     * failover may undo it.
     */
    private boolean allRead;

    /** Subtasks told that no more splits come; Flink forgets it when a subtask restarts. */
    private final Set<Integer> noMoreSplitsSent = new HashSet<>();

    private final UnconfirmedFinishes unconfirmedFinishes = new UnconfirmedFinishes();

    /** Forgotten shards seen again in listings, as far as logged. */
    private long relistedLogged;

    /**
     * Failed subtasks that will register again with their restored splits. Shards whose lineage is
     * theirs wait for them rather than move to another subtask.
     */
    private final Set<Integer> awaitedSubtasks = new HashSet<>();

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
        this.context = context;
        this.client = client;
        this.streamArn = streamArn;
        this.settings = settings;
        this.assigner = assigner;
        this.discovery =
                new ShardDiscovery(
                        client,
                        streamArn,
                        new DescribeStreamPacer(
                                settings.describeStreamCallsPerSecond(),
                                settings.retryInitialBackoffMillis(),
                                settings.retryMaxBackoffMillis(),
                                pacingClock));
        this.metrics = new EnumeratorMetrics(context.metricGroup(), discovery);
        if (restored == null) {
            this.graph = new ShardGraph(settings.retentionMillis());
            this.startPositions = new HashMap<>();
            this.jobStartMillis = System.currentTimeMillis();
            this.initialDiscoveryDone = false;
        } else {
            this.graph =
                    ShardGraph.restore(
                            restored.getShards(),
                            restored.getForgottenUpToMillis(),
                            settings.retentionMillis());
            this.startPositions = new HashMap<>(restored.getStartPositions());
            this.jobStartMillis = restored.getJobStartMillis();
            this.initialDiscoveryDone = restored.isInitialDiscoveryDone();
        }
    }

    @Override
    public void start() {
        if (!initialDiscoveryDone) {
            StartingPosition start = settings.startingPosition();
            context.callAsync(() -> discovery.initialListing(start), this::onInitialDiscovery);
        }
        long interval = settings.discoveryIntervalMillis();
        long fullListingInterval = settings.fullListingIntervalMillis();
        context.callAsync(
                () -> discovery.periodicListing(fullListingInterval),
                this::onListing,
                initialDiscoveryDone ? 0 : interval,
                interval);
    }

    // ---------------------------------------------------------------- coordinator-thread handlers

    private void onInitialDiscovery(ShardDiscovery.InitialListing result, Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(describeListingFailure(error), error);
        }
        checkViewType(result.listing.viewType);
        long now = System.currentTimeMillis();
        StartingPosition.Kind kind = settings.startingPosition().getKind();
        graph.addShards(result.listing.shards, true, now);
        if (kind == StartingPosition.Kind.LATEST) {
            // Shards closed before the start hold nothing after it.
            for (DiscoveredShard shard : result.listing.shards) {
                if (shard.isClosed()) {
                    graph.markFinished(shard.getShardId(), -1);
                }
            }
        }
        startPositions.putAll(result.latestPositions);
        initialDiscoveryDone = true;
        forgetExpiredShards(now);
        LOG.info(
                "Stream {}: {} shards found at start, starting position {}",
                streamArn,
                result.listing.shards.size(),
                settings.startingPosition());
        afterListing(result.listing, now);
    }

    private void onListing(ShardDiscovery.Listing listing, Throwable error) {
        if (error != null) {
            if (isMissingStream(error)) {
                throw new FlinkRuntimeException(describeListingFailure(error), error);
            }
            LOG.warn(
                    "Shard discovery of stream {} failed; will retry: {}",
                    streamArn,
                    error.toString());
            return;
        }
        if (!initialDiscoveryDone) {
            return; // the initial discovery decides starting positions first
        }
        long now = System.currentTimeMillis();
        List<String> added = graph.addShards(listing.shards, listing.complete, now);
        if (!added.isEmpty()) {
            LOG.info("Stream {}: discovered {} new shards", streamArn, added.size());
        }
        if (listing.complete) {
            forgetExpiredShards(now);
        }
        afterListing(listing, now);
    }

    /** After a complete listing: drops shards that can no longer matter, so state stays bounded. */
    private void forgetExpiredShards(long now) {
        // A finish no completed checkpoint holds may still be taken back: keep those shards.
        int forgotten = graph.forgetExpired(now, unconfirmedFinishes::contains);
        if (forgotten > 0) {
            LOG.info(
                    "Stream {}: forgot {} finished shards past retention; {} shards remain",
                    streamArn,
                    forgotten,
                    graph.size());
        }
        long relisted = graph.forgottenRelistedCount() - relistedLogged;
        relistedLogged += relisted;
        if (relisted > 0) {
            LOG.warn(
                    "Stream {}: a listing returned {} shards that were read and forgotten "
                            + "before; they are not read again",
                    streamArn,
                    relisted);
        }
    }

    private void afterListing(ShardDiscovery.Listing listing, long now) {
        boolean disabled =
                listing.status == null
                        ? streamDisabled
                        : listing.status == StreamStatus.DISABLED
                                || listing.status == StreamStatus.DISABLING;
        if (disabled && !streamDisabled) {
            LOG.warn(
                    "Stream {} is {}: its shards are read to their ends, then the source {} "
                            + "(source.on-stream-disabled)",
                    streamArn,
                    listing.status,
                    settings.finishWhenDisabled() ? "finishes" : "keeps running idle");
        }
        streamDisabled = disabled;
        if (listing.complete) {
            lastCompleteListingMillis = now;
        }
        discovery.publishCursor(
                graph.listingCursor(LISTING_OVERLAP_MILLIS), lastCompleteListingMillis);
        assignReadyShards();
    }

    @Override
    public void addReader(int subtaskId) {
        awaitedSubtasks.remove(subtaskId);
        assignReadyShards();
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Shards are pushed to readers as they become ready; readers never ask.
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (!(event instanceof ShardsFinishedEvent)) {
            LOG.warn("Ignoring unknown event {} from subtask {}", event, subtaskId);
            return;
        }
        for (String shardId : ((ShardsFinishedEvent) event).shardIds()) {
            List<String> children = graph.markFinished(shardId, subtaskId);
            unconfirmedFinishes.reported(shardId, subtaskId);
            if (children.isEmpty()
                    && graph.contains(shardId) // a forgotten shard's children are known
                    && !isOutOfBoundedScope(shardId)) {
                lookUpChildren(shardId);
            }
        }
        assignReadyShards();
    }

    /** Asks for a finished shard's children at once, so rollover latency is not the interval. */
    private void lookUpChildren(String parentShardId) {
        String cursor = graph.listingCursor(LISTING_OVERLAP_MILLIS);
        context.callAsync(() -> discovery.childrenOf(parentShardId, cursor), this::onListing);
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
        for (String shardId : unconfirmedFinishes.takeBack(subtaskId)) {
            LOG.info("Finish of shard {} undone by the failover of subtask {}", shardId, subtaskId);
            graph.reopenFinished(shardId, subtaskId);
            allRead = false;
        }
        for (ShardSplit split : splits) {
            if (split.isFinishedMarker()
                    || graph.status(split.getShardId()) != ShardStatus.ASSIGNED) {
                continue;
            }
            LOG.info("Shard {} returned by failed subtask {}", split.getShardId(), subtaskId);
            graph.markUnassigned(split.getShardId());
            startPositions.put(split.getShardId(), split.getPosition());
            allRead = false;
        }
        noMoreSplitsSent.remove(subtaskId);
        if (!context.registeredReaders().containsKey(subtaskId)) {
            // Its lineages stay with it: reassigned when it registers again (addReader).
            awaitedSubtasks.add(subtaskId);
        }
        assignReadyShards();
    }

    private void assignReadyShards() {
        Map<Integer, List<ShardSplit>> assignment = new HashMap<>();
        ShardAssigner.AssignmentContext assignmentContext =
                new ShardAssigner.AssignmentContext() {
                    @Override
                    public java.util.Collection<Integer> registeredSubtasks() {
                        return context.registeredReaders().keySet();
                    }

                    @Override
                    public int assignedShardCount(int subtask) {
                        return graph.assignedCount(subtask);
                    }
                };
        for (String shardId : graph.readyShards()) {
            if (isOutOfBoundedScope(shardId)) {
                continue;
            }
            int preferred = graph.preferredSubtask(shardId);
            if (awaitedSubtasks.contains(preferred)) {
                continue;
            }
            int subtask = assigner.selectSubtask(shardId, preferred, assignmentContext);
            if (subtask < 0) {
                break; // no reader registered yet
            }
            ShardPosition position = startPositions.remove(shardId);
            if (position == null) {
                position = defaultPosition();
            }
            graph.markAssigned(shardId, subtask);
            assignment
                    .computeIfAbsent(subtask, k -> new ArrayList<>())
                    .add(new ShardSplit(streamArn, shardId, graph.parent(shardId), position));
        }
        if (!assignment.isEmpty()) {
            LOG.debug("Assigning {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        metrics.update(graph);
        signalNoMoreSplitsIfAllRead();
    }

    private ShardPosition defaultPosition() {
        StartingPosition start = settings.startingPosition();
        if (start.getKind() == StartingPosition.Kind.AT_TIMESTAMP) {
            return ShardPosition.atTimestamp(start.getTimestamp().toEpochMilli());
        }
        // TRIM_HORIZON; and for LATEST, shards created after the start are read from the start.
        return ShardPosition.trimHorizon();
    }

    /** In bounded mode, shards created after the job started are not read. */
    private boolean isOutOfBoundedScope(String shardId) {
        if (!settings.bounded()) {
            return false;
        }
        long created = graph.creationTimeMillis(shardId);
        return created > jobStartMillis;
    }

    /**
     * Ends the readers when nothing is left to read: in bounded mode once every shard created
     * before the job start is finished, and for a disabled stream (if so configured) once every
     * shard is finished, since a disabled stream gets no new shards.
     */
    private void signalNoMoreSplitsIfAllRead() {
        boolean finishDisabled = streamDisabled && settings.finishWhenDisabled();
        if (!(settings.bounded() || finishDisabled) || !initialDiscoveryDone) {
            return;
        }
        if (!allRead) {
            for (ShardNode node : graph.snapshot()) {
                if (node.getStatus() != ShardStatus.FINISHED
                        && !isOutOfBoundedScope(node.getShardId())) {
                    return;
                }
            }
            allRead = true;
            LOG.info(
                    "Stream {}: every shard to read is finished ({}); ending the readers",
                    streamArn,
                    settings.bounded() ? "bounded read" : "stream disabled");
        }
        for (int subtask : context.registeredReaders().keySet()) {
            if (noMoreSplitsSent.add(subtask)) {
                context.signalNoMoreSplits(subtask);
            }
        }
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public DynamoDbStreamsSourceEnumState snapshotState(long checkpointId) {
        unconfirmedFinishes.snapshotTaken(checkpointId);
        return new DynamoDbStreamsSourceEnumState(
                streamArn,
                new ArrayList<>(graph.snapshot()),
                new HashMap<>(startPositions),
                jobStartMillis,
                initialDiscoveryDone,
                graph.forgottenUpToMillis());
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map<Integer, List<String>> acks = unconfirmedFinishes.checkpointCompleted(checkpointId);
        acks.forEach(
                (subtask, shardIds) -> {
                    if (subtask >= 0 && context.registeredReaders().containsKey(subtask)) {
                        context.sendEventToSourceReader(
                                subtask, new FinishedShardsCheckpointedEvent(shardIds));
                    }
                });
    }

    /** The enumerator's gauges; for tests. */
    EnumeratorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        client.close();
    }

    // ---------------------------------------------------------------- helpers

    private void checkViewType(@Nullable StreamViewType viewType) {
        Set<StreamViewType> supported = settings.supportedViewTypes();
        if (viewType != null && !supported.isEmpty() && !supported.contains(viewType)) {
            throw new FlinkRuntimeException(
                    String.format(
                            "Stream %s has view type %s, but the source's deserializer needs one "
                                    + "of %s. Change the table's StreamSpecification "
                                    + "(StreamViewType), or use a deserializer (or SQL "
                                    + "'changelog.mode') that works with %s.",
                            streamArn, viewType, supported, viewType));
        }
    }

    private static boolean isMissingStream(Throwable error) {
        return error instanceof ResourceNotFoundException
                || error.getCause() instanceof ResourceNotFoundException;
    }

    private String describeListingFailure(Throwable error) {
        if (isMissingStream(error)) {
            return "DynamoDB stream "
                    + streamArn
                    + " does not exist or is not readable with the configured credentials and "
                    + "region. Check the stream ARN (DescribeTable's LatestStreamArn) and the "
                    + "region.";
        }
        return "Could not list the shards of DynamoDB stream " + streamArn + ": " + error;
    }
}
