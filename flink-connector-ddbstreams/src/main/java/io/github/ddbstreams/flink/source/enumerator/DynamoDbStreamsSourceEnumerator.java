package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.event.FinishedShardsCheckpointedEvent;
import io.github.ddbstreams.flink.source.event.ShardsFinishedEvent;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
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
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

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

    private final SplitEnumeratorContext<ShardSplit> context;
    private final StreamsClient client;
    private final EnumeratorSettings settings;
    private final ShardAssigner assigner;
    private final ShardGraph graph;
    private final ShardDiscovery discovery;
    private final String streamArn;

    /** Positions of unassigned shards that do not start at the default position. */
    private final Map<String, ShardPosition> startPositions;

    private final long jobStartMillis;
    private boolean initialDiscoveryDone;
    private long lastCompleteListingMillis;
    private boolean noMoreSplitsSignalled;
    private boolean streamDisabled;

    /** Finishes reported since the last snapshot, by reporting subtask. */
    private Map<String, Integer> finishesSinceSnapshot = new HashMap<>();

    /** Finishes included in a snapshot whose checkpoint has not completed yet. */
    private final TreeMap<Long, Map<String, Integer>> finishesByCheckpoint = new TreeMap<>();

    public DynamoDbStreamsSourceEnumerator(
            SplitEnumeratorContext<ShardSplit> context,
            StreamsClient client,
            String streamArn,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this.context = context;
        this.client = client;
        this.streamArn = streamArn;
        this.settings = settings;
        this.assigner = assigner;
        this.discovery = new ShardDiscovery(client, streamArn);
        if (restored == null) {
            this.graph = new ShardGraph(settings.retentionMillis());
            this.startPositions = new HashMap<>();
            this.jobStartMillis = System.currentTimeMillis();
            this.initialDiscoveryDone = false;
        } else {
            this.graph = ShardGraph.restore(restored.getShards(), settings.retentionMillis());
            this.startPositions = new HashMap<>(restored.getStartPositions());
            this.jobStartMillis = restored.getJobStartMillis();
            this.initialDiscoveryDone = restored.isInitialDiscoveryDone();
        }
    }

    @Override
    public void start() {
        if (!initialDiscoveryDone) {
            context.callAsync(this::initialDiscovery, this::onInitialDiscovery);
        }
        long interval = settings.discoveryIntervalMillis();
        context.callAsync(
                this::periodicDiscovery,
                this::onListing,
                initialDiscoveryDone ? 0 : interval,
                interval);
    }

    // ---------------------------------------------------------------- worker-thread callables

    private InitialDiscovery initialDiscovery() {
        ShardDiscovery.Listing listing = discovery.listAll();
        Map<String, ShardPosition> latest = new HashMap<>();
        if (settings.startingPosition().getKind() == StartingPosition.Kind.LATEST) {
            // Resolve LATEST now, once: an iterator asked for later would skip what was written
            // in between. Readers keep these iterators fresh in their checkpoints.
            long now = System.currentTimeMillis();
            for (DiscoveredShard shard : listing.shards) {
                if (!shard.isClosed()) {
                    String iterator =
                            client.getShardIterator(
                                    streamArn, shard.getShardId(), ShardIteratorType.LATEST, null);
                    latest.put(shard.getShardId(), ShardPosition.latestIterator(iterator, now));
                }
            }
        }
        return new InitialDiscovery(listing, latest);
    }

    private ShardDiscovery.Listing periodicDiscovery() {
        // Reads only a volatile snapshot of the coordinator's view; see onListing.
        DiscoveryCursor cursor = discoveryCursor;
        boolean full =
                cursor.newestShardId == null
                        || System.currentTimeMillis() - cursor.lastCompleteListingMillis
                                >= settings.fullListingIntervalMillis();
        return full ? discovery.listAll() : discovery.listAfter(cursor.newestShardId);
    }

    // ---------------------------------------------------------------- coordinator-thread handlers

    private void onInitialDiscovery(InitialDiscovery result, Throwable error) {
        if (error != null) {
            throw new FlinkRuntimeException(describeListingFailure(error), error);
        }
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
        afterListing(listing, now);
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
        discoveryCursor = new DiscoveryCursor(graph.maxShardId(), lastCompleteListingMillis);
        assignReadyShards();
    }

    @Override
    public void addReader(int subtaskId) {
        assignReadyShards();
        if (noMoreSplitsSignalled) {
            context.signalNoMoreSplits(subtaskId);
        }
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
            finishesSinceSnapshot.put(shardId, subtaskId);
            if (children.isEmpty() && !isOutOfBoundedScope(shardId)) {
                lookUpChildren(shardId);
            }
        }
        assignReadyShards();
    }

    /** Asks for a finished shard's children at once, so rollover latency is not the interval. */
    private void lookUpChildren(String parentShardId) {
        String newest = graph.maxShardId();
        context.callAsync(() -> discovery.childrenOf(parentShardId, newest), this::onListing);
    }

    /**
     * Called when {@code subtaskId} restarts from the last checkpoint without the enumerator being
     * reset (a partial failover, the default even when every task restarts): {@code splits} are the
     * shards assigned to it since that checkpoint.
     */
    @Override
    public void addSplitsBack(List<ShardSplit> splits, int subtaskId) {
        reopenUncheckpointedFinishes(subtaskId);
        for (ShardSplit split : splits) {
            if (split.isFinishedMarker()) {
                continue; // the finish is already known here, or will be re-reported on restore
            }
            if (graph.status(split.getShardId()) != ShardStatus.ASSIGNED) {
                continue;
            }
            LOG.info("Shard {} returned by failed subtask {}", split.getShardId(), subtaskId);
            graph.markUnassigned(split.getShardId());
            startPositions.put(split.getShardId(), split.getPosition());
        }
        // Reassigned when the subtask registers again (addReader), or to another reader now.
        assignReadyShards();
    }

    /**
     * The restarted reader's state predates the finishes it reported after the last completed
     * checkpoint: it holds each such shard either as a split to read on from the checkpointed
     * position, or as a finished marker that it reports again. Until then the shard is not
     * finished, or its children would be read while its last records are read again, possibly on
     * another subtask: the children's records would overtake the parent's. Finishes of checkpoints
     * not yet known to be complete are undone too; a marker restored with them reports them again.
     */
    private void reopenUncheckpointedFinishes(int subtaskId) {
        List<String> reopened = new ArrayList<>();
        List<Map<String, Integer>> pending = new ArrayList<>(finishesByCheckpoint.values());
        pending.add(finishesSinceSnapshot);
        for (Map<String, Integer> finishes : pending) {
            finishes.entrySet()
                    .removeIf(
                            finish -> {
                                if (finish.getValue() != subtaskId) {
                                    return false;
                                }
                                reopen(finish.getKey(), subtaskId, reopened);
                                return true;
                            });
        }
        if (!reopened.isEmpty()) {
            LOG.info(
                    "Subtask {} restarts from before it finished shards {}: they are read again"
                            + " before their children",
                    subtaskId,
                    reopened);
        }
    }

    private void reopen(String shardId, int subtaskId, List<String> reopened) {
        if (graph.status(shardId) != ShardStatus.FINISHED || reopened.contains(shardId)) {
            return;
        }
        reopened.add(shardId);
        List<String> elsewhere = graph.reopen(shardId, subtaskId);
        if (!elsewhere.isEmpty()) {
            LOG.warn(
                    "Shard {} is read again by restarted subtask {} while its children {} are"
                            + " already read by other subtasks: per-key order across the shard end"
                            + " may not hold",
                    shardId,
                    subtaskId,
                    elsewhere);
        }
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
            int subtask =
                    assigner.selectSubtask(
                            shardId, graph.preferredSubtask(shardId), assignmentContext);
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
        if (!(settings.bounded() || finishDisabled) || noMoreSplitsSignalled) {
            return;
        }
        if (!initialDiscoveryDone) {
            return;
        }
        for (ShardNode node : graph.snapshot()) {
            if (node.getStatus() != ShardStatus.FINISHED
                    && !isOutOfBoundedScope(node.getShardId())) {
                return;
            }
        }
        noMoreSplitsSignalled = true;
        LOG.info(
                "Stream {}: every shard to read is finished ({}); ending the readers",
                streamArn,
                settings.bounded() ? "bounded read" : "stream disabled");
        for (int subtask : context.registeredReaders().keySet()) {
            context.signalNoMoreSplits(subtask);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    @Override
    public DynamoDbStreamsSourceEnumState snapshotState(long checkpointId) {
        finishesByCheckpoint.put(checkpointId, finishesSinceSnapshot);
        finishesSinceSnapshot = new HashMap<>();
        return new DynamoDbStreamsSourceEnumState(
                streamArn,
                new ArrayList<>(graph.snapshot()),
                new HashMap<>(startPositions),
                jobStartMillis,
                initialDiscoveryDone);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map<Integer, List<String>> acks = new HashMap<>();
        Map<Long, Map<String, Integer>> done = finishesByCheckpoint.headMap(checkpointId, true);
        for (Map<String, Integer> finishes : done.values()) {
            finishes.forEach(
                    (shardId, subtask) ->
                            acks.computeIfAbsent(subtask, k -> new ArrayList<>()).add(shardId));
        }
        done.clear();
        acks.forEach(
                (subtask, shardIds) -> {
                    if (subtask >= 0 && context.registeredReaders().containsKey(subtask)) {
                        context.sendEventToSourceReader(
                                subtask, new FinishedShardsCheckpointedEvent(shardIds));
                    }
                });
    }

    @Override
    public void close() {
        client.close();
    }

    // ---------------------------------------------------------------- helpers

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

    private volatile DiscoveryCursor discoveryCursor = new DiscoveryCursor(null, 0);

    /** What the periodic listing needs to know, published to the worker thread. */
    private static final class DiscoveryCursor {
        @Nullable final String newestShardId;
        final long lastCompleteListingMillis;

        DiscoveryCursor(@Nullable String newestShardId, long lastCompleteListingMillis) {
            this.newestShardId = newestShardId;
            this.lastCompleteListingMillis = lastCompleteListingMillis;
        }
    }

    private static final class InitialDiscovery {
        final ShardDiscovery.Listing listing;
        final Map<String, ShardPosition> latestPositions;

        InitialDiscovery(ShardDiscovery.Listing listing, Map<String, ShardPosition> latest) {
            this.listing = listing;
            this.latestPositions = latest;
        }
    }
}
