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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.flink.annotation.Internal;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * Reads many shards on one fetcher thread. Each {@link #fetch()} polls every shard that is due
 * once, in round-robin order: a shard that returned records is due again at once, an idle shard
 * after the idle poll interval, a throttled or failing shard after its own back-off. When no shard
 * is due the thread sleeps until the next one is, or until {@link #wakeUp()}; it never spins. A
 * shard whose {@code GetRecords} returns no next iterator is finished.
 */
@Internal
public final class ShardSplitReader implements SplitReader<ShardElement, ShardSplit> {
    private static final Logger LOG = LoggerFactory.getLogger(ShardSplitReader.class);

    private final StreamsClient client;
    private final ShardReaderSettings settings;

    /** Shards in round-robin order; a polled shard goes to the back. */
    private final Deque<ShardCursor> cursors = new ArrayDeque<>();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wakeUpSignal = lock.newCondition();
    private boolean wakeUpRequested;

    public ShardSplitReader(StreamsClient client, ShardReaderSettings settings) {
        this.client = client;
        this.settings = settings;
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
        for (ShardCursor cursor : due) {
            if (poll(cursor, records)) {
                finished.add(cursor.shardId());
            } else {
                cursors.addLast(cursor);
            }
        }
        return new RecordsBySplits<>(records, finished);
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
        try {
            if (cursor.iterator == null) {
                cursor.iterator = obtainIterator(cursor);
            }
            response = client.getRecords(cursor.iterator, settings.maxRecordsPerCall());
        } catch (ExpiredIteratorException e) {
            LOG.debug("Iterator of shard {} expired; getting a new one", cursor.shardId());
            cursor.onIteratorLost();
            return false;
        } catch (LimitExceededException | SdkClientException e) {
            backOff(cursor, e);
            return false;
        } catch (TrimmedDataAccessException e) {
            throw new IOException(
                    String.format(
                            "Shard %s of stream %s: the records at %s have been trimmed (DynamoDB "
                                    + "Streams keeps records 24 hours), so continuing would "
                                    + "silently lose changes. Restart the job without its "
                                    + "checkpoint (choosing a starting position) to accept "
                                    + "the loss.",
                            cursor.shardId(),
                            cursor.split.getStreamArn(),
                            describePosition(cursor)),
                    e);
        } catch (ResourceNotFoundException e) {
            throw new IOException(
                    String.format(
                            "Stream %s or its shard %s was not found (%s). Check that the stream "
                                    + "ARN is right and the stream still exists.",
                            cursor.split.getStreamArn(), cursor.shardId(), e.getMessage()),
                    e);
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
            cursor.lastSequenceNumber = record.dynamodb().sequenceNumber();
            if (cursor.skips(record)) {
                continue;
            }
            if (elements == null) {
                elements = new ArrayList<>(records.size());
            }
            elements.add(ShardElement.record(record));
        }
        String next = response.nextShardIterator();
        boolean wasUnpositionedLatest = cursor.isUnpositionedLatest();
        cursor.iterator = next;
        if (next != null && wasUnpositionedLatest && cursor.lastSequenceNumber == null) {
            elements = new ArrayList<>(1);
            elements.add(ShardElement.latestIterator(next));
        }
        if (elements != null) {
            out.put(cursor.shardId(), elements);
        }
        if (next == null || pastBoundedEnd) {
            return true;
        }
        long now = System.nanoTime();
        if (records.isEmpty()) {
            cursor.consecutiveEmptyPolls++;
            if (settings.bounded()
                    && cursor.consecutiveEmptyPolls >= settings.boundedEmptyPollsToFinish()) {
                return true;
            }
            cursor.nextPollAtNanos = now + settings.idlePollIntervalNanos();
        } else {
            cursor.consecutiveEmptyPolls = 0;
            cursor.nextPollAtNanos = now;
        }
        return false;
    }

    private String obtainIterator(ShardCursor cursor) {
        ShardSplit split = cursor.split;
        if (cursor.lastSequenceNumber != null) {
            return client.getShardIterator(
                    split.getStreamArn(),
                    split.getShardId(),
                    ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                    cursor.lastSequenceNumber);
        }
        return client.getShardIterator(
                split.getStreamArn(), split.getShardId(), ShardIteratorType.TRIM_HORIZON, null);
    }

    private void backOff(ShardCursor cursor, Exception cause) {
        cursor.consecutiveFailures++;
        long delayNanos = settings.backOffNanos(cursor.consecutiveFailures);
        cursor.nextPollAtNanos = System.nanoTime() + delayNanos;
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

    private static String describePosition(ShardCursor cursor) {
        return cursor.lastSequenceNumber != null
                ? "after sequence number " + cursor.lastSequenceNumber
                : cursor.split.getPosition().toString();
    }

    @Override
    public void handleSplitsChanges(SplitsChange<ShardSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (ShardSplit split : splitsChanges.splits()) {
            ShardCursor cursor = new ShardCursor(split);
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
        client.close();
    }
}
