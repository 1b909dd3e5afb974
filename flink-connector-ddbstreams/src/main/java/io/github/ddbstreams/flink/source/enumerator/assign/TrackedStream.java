package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import io.github.ddbstreams.flink.source.enumerator.StreamEnumState;
import io.github.ddbstreams.flink.source.enumerator.discovery.DisabledStreamEnd;
import io.github.ddbstreams.flink.source.enumerator.discovery.InitialListing;
import io.github.ddbstreams.flink.source.enumerator.discovery.ShardListing;
import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * What the {@link SplitPlanner} knows of one stream: its shard graph, its starting position, the
 * positions of shards that must not start at the default, and what its listings said of its status.
 * The planner owns one per stream and keeps everything that spans streams (readers, assignment,
 * checkpoint confirmations). Plain Java, no AWS calls: the stream's listings come in as data.
 *
 * <p>Used on the coordinator thread only.
 */
final class TrackedStream {
    private static final Logger LOG = LoggerFactory.getLogger(TrackedStream.class);

    /**
     * Incremental listings re-list the shards created in this last stretch before the newest known
     * shard: cheap (a page), and it catches shards whose ids sort before a same-moment sibling.
     */
    static final long LISTING_OVERLAP_MILLIS = 60_000;

    final String streamArn;

    /** The stream's table, from its ARN; null if the ARN does not have the usual form. */
    @Nullable final String tableName;

    final StartingPosition startingPosition;
    final ShardGraph graph;

    /** The job start this stream's LATEST and bounded end refer to. */
    final JobStart jobStart;

    /** Positions of unassigned shards that do not start at the default position. */
    private final Map<String, ShardPosition> startPositions;

    private final long jobStartMillis;
    private final boolean bounded;

    /** A bounded snapshot: the table's contents only; no shard of the stream is read. */
    private final boolean snapshotOnly;

    private boolean initialDiscoveryDone;
    private long lastCompleteListingMillis;
    private boolean disabled;

    /** Whether a disabled stream's listing shows every shard it will ever have. */
    private final DisabledStreamEnd end;

    /** Read to its end and followed by a newer stream of its table: no longer listed. */
    private boolean retired;

    /** Forgotten shards seen again in listings, as far as logged. */
    private long relistedLogged;

    /**
     * The streams an enumerator reads, by ARN: those of the restored state first (in its order),
     * each from the position it was configured with, then the configured ones the state does not
     * have, from their starting positions.
     */
    static Map<String, TrackedStream> openAll(
            Map<String, StartingPosition> startingPositions,
            EnumeratorSettings settings,
            @Nullable DynamoDbStreamsSourceEnumState restored) {
        Map<String, TrackedStream> streams = new LinkedHashMap<>();
        if (restored != null) {
            for (StreamEnumState state : restored.getStreams()) {
                String arn = state.getStreamArn();
                StartingPosition start =
                        startingPositions.getOrDefault(arn, restoredStart(arn, restored, settings));
                streams.put(arn, new TrackedStream(arn, start, settings, state));
            }
        }
        startingPositions.forEach(
                (arn, start) -> {
                    if (!streams.containsKey(arn)) {
                        if (restored != null) {
                            LOG.info(
                                    "Stream {} is not in the restored state: reading it from {}",
                                    arn,
                                    start);
                        }
                        streams.put(arn, new TrackedStream(arn, start, settings, null));
                    }
                });
        return streams;
    }

    /**
     * Where a stream of the restored state starts if its first listing was not applied yet: a
     * stream that followed an older one of its table starts at TRIM_HORIZON, as it did when it was
     * added; any other at the source's starting position.
     */
    private static StartingPosition restoredStart(
            String arn, DynamoDbStreamsSourceEnumState restored, EnumeratorSettings settings) {
        for (StreamEnumState other : restored.getStreams()) {
            if (StreamArns.isNewerStreamOfSameTable(arn, other.getStreamArn())) {
                return StartingPosition.trimHorizon();
            }
        }
        return settings.startingPosition();
    }

    TrackedStream(
            String streamArn,
            StartingPosition startingPosition,
            EnumeratorSettings settings,
            @Nullable StreamEnumState restored) {
        this.streamArn = streamArn;
        this.tableName = StreamArns.tableName(streamArn);
        this.startingPosition = startingPosition;
        this.bounded = settings.bounded();
        this.snapshotOnly =
                bounded && startingPosition.getKind() == StartingPosition.Kind.INITIAL_SNAPSHOT;
        // A restored stream whose first listing was not applied started before this enumerator.
        this.jobStart =
                restored == null
                        ? settings.jobStart()
                        : JobStart.restartedAt(restored.getJobStartMillis());
        this.jobStartMillis = jobStart.millis();
        this.end = new DisabledStreamEnd(settings.disabledStreamSettleMillis());
        if (restored == null) {
            this.graph = new ShardGraph(settings.retentionMillis());
            this.startPositions = new HashMap<>();
        } else {
            this.graph =
                    ShardGraph.restore(
                            restored.getShards(),
                            restored.getForgottenUpToMillis(),
                            settings.retentionMillis());
            this.startPositions = new HashMap<>(restored.getStartPositions());
            this.initialDiscoveryDone = restored.isInitialDiscoveryDone();
        }
    }

    boolean initialDiscoveryDone() {
        return initialDiscoveryDone;
    }

    boolean isDisabled() {
        return disabled;
    }

    boolean isRetired() {
        return retired;
    }

    /**
     * Stops listing this stream, once it is read to its end and a newer stream of its table is
     * read: nothing new can appear in it, and it ceases to exist 24 h after it was disabled, when a
     * listing would fail the job.
     */
    void retire() {
        retired = true;
    }

    void applyInitialListing(InitialListing result, long now) {
        graph.addShards(result.listing().shards(), true, now);
        if (result.latestCutoffMillis() != InitialListing.NO_CUTOFF) {
            startAtCreationTime(result.listing().shards(), result.latestCutoffMillis());
        } else if (startingPosition.getKind() == StartingPosition.Kind.LATEST
                || startingPosition.getKind() == StartingPosition.Kind.INITIAL_SNAPSHOT) {
            // Shards closed before the start hold nothing after it.
            for (DiscoveredShard shard : result.listing().shards()) {
                if (shard.isClosed()) {
                    graph.markFinished(shard.getShardId(), -1);
                }
            }
        }
        startPositions.putAll(result.latestPositions());
        initialDiscoveryDone = true;
    }

    /**
     * LATEST for a job that started before this enumerator: every shard is read from its oldest
     * record, skipping records created before {@code cutoffMillis}. A shard with a child created
     * before the cutoff was closed by then and holds nothing to keep. The positions are explicit,
     * so a checkpoint taken before the shards are assigned keeps them.
     */
    private void startAtCreationTime(List<DiscoveredShard> shards, long cutoffMillis) {
        LOG.info(
                "Stream {}: the job started at {}, before this enumerator: reading every shard "
                        + "from its oldest record, skipping records created before {} (LATEST "
                        + "taken now would skip what was written since)",
                streamArn,
                Instant.ofEpochMilli(jobStartMillis),
                Instant.ofEpochMilli(cutoffMillis));
        Set<String> closedBeforeCutoff = new HashSet<>();
        for (DiscoveredShard shard : shards) {
            long created = shard.getCreationTimeMillis();
            if (shard.getParentShardId() != null && created >= 0 && created < cutoffMillis) {
                closedBeforeCutoff.add(shard.getParentShardId());
            }
        }
        ShardPosition fromCutoff = ShardPosition.atTimestamp(cutoffMillis);
        for (DiscoveredShard shard : shards) {
            if (shard.isClosed() && closedBeforeCutoff.contains(shard.getShardId())) {
                graph.markFinished(shard.getShardId(), -1);
            } else {
                startPositions.put(shard.getShardId(), fromCutoff);
            }
        }
    }

    /**
     * After a complete listing: drops shards that can no longer matter, so state stays bounded.
     *
     * @param mustKeep shard ids whose finish may still be taken back (no completed checkpoint holds
     *     it)
     */
    void forgetExpiredShards(long now, Predicate<String> mustKeep) {
        int forgotten = graph.forgetExpired(now, mustKeep);
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

    /**
     * Applies what a listing says of the stream's status.
     *
     * @param nowNanos now, on the clock that paces DescribeStream calls
     * @return whether the listing is the first to show the stream disabled
     */
    boolean afterListing(ShardListing listing, long now, long nowNanos) {
        boolean wasDisabled = disabled;
        if (listing.status() != null) {
            disabled =
                    listing.status() == StreamStatus.DISABLED
                            || listing.status() == StreamStatus.DISABLING;
        }
        if (listing.complete()) {
            lastCompleteListingMillis = now;
        }
        if (end.listingApplied(
                listing.status(), listing.complete(), listing.startedNanos(), nowNanos)) {
            LOG.info(
                    "Stream {} is DISABLED and a complete listing taken after it settled shows "
                            + "every child shard: {} shards to read to their ends",
                    streamArn,
                    graph.size() - graph.count(ShardStatus.FINISHED));
        }
        return disabled && !wasDisabled;
    }

    /** Where the next periodic listing continues, and when it must be a complete one. */
    Decisions.NextListing nextListing() {
        return new Decisions.NextListing(
                listingCursor(), lastCompleteListingMillis, end.confirmingListingDueNanos());
    }

    /** The shard after which a listing of new shards starts. */
    @Nullable
    String listingCursor() {
        return graph.listingCursor(LISTING_OVERLAP_MILLIS);
    }

    /**
     * Whether the stream is disabled and a listing shows every shard it will ever have (see {@link
     * DisabledStreamEnd}): a finished shard with no known child then has none.
     */
    boolean everyShardListed() {
        return end.confirmed();
    }

    /**
     * Whether the stream is read to its end: disabled, every shard it will ever have listed, and
     * every one finished.
     */
    boolean readToItsEnd() {
        return end.confirmed() && everyShardFinished();
    }

    /**
     * A restored stream that a newer stream of its table already got readers for: it was read to
     * its end before the checkpoint, and need not be listed again to tell.
     */
    void restoredAsReadToItsEnd() {
        end.confirmRestored();
    }

    /** Whether a reader got one of this stream's shards (read or reading it). */
    boolean anyShardHandedOut() {
        if (graph.count(ShardStatus.ASSIGNED) > 0) {
            return true;
        }
        for (ShardNode node : graph.snapshot()) {
            if (node.getStatus() == ShardStatus.FINISHED && node.getOwnerSubtask() >= 0) {
                return true;
            }
        }
        return false;
    }

    /** Hands a ready shard to {@code subtask}: the split to send it. */
    ShardSplit assign(String shardId, int subtask) {
        ShardPosition position = startPositions.remove(shardId);
        if (position == null) {
            position = defaultPosition();
        }
        graph.markAssigned(shardId, subtask);
        return new ShardSplit(streamArn, shardId, graph.parent(shardId), position);
    }

    /**
     * Takes back a split a failed reader held, to be assigned again from its checkpointed position.
     *
     * @return false if the shard was not assigned (nothing to take back)
     */
    boolean takeBack(ShardSplit split) {
        if (split.isFinishedMarker() || graph.status(split.getShardId()) != ShardStatus.ASSIGNED) {
            return false;
        }
        graph.markUnassigned(split.getShardId());
        startPositions.put(split.getShardId(), split.getPosition());
        return true;
    }

    private ShardPosition defaultPosition() {
        if (startingPosition.getKind() == StartingPosition.Kind.AT_TIMESTAMP) {
            return ShardPosition.atTimestamp(startingPosition.getTimestamp().toEpochMilli());
        }
        // TRIM_HORIZON; and for LATEST, shards created after the start are read from the start.
        return ShardPosition.trimHorizon();
    }

    /**
     * In bounded mode, shards created after the bounded end (the job start + margin) are not read;
     * in a bounded snapshot, no shard is.
     */
    boolean isOutOfBoundedScope(String shardId) {
        return bounded
                && (snapshotOnly
                        || graph.creationTimeMillis(shardId)
                                > jobStartMillis + JobStart.BOUNDED_END_MARGIN_MILLIS);
    }

    /**
     * Whether nothing is left to read: every shard in scope is finished and no new shard can come,
     * because the read is bounded or (when {@code finishWhenDisabled}) the stream is disabled and
     * every shard it will ever have is listed.
     */
    boolean allRead(boolean finishWhenDisabled) {
        return bounded ? everyShardFinished() : finishWhenDisabled && readToItsEnd();
    }

    /** Whether every known shard in scope is finished (the stream has been listed). */
    boolean everyShardFinished() {
        if (!initialDiscoveryDone) {
            return false;
        }
        if (!bounded) {
            return graph.count(ShardStatus.FINISHED) == graph.size(); // no pass over the graph
        }
        for (ShardNode node : graph.snapshot()) {
            if (node.getStatus() != ShardStatus.FINISHED
                    && !isOutOfBoundedScope(node.getShardId())) {
                return false;
            }
        }
        return true;
    }

    StreamEnumState snapshot() {
        return new StreamEnumState(
                streamArn,
                new ArrayList<>(graph.snapshot()),
                new HashMap<>(startPositions),
                jobStartMillis,
                initialDiscoveryDone,
                graph.forgottenUpToMillis());
    }

    List<String> readyShards() {
        return graph.readyShards();
    }
}
