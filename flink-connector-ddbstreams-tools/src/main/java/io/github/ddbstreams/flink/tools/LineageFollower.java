package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Reads a stream in lineage order on one thread: a shard is read only once its parent has been read
 * to its end, so each item's changes come out in the order they were made. Shards whose parents are
 * done are polled in turn; a shard's end triggers the lookup of its children.
 *
 * <p>Unlike the connector this keeps no checkpoint and reads with a single thread: it is meant for
 * looking at a stream, not for consuming it.
 */
final class LineageFollower {
    static final int RECORDS_PER_CALL = 1000;
    static final long IDLE_SLEEP_MILLIS = 500;
    static final long RETRY_SLEEP_MILLIS = 1000;

    /** Safety net for children a shard-end lookup missed (DescribeStream may lag). */
    static final long LISTING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Sleeps; tests can make it instant. */
    interface Sleeper {
        void sleep(long millis) throws InterruptedException;
    }

    private static final class Cursor {
        final String shardId;
        ShardIteratorType startType;
        @Nullable String iterator;
        @Nullable String lastSequenceNumber;

        Cursor(String shardId, ShardIteratorType startType) {
            this.shardId = shardId;
            this.startType = startType;
        }
    }

    private final StreamsClient client;
    private final String streamArn;
    private final StartFrom from;
    private final PrintWriter err;
    private final Sleeper sleeper;
    private final int recordsPerCall;
    // Sorted by shard id, i.e. creation time: older lineages are polled first in each round.
    private final Map<String, Cursor> active = new TreeMap<>();
    private final Set<String> done = new HashSet<>();
    private long lastListingNanos;
    private boolean warnedRetry;

    LineageFollower(
            StreamsClient client,
            String streamArn,
            StartFrom from,
            PrintWriter err,
            Sleeper sleeper) {
        this(client, streamArn, from, err, sleeper, RECORDS_PER_CALL);
    }

    /** With a smaller {@code recordsPerCall}, tests make shards take several calls to drain. */
    LineageFollower(
            StreamsClient client,
            String streamArn,
            StartFrom from,
            PrintWriter err,
            Sleeper sleeper,
            int recordsPerCall) {
        this.recordsPerCall = recordsPerCall;
        this.client = client;
        this.streamArn = streamArn;
        this.from = from;
        this.err = err;
        this.sleeper = sleeper;
    }

    /**
     * Emits changes until {@code stop} answers true (checked after every record and every round) or
     * the stream is disabled and read to its end.
     */
    void run(Consumer<ChangeEvent> sink, BooleanSupplier stop) throws InterruptedException {
        StreamListing first = list();
        if (from == StartFrom.LATEST) {
            // LATEST concerns the open shards only: closed ones hold nothing newer.
            for (Shard shard : first.shards) {
                if (StreamListing.isOpen(shard)) {
                    activate(shard.shardId(), ShardIteratorType.LATEST);
                } else {
                    done.add(shard.shardId());
                }
            }
        }
        StreamStatus status = activateReady(first);
        while (!stop.getAsBoolean()) {
            boolean gotRecords = false;
            boolean shardEnded = false;
            for (Cursor cursor : new ArrayList<>(active.values())) {
                GetRecordsResponse response = poll(cursor);
                if (response != null) {
                    for (Record record : response.records()) {
                        cursor.lastSequenceNumber = record.dynamodb().sequenceNumber();
                        sink.accept(ChangeEvent.fromRecord(record, streamArn, cursor.shardId));
                        gotRecords = true;
                        if (stop.getAsBoolean()) {
                            return;
                        }
                    }
                    cursor.iterator = response.nextShardIterator();
                }
                if (response != null && response.nextShardIterator() == null) {
                    finish(cursor);
                    shardEnded |= !activateChildren(cursor.shardId);
                }
            }
            if (shardEnded || System.nanoTime() - lastListingNanos > LISTING_INTERVAL_NANOS) {
                status = activateReady(list());
            }
            if (active.isEmpty() && status == StreamStatus.DISABLED) {
                err.println("tail: the stream is disabled and every shard has been read");
                err.flush();
                return;
            }
            if (!gotRecords) {
                sleeper.sleep(IDLE_SLEEP_MILLIS);
            }
        }
    }

    /**
     * Starts every listed shard that is not started yet and whose parent is done or unlisted (none,
     * or trimmed away).
     */
    private StreamStatus activateReady(StreamListing listing) {
        lastListingNanos = System.nanoTime();
        Set<String> listed = new HashSet<>();
        listing.shards.forEach(s -> listed.add(s.shardId()));
        for (Shard shard : listing.shards) {
            String id = shard.shardId();
            String parent = shard.parentShardId();
            boolean parentDone =
                    parent == null || !listed.contains(parent) || done.contains(parent);
            if (!active.containsKey(id) && !done.contains(id) && parentDone) {
                // With --from latest every shard listed at the start is already active or done:
                // what is found now is newer, and read from its start.
                activate(id, ShardIteratorType.TRIM_HORIZON);
            }
        }
        return listing.status;
    }

    /** Starts the children of a finished shard; false if none were found this way. */
    private boolean activateChildren(String parentShardId) throws InterruptedException {
        List<Shard> children = retrying(() -> client.listChildShards(streamArn, parentShardId));
        for (Shard child : children) {
            if (!active.containsKey(child.shardId()) && !done.contains(child.shardId())) {
                activate(child.shardId(), ShardIteratorType.TRIM_HORIZON);
            }
        }
        return !children.isEmpty();
    }

    private void activate(String shardId, ShardIteratorType type) {
        active.put(shardId, new Cursor(shardId, type));
    }

    private void finish(Cursor cursor) {
        active.remove(cursor.shardId);
        done.add(cursor.shardId);
    }

    private StreamListing list() throws InterruptedException {
        return retrying(() -> StreamListing.list(client, streamArn));
    }

    /** Calls until the call succeeds or fails with an error that retrying cannot fix. */
    private <T> T retrying(Supplier<T> call) throws InterruptedException {
        while (true) {
            try {
                return call.get();
            } catch (SdkException e) {
                onRetryable(e);
            }
        }
    }

    private void onRetryable(SdkException e) throws InterruptedException {
        if (!AwsErrors.isRetryable(e)) {
            throw e;
        }
        if (!warnedRetry) {
            // Once: a throttled stream would otherwise fill the terminal.
            err.println("tail: retrying after " + e.getMessage());
            err.flush();
            warnedRetry = true;
        }
        sleeper.sleep(RETRY_SLEEP_MILLIS);
    }

    /** One GetRecords call; null when it failed in a way that was handled (retry next round). */
    @Nullable
    private GetRecordsResponse poll(Cursor cursor) throws InterruptedException {
        try {
            if (cursor.iterator == null) {
                cursor.iterator =
                        cursor.lastSequenceNumber == null
                                ? client.getShardIterator(
                                        streamArn, cursor.shardId, cursor.startType, null)
                                : client.getShardIterator(
                                        streamArn,
                                        cursor.shardId,
                                        ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                                        cursor.lastSequenceNumber);
            }
            return client.getRecords(cursor.iterator, recordsPerCall);
        } catch (ExpiredIteratorException e) {
            cursor.iterator = null;
            return null;
        } catch (TrimmedDataAccessException e) {
            err.printf(
                    "tail: records of shard %s were trimmed (24 h retention): continuing at its"
                            + " oldest retained record; changes in between are lost%n",
                    cursor.shardId);
            cursor.iterator = null;
            cursor.lastSequenceNumber = null;
            cursor.startType = ShardIteratorType.TRIM_HORIZON;
            return null;
        } catch (ResourceNotFoundException e) {
            err.printf("tail: shard %s no longer exists; skipping it%n", cursor.shardId);
            finish(cursor);
            return null;
        } catch (SdkException e) {
            onRetryable(e);
            return null;
        }
    }
}
