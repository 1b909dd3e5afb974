package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import io.github.ddbstreams.flink.source.enumerator.assign.Decisions;
import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardIds;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Lists a stream's shards through {@link StreamsClient}. Its listing methods run on the
 * enumerator's worker thread (inside {@code callAsync}); the coordinator thread tells it where to
 * continue with {@link #publishCursor}, the only state the two threads share.
 */
@Internal
public final class ShardDiscovery {

    private final StreamsClient client;
    private final String streamArn;

    /** When the job started: what a LATEST start means. */
    private final JobStart jobStart;

    /** Every DescribeStream call goes through it, listings and child lookups alike. */
    private final DescribeStreamPacer pacer;

    /**
     * Where the next periodic listing continues, published by the coordinator thread after each
     * listing it applied; read by the worker thread.
     */
    private volatile String listAfterShardId;

    private volatile long lastCompleteListingMillis;

    /**
     * From when (pacer clock) the periodic listing is a complete one, to confirm that a disabled
     * stream shows every shard ({@link DisabledStreamEnd}); published by the coordinator thread.
     */
    private volatile long completeListingDueNanos = DisabledStreamEnd.NO_LISTING_DUE;

    /** Set by the coordinator thread; the periodic listing then stops calling AWS. */
    private volatile boolean retired;

    /** For metrics: duration of the last listing, and DescribeStream calls made so far. */
    private volatile long lastListingDurationMillis;

    private final AtomicLong describeStreamCalls = new AtomicLong();

    public ShardDiscovery(
            StreamsClient client, String streamArn, DescribeStreamPacer pacer, JobStart jobStart) {
        this.client = client;
        this.streamArn = streamArn;
        this.pacer = pacer;
        this.jobStart = jobStart;
    }

    /**
     * The job's first listing. For a LATEST start it also resolves LATEST iterators of the open
     * shards now, once: an iterator asked for later would skip what was written in between. If the
     * job started before (see {@link JobStart}), it takes none and names the creation time to read
     * from instead.
     */
    public InitialListing initialListing(StartingPosition start) {
        ShardListing listing = listAll();
        Map<String, ShardPosition> latest = new HashMap<>();
        // A snapshot's stream starts where LATEST does: changes after the start, none missed.
        if (start.getKind() != StartingPosition.Kind.LATEST
                && start.getKind() != StartingPosition.Kind.INITIAL_SNAPSHOT) {
            return new InitialListing(listing, latest);
        }
        if (!jobStart.latestIteratorsStandForStart(System.currentTimeMillis())) {
            return new InitialListing(listing, latest, jobStart.latestCutoffMillis());
        }
        for (DiscoveredShard shard : listing.shards()) {
            if (!shard.isClosed()) {
                String iterator =
                        client.getShardIterator(
                                streamArn, shard.getShardId(), ShardIteratorType.LATEST, null);
                latest.put(
                        shard.getShardId(),
                        ShardPosition.latestIterator(iterator, jobStart.millis()));
            }
        }
        return new InitialListing(listing, latest);
    }

    /**
     * A periodic listing: incremental after the published cursor, or complete when there is no
     * cursor yet or the last complete listing is older than {@code fullListingIntervalMillis}. Null
     * once the stream is retired: no call is made.
     */
    @Nullable
    public ShardListing periodicListing(long fullListingIntervalMillis) {
        if (retired) {
            return null;
        }
        String cursor = listAfterShardId;
        boolean full =
                cursor == null
                        || System.currentTimeMillis() - lastCompleteListingMillis
                                >= fullListingIntervalMillis
                        || pacer.nanoTime() >= completeListingDueNanos;
        return full ? listAll() : listAfter(cursor);
    }

    /**
     * Called on the coordinator thread after a listing was applied to the shard graph: where the
     * next one continues, and from when it must be complete (see {@link
     * DisabledStreamEnd#confirmingListingDueNanos}).
     */
    public void publish(Decisions.NextListing next) {
        this.completeListingDueNanos = next.completeListingDueNanos();
        this.lastCompleteListingMillis = next.lastCompleteListingMillis();
        this.listAfterShardId = next.listAfterShardId();
    }

    /** Called on the coordinator thread: the stream is read to its end and no longer listed. */
    public void retire() {
        retired = true;
    }

    public long lastListingDurationMillis() {
        return lastListingDurationMillis;
    }

    public long describeStreamCalls() {
        return describeStreamCalls.get();
    }

    /** Every shard of the stream, all pages. */
    ShardListing listAll() {
        return listAfter(null);
    }

    /**
     * The shards after {@code exclusiveStartShardId} (null: all). DescribeStream orders shards by
     * id, and a shard's id grows with its creation time, so new shards are listed after the newest
     * known one and an incremental listing costs pages of new shards only.
     */
    ShardListing listAfter(@Nullable String exclusiveStartShardId) {
        long start = System.nanoTime();
        long startedNanos = pacer.nanoTime();
        List<DiscoveredShard> shards = new ArrayList<>();
        String cursor = exclusiveStartShardId;
        StreamStatus status;
        StreamViewType viewType;
        do {
            String after = cursor;
            StreamPage page =
                    pacer.call(
                            () -> {
                                describeStreamCalls.incrementAndGet();
                                return client.describeStream(streamArn, after);
                            });
            status = page.status();
            viewType = page.viewType();
            for (Shard shard : page.shards()) {
                shards.add(toDiscovered(shard));
            }
            cursor = page.lastEvaluatedShardId();
        } while (cursor != null);
        lastListingDurationMillis = (System.nanoTime() - start) / 1_000_000;
        return new ShardListing(
                shards, exclusiveStartShardId == null, status, viewType, startedNanos);
    }

    /**
     * The children of a finished shard, asked with {@code ShardFilter(CHILD_SHARDS)}. When that
     * gives nothing (DynamoDB Local ignores the filter; AWS's listing can lag), fall back to an
     * incremental listing after {@code newestKnownShardId}.
     */
    public ShardListing childrenOf(String parentShardId, @Nullable String newestKnownShardId) {
        long startedNanos = pacer.nanoTime();
        List<Shard> children =
                pacer.call(
                        () -> {
                            describeStreamCalls.incrementAndGet();
                            return client.listChildShards(streamArn, parentShardId);
                        });
        if (!children.isEmpty()) {
            List<DiscoveredShard> shards = new ArrayList<>(children.size());
            for (Shard child : children) {
                shards.add(toDiscovered(child));
            }
            return new ShardListing(shards, false, null, null, startedNanos);
        }
        return listAfter(newestKnownShardId);
    }

    private static DiscoveredShard toDiscovered(Shard shard) {
        boolean closed =
                shard.sequenceNumberRange() != null
                        && shard.sequenceNumberRange().endingSequenceNumber() != null;
        return new DiscoveredShard(
                shard.shardId(),
                shard.parentShardId(),
                closed,
                ShardIds.creationTimeFromShardId(shard.shardId()));
    }
}
