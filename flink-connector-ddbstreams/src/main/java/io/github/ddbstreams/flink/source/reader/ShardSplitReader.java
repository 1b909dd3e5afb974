package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Reads many shards for one fetcher thread. Each {@link #fetch()} polls every shard that is due
 * once (several at a time on a small pool when more than one is due), in round-robin order: a shard
 * that returned records is due again at once, an idle shard after the idle poll interval, a
 * throttled or failing shard after its own back-off. When no shard is due the thread sleeps until
 * the next one is, or until {@link #wakeUp()}; it never spins. A shard whose {@code GetRecords}
 * returns no next iterator is finished.
 */
@Internal
public final class ShardSplitReader implements SplitReader<ShardElement, ShardSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitReader.class);

    private final StreamsClient client;
    private final ShardReaderSettings settings;
    private final ShardReaderMetrics metrics;
    private final TrimmedDataPolicy trimmedData;

    /** Shards in round-robin order; a polled shard goes to the back. */
    private final Deque<ShardCursor> cursors = new ArrayDeque<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUpSignal = lock.newCondition();
    private boolean wakeUpRequested;

    /** Created on first need: a reader of one shard never starts a thread. */
    @Nullable private ExecutorService pool;

    public ShardSplitReader(StreamsClient client, ShardReaderSettings settings) {
        this(client, settings, ShardReaderMetrics.unregistered());
    }

    public ShardSplitReader(
            StreamsClient client, ShardReaderSettings settings, ShardReaderMetrics metrics) {
        this.client = client;
        this.settings = settings;
        this.metrics = metrics;
        this.trimmedData = new TrimmedDataPolicy(settings.skipTrimmedData(), metrics);
    }

    @Override
    public RecordsWithSplitIds<ShardElement> fetch() throws IOException {
        Map<String, Collection<ShardElement>> records = new HashMap<>();
        Set<String> finished = new HashSet<>();
        List<ShardCursor> due = takeDueCursors();
        if (due.isEmpty()) {
            awaitNextDue();
            return new RecordsBySplits<>(records, finished);
        }
        if (due.size() == 1 || settings.maxConcurrentPolls() == 1) {
            for (ShardCursor cursor : due) {
                if (poll(cursor, records)) {
                    finished.add(cursor.splitId());
                    metrics.shardFinished(cursor);
                } else {
                    cursors.addLast(cursor);
                }
            }
        } else {
            records = new ConcurrentHashMap<>();
            pollConcurrently(due, records, finished);
        }
        return new RecordsBySplits<>(records, finished);
    }

    /**
     * Polls the due shards on the pool, at most {@code maxConcurrentPolls} at a time, so one slow
     * call does not hold up the other shards' calls. Each shard is in one task only: never two
     * GetRecords calls in flight for a shard. Results are merged in round-robin order.
     */
    private void pollConcurrently(
            List<ShardCursor> due,
            Map<String, Collection<ShardElement>> records,
            Set<String> finished)
            throws IOException {
        if (pool == null) {
            pool =
                    Executors.newFixedThreadPool(
                            settings.maxConcurrentPolls(),
                            new ExecutorThreadFactory("ddbstreams-get-records"));
        }
        List<Future<Boolean>> results = new ArrayList<>(due.size());
        for (ShardCursor cursor : due) {
            results.add(pool.submit(() -> poll(cursor, records)));
        }
        IOException failure = null;
        for (int i = 0; i < due.size(); i++) {
            ShardCursor cursor = due.get(i);
            try {
                if (results.get(i).get()) {
                    finished.add(cursor.splitId());
                    metrics.shardFinished(cursor);
                    continue;
                }
            } catch (ExecutionException e) {
                if (failure == null) {
                    failure =
                            e.getCause() instanceof IOException
                                    ? (IOException) e.getCause()
                                    : new IOException(e.getCause());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new IOException("Interrupted while polling shards", e);
            }
            cursors.addLast(cursor);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private List<ShardCursor> takeDueCursors() {
        long now = System.nanoTime();
        List<ShardCursor> due = new ArrayList<>();
        int n = cursors.size();
        for (int i = 0; i < n; i++) {
            ShardCursor cursor = cursors.pollFirst();
            if (cursor.nextPollAtNanos - now <= 0) {
                due.add(cursor);
            } else {
                cursors.addLast(cursor);
            }
        }
        return due;
    }

    private void awaitNextDue() {
        long now = System.nanoTime();
        long waitNanos = TimeUnit.SECONDS.toNanos(1);
        for (ShardCursor cursor : cursors) {
            waitNanos = Math.min(waitNanos, cursor.nextPollAtNanos - now);
        }
        lock.lock();
        try {
            while (!wakeUpRequested && waitNanos > 0) {
                waitNanos = wakeUpSignal.awaitNanos(waitNanos);
            }
            wakeUpRequested = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /** Polls one shard once; returns true if the shard is finished. */
    private boolean poll(ShardCursor cursor, Map<String, Collection<ShardElement>> out)
            throws IOException {
        GetRecordsResponse response;
        String iterator;
        try {
            if (cursor.iterator == null) {
                cursor.iterator = obtainIterator(cursor);
            }
            iterator = cursor.iterator;
            metrics.getRecordsCalls.inc();
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
                                cursor.shardId(), cursor.split.getStreamArn(), e.getMessage()),
                        e);
            }
            backOff(cursor, e);
            return false;
        }
        cursor.consecutiveFailures = 0;
        List<Record> records = response.records();
        List<ShardElement> elements = null;
        boolean pastBoundedEnd = false;
        for (Record record : records) {
            if (settings.isPastBoundedEnd(record)) {
                pastBoundedEnd = true;
                break;
            }
            if (cursor.handedOnBefore(record) || !cursor.accept(record)) {
                continue;
            }
            if (elements == null) {
                elements = new ArrayList<>(records.size());
            }
            elements.add(ShardElement.record(record));
        }
        String next = response.nextShardIterator();
        // The shard end is only believed from a call that starts after the shard was seen closed:
        // an endpoint may list the records first and check for closure after, and a write plus a
        // rollover in between end the shard without its last records (DynamoDB Local 3.x does).
        // Asking once more with the same iterator costs one call per closed shard.
        boolean unconfirmedEnd = next == null && !pastBoundedEnd && !cursor.isConfirmingShardEnd();
        if (unconfirmedEnd) {
            cursor.confirmShardEndWith(iterator);
        } else {
            cursor.shardEndConfirmed();
            boolean wasUnpositionedLatest = cursor.isUnpositionedLatest();
            cursor.iterator = next;
            if (next != null
                    && wasUnpositionedLatest
                    && cursor.lastSequenceNumber == null
                    && cursor.iteratorRefreshDue(System.nanoTime())) {
                elements = new ArrayList<>(1);
                elements.add(ShardElement.latestIterator(next));
            }
        }
        if (elements != null) {
            out.put(cursor.splitId(), elements);
        }
        long now = System.nanoTime();
        if (!records.isEmpty()) {
            cursor.onRecordsPage(
                    records,
                    System.currentTimeMillis(),
                    TimeUnit.NANOSECONDS.toMillis(settings.idlePollIntervalNanos()));
            metrics.recordFetched(cursor.millisBehindLatest);
        }
        if (unconfirmedEnd) {
            cursor.nextPollAtNanos = now;
            return false;
        }
        if (next == null || pastBoundedEnd) {
            cursor.millisBehindLatest = 0;
            return true;
        }
        if (!records.isEmpty()) {
            cursor.nextPollAtNanos = now;
            return false;
        }
        metrics.emptyPolls.inc();
        boolean atOnce = cursor.followsEmptyPageAtOnce(now);
        if (settings.bounded()
                && cursor.caughtUpFor(
                        now,
                        settings.boundedEmptyPollsToFinish(),
                        settings.boundedIdleTimeToFinishNanos())) {
            if (isOpen(cursor)) {
                cursor.millisBehindLatest = 0;
                return true;
            }
            atOnce = true; // closed: on to its end
        }
        if (cursor.consecutiveFailures == 0) {
            cursor.nextPollAtNanos = atOnce ? now : now + settings.idlePollIntervalNanos();
        }
        return false;
    }

    /**
     * Bounded mode, before ending a caught-up shard: empty pages never end a closed shard (records
     * may lie behind them, and its end is a missing next iterator), so ask whether it has children.
     * A shard without any is taken as open, hence read up to the bounded end. On a failed call the
     * shard backs off and asks again after its next empty page.
     */
    private boolean isOpen(ShardCursor cursor) throws IOException {
        List<?> children;
        try {
            children = client.listChildShards(cursor.split.getStreamArn(), cursor.shardId());
        } catch (SdkException e) {
            if (AwsErrors.isRetryable(e)) {
                backOff(cursor, e);
                return false;
            }
            LOG.warn(
                    "Could not ask whether shard {} of stream {} is closed ({}); ending its "
                            + "bounded read as caught up",
                    cursor.shardId(),
                    cursor.split.getStreamArn(),
                    e.getMessage());
            return true;
        }
        if (children.isEmpty()) {
            return true;
        }
        LOG.debug("Shard {} is closed: reading it to its end", cursor.shardId());
        cursor.knownClosed();
        return false;
    }

    private String obtainIterator(ShardCursor cursor) {
        ShardSplit split = cursor.split;
        String iterator;
        if (cursor.lastSequenceNumber != null && !cursor.restartAtTrimHorizon) {
            iterator =
                    client.getShardIterator(
                            split.getStreamArn(),
                            split.getShardId(),
                            ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                            cursor.lastSequenceNumber);
        } else {
            iterator =
                    client.getShardIterator(
                            split.getStreamArn(),
                            split.getShardId(),
                            ShardIteratorType.TRIM_HORIZON,
                            null);
        }
        cursor.onIteratorObtained();
        return iterator;
    }

    private void backOff(ShardCursor cursor, SdkException cause) throws IOException {
        long now = System.nanoTime();
        if (cursor.consecutiveFailures == 0) {
            cursor.failingSinceNanos = now;
        } else if (settings.shouldGiveUp(now - cursor.failingSinceNanos)) {
            throw new IOException(
                    String.format(
                            "Shard %s of stream %s: AWS calls kept failing for %d s "
                                    + "('source.retry.give-up-after'); last error: %s",
                            cursor.shardId(),
                            cursor.split.getStreamArn(),
                            TimeUnit.NANOSECONDS.toSeconds(now - cursor.failingSinceNanos),
                            cause.getMessage()),
                    cause);
        }
        metrics.retriedErrors.inc();
        if (AwsErrors.isThrottling(cause)) {
            metrics.throttledCalls.inc();
        }
        cursor.consecutiveFailures++;
        cursor.nextPollAtNanos = now + settings.backOffNanos(cursor.consecutiveFailures);
        if (cursor.consecutiveFailures == 1) {
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
    public void handleSplitsChanges(SplitsChange<ShardSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (ShardSplit split : splitsChanges.splits()) {
            ShardCursor cursor = new ShardCursor(split);
            metrics.registerShard(cursor);
            if (split.getPosition().getKind() == ShardPosition.Kind.LATEST_ITERATOR) {
                LOG.debug("Shard {} starts at the job's LATEST point", split.getShardId());
            }
            cursors.addFirst(cursor);
        }
    }

    @Override
    public void wakeUp() {
        lock.lock();
        try {
            wakeUpRequested = true;
            wakeUpSignal.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Number of shards this reader currently polls; for tests and metrics. */
    public int shardCount() {
        return cursors.size();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        client.close();
    }
}
