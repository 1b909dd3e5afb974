package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.StreamEnumState;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardListing;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one owner of the enumerator's state: every stream's shard graph and positions ({@link
 * TrackedStream}), what is assigned to whom and the start-up hold ({@link ShardHandout}), finishes
 * waiting for a checkpoint ({@link UnconfirmedFinishes}), the following of a table's new stream
 * ({@link StreamFollower}), child lookups and their repeats ({@link ChildLookups}), tables still to
 * resolve, and the end of input. Its methods take the events the enumerator sees and return what to
 * do as {@link Decisions}; it makes no AWS call and knows nothing of Flink's context, so it is
 * tested by feeding it events.
 *
 * <p>Every event that can make a shard ready ends in an assignment round: ready shards go to
 * readers, parent before child, and once nothing is left to read the readers are told so.
 *
 * <p>Coordinator thread only.
 */
@Internal
public final class SplitPlanner {
    private static final Logger LOG = LoggerFactory.getLogger(SplitPlanner.class);

    /** What the planner reads of Flink's readers when it assigns: its view, read each round. */
    public interface Readers {
        /** The subtasks whose reader is registered now. */
        Collection<Integer> registered();

        /** How many subtasks the source has. */
        int parallelism();
    }

    private final EnumeratorSettings settings;
    private final Readers readers;

    /** The clock that paces DescribeStream calls: times a disabled stream's end, lookup repeats. */
    private final LongSupplier nanoClock;

    /** By stream ARN, in the order the streams were restored, then configured, then added. */
    private final Map<String, TrackedStream> streams = new LinkedHashMap<>();

    /** Tables not resolved yet, with their starting positions, in configured order. */
    private final Map<String, StartingPosition> pendingTables;

    /** Keyed by split id, which names the stream and the shard. */
    private final UnconfirmedFinishes unconfirmedFinishes;

    /** The tables' snapshots (Scan segments), by the stream each goes with. */
    private final TableSnapshots snapshots;

    private final StreamFollower follower;
    private final ShardHandout handout;
    private final ChildLookups childLookups;

    /**
     * @param startingPositions the streams to read, by ARN, with the position each starts from if
     *     the restored state does not have it yet
     * @param tables tables whose current streams to read too, with their starting positions, until
     *     {@link #tableResolved} names their streams
     * @param nanoClock the clock that paces DescribeStream calls, in nanoseconds
     */
    public SplitPlanner(
            Map<String, StartingPosition> startingPositions,
            Map<String, StartingPosition> tables,
            EnumeratorSettings settings,
            ShardAssigner assigner,
            Readers readers,
            LongSupplier nanoClock,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        this.settings = settings;
        this.readers = readers;
        this.nanoClock = nanoClock;
        this.pendingTables = new LinkedHashMap<>(tables);
        streams.putAll(TrackedStream.openAll(startingPositions, settings, restored));
        this.snapshots = new TableSnapshots(restored);
        if (streams.isEmpty() && pendingTables.isEmpty()) {
            throw new IllegalArgumentException("No stream to read");
        }
        this.unconfirmedFinishes = new UnconfirmedFinishes(restored != null);
        this.follower = new StreamFollower(settings, streams, unconfirmedFinishes);
        this.handout = new ShardHandout(assigner, settings, streams, follower::waitsForOlderStream);
        this.childLookups = new ChildLookups(settings.discoveryIntervalMillis());
        follower.trustRestoredEnds();
        follower.retireFollowedStreams(); // a restored stream that was followed is not listed
    }

    // ---------------------------------------------------------------- what there is to list

    /** The streams known now, in order, to start listing; retired ones are not listed. */
    public List<Decisions.NewStream> streams() {
        List<Decisions.NewStream> all = new ArrayList<>(streams.size());
        streams.values().forEach(stream -> all.add(newStream(stream, false)));
        return all;
    }

    /** Whether {@code streamArn} is read to its end and no longer listed. */
    public boolean isRetired(String streamArn) {
        TrackedStream stream = streams.get(streamArn);
        return stream != null && stream.isRetired();
    }

    /** The tables whose streams are still to be looked up, in configured order. */
    public List<String> pendingTables() {
        return new ArrayList<>(pendingTables.keySet());
    }

    // ---------------------------------------------------------------- events: discovery

    /** {@code table}'s current stream is {@code streamArn}: read it from the table's position. */
    public Decisions tableResolved(String table, String streamArn) {
        StartingPosition start = pendingTables.remove(table);
        LOG.info("Table {}: reading its stream {} from {}", table, streamArn, start);
        Decisions decisions = new Decisions();
        addStream(streamArn, start, false, decisions);
        return decisions;
    }

    /** The first listing of {@code streamArn} in this job, made at {@code nowMillis}. */
    public Decisions initialListing(String streamArn, InitialListing result, long nowMillis) {
        return initialListing(streamArn, result, 0, nowMillis);
    }

    /**
     * The first listing of {@code streamArn} in this job, made at {@code nowMillis}; for a stream
     * whose starting position is {@link StartingPosition#initialSnapshot()}, its positions are
     * fixed now and the snapshot of its table starts, read as {@code snapshotSegments} segments.
     */
    public Decisions initialListing(
            String streamArn, InitialListing result, int snapshotSegments, long nowMillis) {
        TrackedStream stream = streams.get(streamArn);
        stream.applyInitialListing(result, nowMillis);
        if (takesSnapshot(stream) && !snapshots.has(streamArn)) {
            snapshots.start(streamArn, stream.tableName, snapshotSegments);
        }
        forgetExpiredShards(stream, nowMillis);
        LOG.info(
                "Stream {}: {} shards found at start, starting position {}",
                streamArn,
                result.listing().shards().size(),
                stream.startingPosition);
        return afterListing(stream, result.listing(), nowMillis, new Decisions());
    }

    /**
     * A periodic listing of {@code streamArn}, made at {@code nowMillis}; null if none was made
     * (the stream is retired) or it failed.
     */
    public Decisions listing(String streamArn, @Nullable ShardListing listing, long nowMillis) {
        Decisions decisions = new Decisions();
        TrackedStream stream = streams.get(streamArn);
        if (stream == null || listing == null || !stream.initialDiscoveryDone()) {
            // Retired or failed; or the initial listing decides starting positions first.
            return decisions;
        }
        List<String> added =
                stream.graph.addShards(listing.shards(), listing.complete(), nowMillis);
        if (!added.isEmpty()) {
            LOG.info("Stream {}: discovered {} new shards", streamArn, added.size());
        }
        if (listing.complete()) {
            forgetExpiredShards(stream, nowMillis);
        }
        return afterListing(stream, listing, nowMillis, decisions);
    }

    /**
     * A child lookup (see {@link Decisions#childLookups}) answered with {@code listing}; null if it
     * failed. Repeats it later while the listing shows no children yet.
     */
    public Decisions childLookupDone(
            String streamArn,
            String parentShardId,
            @Nullable ShardListing listing,
            long nowMillis) {
        Decisions decisions = listing(streamArn, listing, nowMillis);
        childLookups.lookupDone(
                streamArn, streams.get(streamArn), parentShardId, clockMillis(), decisions);
        return decisions;
    }

    /** The periodic tick of repeated child lookups: the lookups due now. */
    public Decisions childLookupTick() {
        Decisions decisions = new Decisions();
        childLookups.tick(streams, clockMillis(), decisions);
        return decisions;
    }

    /**
     * The look-up of {@code table}'s latest stream (see {@link Decisions#latestStreamLookups})
     * answered {@code latest}; null if it failed or the table has no enabled stream.
     */
    public Decisions latestStreamFound(
            String table, String disabledStreamArn, @Nullable String latest) {
        Decisions decisions = new Decisions();
        TrackedStream disabled = streams.get(disabledStreamArn);
        if (follower.latestStreamFound(table, disabled, latest)) {
            LOG.info(
                    "Stream {} of table {} is disabled and the table has a new stream {}: reading"
                            + " it from TRIM_HORIZON, its shards once every shard of {} is "
                            + "finished (source.on-stream-disabled = FOLLOW_NEW_STREAM)",
                    disabledStreamArn,
                    table,
                    latest,
                    disabledStreamArn);
            addStream(latest, StartingPosition.trimHorizon(), true, decisions);
        }
        return decisions;
    }

    // ---------------------------------------------------------------- events: readers

    /** Subtask {@code subtask}'s reader registered. */
    public Decisions readerAdded(int subtask) {
        handout.readerAdded(subtask);
        return assignmentRound(new Decisions());
    }

    /** The grace period for readers to register at start is over. */
    public Decisions registrationGraceOver() {
        Decisions decisions = new Decisions();
        return handout.endStartHold(readers) ? assignmentRound(decisions) : decisions;
    }

    /**
     * Whether {@code stream} starts with its table's snapshot: its starting position says so and
     * its first listing was applied in this job (a restored stream's snapshot is in the state).
     */
    public boolean takesSnapshot(String streamArn) {
        TrackedStream stream = streams.get(streamArn);
        return stream != null && takesSnapshot(stream);
    }

    private static boolean takesSnapshot(TrackedStream stream) {
        return stream.startingPosition.getKind() == StartingPosition.Kind.INITIAL_SNAPSHOT;
    }

    /** Subtask {@code subtask} read the splits {@code splitIds} to their ends. */
    public Decisions shardsFinished(int subtask, List<String> splitIds) {
        Decisions decisions = new Decisions();
        for (String splitId : splitIds) {
            if (ScanSegmentSplit.isSegmentId(splitId)) {
                if (snapshots.finished(splitId)) {
                    unconfirmedFinishes.reported(splitId, subtask);
                } else {
                    LOG.warn("Subtask {} finished {}, a segment of no snapshot", subtask, splitId);
                }
                continue;
            }
            TrackedStream stream = streams.get(ShardSplit.streamArnOf(splitId));
            if (stream == null) {
                LOG.warn(
                        "Subtask {} finished {}, a shard of no stream read here", subtask, splitId);
                continue;
            }
            String shardId = ShardSplit.shardIdOf(splitId);
            List<String> children = stream.graph.markFinished(shardId, subtask);
            unconfirmedFinishes.reported(splitId, subtask);
            if (children.isEmpty()
                    && !stream.isRetired() // read to its end: no children to come
                    && !stream.everyShardListed() // disabled, and its listing shows them all
                    && stream.graph.contains(shardId) // a forgotten shard's children are known
                    && !stream.isOutOfBoundedScope(shardId)) {
                childLookups.lookUp(stream, shardId, decisions);
            }
        }
        return assignmentRound(decisions);
    }

    /**
     * Subtask {@code subtask} failed and restarts from its last completed checkpoint, with {@code
     * splits}, those assigned to it since.
     *
     * @param registeredAgain whether its reader is registered already
     */
    public Decisions splitsBack(int subtask, List<DynamoDbSplit> splits, boolean registeredAgain) {
        // Finishes the subtask reported after that checkpoint are undone there: the restored
        // reader reads those shards again, or re-reports them from its restored finished markers.
        // Until it does, their children must wait, or they would be read before their parent.
        for (String splitId : unconfirmedFinishes.takeBack(subtask)) {
            LOG.info("Finish of {} undone by the failover of subtask {}", splitId, subtask);
            handout.shardReopened();
            if (ScanSegmentSplit.isSegmentId(splitId)) {
                snapshots.finishUndone(splitId, subtask);
                continue;
            }
            TrackedStream stream = streams.get(ShardSplit.streamArnOf(splitId));
            stream.graph.reopenFinished(ShardSplit.shardIdOf(splitId), subtask);
        }
        for (DynamoDbSplit given : splits) {
            if (given instanceof ScanSegmentSplit segment) {
                LOG.info("Segment {} returned by failed subtask {}", segment.splitId(), subtask);
                snapshots.givenBack(segment);
                handout.shardReopened();
                continue;
            }
            ShardSplit split = (ShardSplit) given;
            TrackedStream stream = streams.get(split.getStreamArn());
            if (stream != null && stream.takeBack(split)) {
                LOG.info("Shard {} returned by failed subtask {}", split.splitId(), subtask);
                handout.shardReopened();
            }
        }
        handout.subtaskFailed(subtask, registeredAgain);
        return assignmentRound(new Decisions());
    }

    // ---------------------------------------------------------------- events: checkpoints

    /** Checkpoint {@code checkpointId} is taken: the state to store in it. */
    public DynamoDbStreamsSourceEnumState snapshot(long checkpointId) {
        unconfirmedFinishes.snapshotTaken(checkpointId);
        List<StreamEnumState> states = new ArrayList<>(streams.size());
        streams.values().forEach(stream -> states.add(stream.snapshot()));
        return new DynamoDbStreamsSourceEnumState(states, snapshots.snapshot());
    }

    /** Checkpoint {@code checkpointId} completed: the finishes it holds are acknowledged. */
    public Decisions checkpointCompleted(long checkpointId) {
        Decisions decisions = new Decisions();
        Map<Integer, List<String>> acks = unconfirmedFinishes.checkpointCompleted(checkpointId);
        Collection<Integer> registered = readers.registered();
        acks.forEach(
                (subtask, splitIds) -> {
                    // -1: finished by the planner itself (closed before a LATEST start).
                    if (subtask >= 0 && registered.contains(subtask)) {
                        decisions.ack(subtask, splitIds);
                    }
                });
        // A followed stream may wait for its old stream's confirmations.
        return acks.isEmpty() ? decisions : assignmentRound(decisions);
    }

    // ---------------------------------------------------------------- for metrics and tests

    /** The shard graphs of every stream, for the metrics (coordinator thread). */
    public List<ShardGraph> graphs() {
        List<ShardGraph> graphs = new ArrayList<>(streams.size());
        streams.values().forEach(stream -> graphs.add(stream.graph));
        return graphs;
    }

    /** The tables' snapshots, for the metrics (coordinator thread). */
    public Collection<SnapshotSegments> snapshots() {
        return snapshots.all();
    }

    /** How many reported finishes no completed checkpoint holds. */
    public int unconfirmedFinishCount() {
        return unconfirmedFinishes.size();
    }

    // ---------------------------------------------------------------- internals

    private void addStream(
            String streamArn, StartingPosition start, boolean followed, Decisions decisions) {
        TrackedStream stream = new TrackedStream(streamArn, start, settings, null);
        streams.put(streamArn, stream);
        decisions.startStream(newStream(stream, followed));
    }

    private static Decisions.NewStream newStream(TrackedStream stream, boolean followed) {
        return new Decisions.NewStream(
                stream.streamArn,
                stream.startingPosition,
                stream.jobStart,
                stream.initialDiscoveryDone(),
                followed);
    }

    private void forgetExpiredShards(TrackedStream stream, long now) {
        // With checkpoints, a finish no completed checkpoint holds may still be taken back: keep
        // those shards. Without, none is ever confirmed and none is kept for it.
        stream.forgetExpiredShards(
                now,
                shardId ->
                        unconfirmedFinishes.contains(ShardSplit.idOf(stream.streamArn, shardId)));
        unconfirmedFinishes.retainKnown(stream.streamArn, stream.graph::contains);
    }

    private Decisions afterListing(
            TrackedStream stream, ShardListing listing, long now, Decisions decisions) {
        if (stream.afterListing(listing, now, nanoClock.getAsLong())) {
            LOG.warn(
                    "Stream {} is {}: its shards are read to their ends, with the children a "
                            + "listing {} ms from now shows (source.shard."
                            + "disabled-stream-settle-time), then the source {} "
                            + "(source.on-stream-disabled)",
                    stream.streamArn,
                    listing.status(),
                    settings.disabledStreamSettleMillis(),
                    settings.finishWhenDisabled()
                            ? "finishes"
                            : settings.followNewStream()
                                    ? "reads the table's new stream once it is enabled again"
                                    : "keeps running idle");
        }
        decisions.nextListing(stream.streamArn, stream.nextListing());
        follower.afterListing(stream, now, decisions);
        return assignmentRound(decisions);
    }

    private Decisions assignmentRound(Decisions decisions) {
        follower.retireFollowedStreams().forEach(decisions::retire);
        handout.assignReadyShards(readers, decisions);
        if (!handout.holdsAtStart(readers)) {
            snapshots.handOut(readers.registered(), decisions);
        }
        if (pendingTables.isEmpty() && snapshots.allRead()) {
            handout.signalNoMoreSplitsIfAllRead(readers, decisions);
        }
        return decisions;
    }

    private long clockMillis() {
        return TimeUnit.NANOSECONDS.toMillis(nanoClock.getAsLong());
    }
}
