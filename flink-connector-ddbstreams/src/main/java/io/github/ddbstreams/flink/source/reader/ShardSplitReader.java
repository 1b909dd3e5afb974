package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.client.AwsErrors;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Reads many shards for one fetcher thread. {@link #fetch()} starts a poll of each due shard, in
 * round-robin order, on a small pool ({@link InFlightPolls}): at most {@code
 * source.reader.max-concurrent-get-records} at a time, never two for one shard, and none that could
 * take the reader over {@code source.reader.max-buffered-bytes}. It returns as soon as a poll
 * brought records or finished a shard, with every poll finished by then; a slow call stays out
 * across fetches and its shard rejoins the round-robin when a later fetch collects it. A shard that
 * returned records is due again at once, an idle shard after the idle poll interval, a throttled or
 * failing shard after its own back-off. When nothing is due the thread sleeps until a shard is, a
 * poll completes or {@link #wakeUp()}; it never spins. A shard whose {@code GetRecords} returns no
 * next iterator is finished. An empty page of a caught-up shard hands on the watermark the shard
 * may advance to ({@link ShardElement#caughtUp}), in order with its records.
 */
@Internal
public final class ShardSplitReader implements SplitReader<ShardElement, DynamoDbSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitReader.class);

    /** How long a fetch with records waits for the other calls in flight to end too. */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final StreamsClient client;
    private final ShardReaderSettings settings;
    private final ShardReaderMetrics metrics;
    private final TrimmedDataPolicy trimmedData;

    /**
     * Shards in round-robin order, waiting for their next poll; a polled shard goes to the back
     * once its poll is collected. Fetcher thread only (fetch and handleSplitsChanges).
     */
    private final Deque<ShardCursor> cursors = new ArrayDeque<>();

    /**
     * Shards that watermark alignment paused: not polled until resumed. Changed on the fetcher
     * thread (Flink runs pause and resume as fetcher tasks); read by the metrics thread.
     */
    private final Set<String> paused = ConcurrentHashMap.newKeySet();

    /** The polls out on the pool, and the bytes this reader holds. */
    private final InFlightPolls polls;

    public ShardSplitReader(StreamsClient client, ShardReaderSettings settings) {
        this(client, settings, ShardReaderMetrics.unregistered());
    }

    public ShardSplitReader(
            StreamsClient client, ShardReaderSettings settings, ShardReaderMetrics metrics) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.trimmedData = new TrimmedDataPolicy(settings.skipTrimmedData(), metrics);
        this.polls =
                new InFlightPolls(
                        this::poll, settings.maxConcurrentPolls(), settings.maxBufferedBytes());
        metrics.bufferedBytesOf(polls::bufferedBytes);
        metrics.pausedShardsOf(this::pausedShardCount);
    }

    @Override
    public RecordsWithSplitIds<ShardElement> fetch() throws IOException {
        Map<String, Collection<ShardElement>> records = new LinkedHashMap<>();
        Set<String> finished = new HashSet<>();
        long bytes = 0;
        boolean collectedAny = false;
        long lingerUntil = 0;
        while (true) {
            // Due shards' calls start first: they run while Flink emits what is returned now.
            startDuePolls();
            List<InFlightPolls.Completed> done = polls.takeCompleted();
            collectedAny |= !done.isEmpty();
            bytes += collect(done, records, finished);
            // A stalled call holds back nobody: what finished goes out now, the rest later.
            if (!records.isEmpty() || !finished.isEmpty()) {
                // Calls started together end together: a moment's wait lets one batch carry them
                // all rather than one hand-over to Flink each.
                long now = System.nanoTime();
                if (lingerUntil == 0) {
                    lingerUntil = now + LINGER_NANOS;
                }
                if (polls.inFlight() == 0
                        || lingerUntil - now <= 0
                        || !polls.await(lingerUntil - now, false)) {
                    return new InFlightPolls.Batch(records, finished, bytes, polls);
                }
                continue;
            }
            long untilDue = nanosUntilNextDue();
            if (polls.outstanding() == 0) {
                // Nothing out: after a round of empty polls, or one wait, an empty batch.
                if (!collectedAny) {
                    polls.await(untilDue, untilDue <= 0);
                }
                return new InFlightPolls.Batch(records, finished, bytes, polls);
            }
            if (!polls.await(untilDue, untilDue <= 0)) {
                return new InFlightPolls.Batch(records, finished, bytes, polls);
            }
        }
    }

    /**
     * Takes finished polls' results into the batch and puts their shards back at the end of the
     * round-robin. Returns the results' bytes; throws the first poll failure.
     */
    private long collect(
            List<InFlightPolls.Completed> done,
            Map<String, Collection<ShardElement>> records,
            Set<String> finished)
            throws IOException {
        long bytes = 0;
        IOException failure = null;
        for (InFlightPolls.Completed result : done) {
            bytes += result.bytes;
            // A shard may complete twice in one fetch (polled again while it lingers): append.
            result.out.forEach(
                    (split, elements) ->
                            records.computeIfAbsent(split, k -> new ArrayList<>())
                                    .addAll(elements));
            if (result.failure != null) {
                failure = failure == null ? result.failure : failure;
                cursors.addLast(result.cursor);
            } else if (result.finished) {
                finished.add(result.cursor.splitId());
                // A poll out when alignment paused the shard may still end it.
                paused.remove(result.cursor.splitId());
                metrics.shardFinished(result.cursor);
            } else {
                cursors.addLast(result.cursor);
            }
        }
        if (failure != null) {
            polls.release(bytes);
            throw failure;
        }
        return bytes;
    }

    /**
     * Starts a poll of each due shard, in round-robin order, while a slot and the byte budget
     * allow. A shard with a poll out is not in {@link #cursors}: never two calls for one shard.
     */
    private void startDuePolls() {
        long now = System.nanoTime();
        int n = cursors.size();
        for (int i = 0; i < n && polls.canStart(); i++) {
            ShardCursor cursor = cursors.pollFirst();
            if (cursor.nextPollAtNanos() - now <= 0 && !paused.contains(cursor.splitId())) {
                polls.start(cursor);
            } else {
                cursors.addLast(cursor);
            }
        }
    }

    /** How long until a shard waiting here is due; 0 if one is due now, long if none waits. */
    private long nanosUntilNextDue() {
        long now = System.nanoTime();
        long wait = TimeUnit.SECONDS.toNanos(1);
        for (ShardCursor cursor : cursors) {
            if (!paused.contains(cursor.splitId())) {
                wait = Math.min(wait, Math.max(0, cursor.nextPollAtNanos() - now));
            }
        }
        return wait;
    }

    /**
     * Polls one shard once: obtains an iterator if the cursor has none, makes the call, and carries
     * out what the cursor decides. Returns true if the shard is finished.
     */
    private boolean poll(ShardCursor cursor, Map<String, Collection<ShardElement>> out)
            throws IOException {
        GetRecordsResponse response;
        String iterator;
        long calledAtMillis;
        try {
            if (cursor.iterator() == null) {
                ShardStartingPoint start = cursor.startingPoint();
                cursor.onIteratorObtained(
                        client.getShardIterator(
                                cursor.split().getStreamArn(),
                                cursor.shardId(),
                                start.type(),
                                start.sequenceNumber()));
            }
            iterator = cursor.iterator();
            metrics.getRecordsCalls.inc();
            // Before the call: a caught-up shard's watermark counts from when it asked.
            calledAtMillis = System.currentTimeMillis();
            response = client.getRecords(iterator, settings.maxRecordsPerCall());
        } catch (ExpiredIteratorException e) {
            LOG.debug("Iterator of shard {} expired; getting a new one", cursor.shardId());
            metrics.expiredIterators.inc();
            cursor.onIteratorLost();
            return false;
        } catch (TrimmedDataAccessException e) {
            if (trimmedData.onTrimmed(cursor, e) == ShardCursor.LostData.NOTHING_CHECKPOINTED) {
                // An endpoint that keeps saying so must not make a loop.
                backOff(cursor, e);
            }
            return false;
        } catch (ResourceNotFoundException e) {
            return trimmedData.onShardGone(cursor, e);
        } catch (SdkException e) {
            if (!AwsErrors.isRetryable(e)) {
                throw new IOException(
                        String.format(
                                "Reading shard %s of stream %s failed with a non-retryable "
                                        + "error: %s",
                                cursor.shardId(), cursor.split().getStreamArn(), e.getMessage()),
                        e);
            }
            backOff(cursor, e);
            return false;
        }
        long now = System.nanoTime();
        ShardStep step =
                cursor.onPage(
                        response,
                        iterator,
                        now,
                        System.currentTimeMillis(),
                        calledAtMillis,
                        settings);
        if (!step.elements().isEmpty()) {
            out.put(cursor.splitId(), step.elements());
        }
        if (step.emptyPage()) {
            metrics.emptyPolls.inc();
        } else if (!response.records().isEmpty()) {
            metrics.recordFetched(cursor.millisBehindLatest());
        }
        switch (step.next()) {
            case FINISHED:
                return true;
            case ASK_IF_OPEN:
                return askIfOpen(cursor, now);
            default:
                return false;
        }
    }

    /**
     * Bounded mode, before ending a caught-up shard: empty pages never end a closed shard (records
     * may lie behind them, and its end is a missing next iterator), so ask whether it has children.
     * A shard without any is taken as open, hence read up to the bounded end. On a failed call the
     * shard backs off and asks again after its next empty page.
     */
    private boolean askIfOpen(ShardCursor cursor, long now) throws IOException {
        List<?> children;
        try {
            children = client.listChildShards(cursor.split().getStreamArn(), cursor.shardId());
        } catch (SdkException e) {
            if (AwsErrors.isRetryable(e)) {
                backOff(cursor, e);
                return false;
            }
            LOG.warn(
                    "Could not ask whether shard {} of stream {} is closed ({}); ending its "
                            + "bounded read as caught up",
                    cursor.shardId(),
                    cursor.split().getStreamArn(),
                    e.getMessage());
            return cursor.onChildren(false, now);
        }
        if (!children.isEmpty()) {
            LOG.debug("Shard {} is closed: reading it to its end", cursor.shardId());
        }
        return cursor.onChildren(!children.isEmpty(), now);
    }

    private void backOff(ShardCursor cursor, SdkException cause) throws IOException {
        int failures = cursor.onFailure(cause, System.nanoTime(), settings);
        metrics.retriedErrors.inc();
        if (AwsErrors.isThrottling(cause)) {
            metrics.throttledCalls.inc();
        }
        if (failures == 1) {
            LOG.info(
                    "GetRecords on shard {} failed ({}); retrying with back-off",
                    cursor.shardId(),
                    cause.toString());
        } else {
            LOG.debug(
                    "GetRecords on shard {} failed again: {}", cursor.shardId(), cause.toString());
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<DynamoDbSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (DynamoDbSplit added : splitsChanges.splits()) {
            if (!(added instanceof ShardSplit split)) {
                throw new IllegalArgumentException(
                        "The shard reader cannot read " + added.splitId() + ": not a shard");
            }
            ShardCursor cursor = new ShardCursor(split);
            metrics.registerShard(cursor);
            if (split.getPosition().getKind() == ShardPosition.Kind.LATEST_ITERATOR) {
                LOG.debug("Shard {} starts at the job's LATEST point", split.getShardId());
            }
            cursors.addFirst(cursor);
        }
    }

    /**
     * Watermark alignment: paused shards are not polled (a call already out completes), the others
     * go on. A shard paused longer than an iterator lives (15 minutes) finds its iterator expired
     * on resume and takes a new one after the last record it handed on, as after any expiry.
     */
    @Override
    public void pauseOrResumeSplits(
            Collection<DynamoDbSplit> splitsToPause, Collection<DynamoDbSplit> splitsToResume) {
        for (DynamoDbSplit split : splitsToPause) {
            paused.add(split.splitId());
        }
        for (DynamoDbSplit split : splitsToResume) {
            paused.remove(split.splitId());
        }
        LOG.debug("Paused shards now: {}", paused);
    }

    @Override
    public void wakeUp() {
        polls.wakeUp();
    }

    /** Number of shards this reader currently polls; for tests and metrics. */
    public int shardCount() {
        return cursors.size() + polls.outstanding();
    }

    /** Number of shards watermark alignment holds paused; for tests and metrics. */
    public int pausedShardCount() {
        return paused.size();
    }

    /** Records fetched and not yet emitted, by their SizeBytes; for tests and benchmarks. */
    public long bufferedBytes() {
        return polls.bufferedBytes();
    }

    /**
     * The most this reader held at once: records fetched and not yet emitted, plus a full page for
     * each call in flight. For tests and benchmarks.
     */
    public long peakBufferedBytes() {
        return polls.peakBytes();
    }

    /** Interrupts the calls in flight, then closes the client. */
    @Override
    public void close() {
        polls.close();
        client.close();
    }
}
