package io.github.ddbstreams.flink.source.reader;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import javax.annotation.Nullable;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The split reader's GetRecords calls in flight, their results until a fetch collects them, and the
 * byte budget of what the reader holds.
 *
 * <p>Each poll runs on a small pool, so a stalled call holds back no other shard: the fetch that
 * started it may return without it, and a later fetch collects its result. The budget counts the
 * records a reader holds, by their {@code SizeBytes}, from the moment a poll returns them until
 * Flink has emitted their batch ({@link Batch#recycle()}), so Flink's element queue is inside it; a
 * poll in flight counts as {@link #PAGE_BYTES}, the most one GetRecords call returns. No poll
 * starts that could take the reader over the budget, except one when the reader holds nothing, so a
 * budget below one page still reads.
 *
 * <p>Threads: the fetcher thread starts polls, collects results and waits; the pool's threads
 * complete polls; Flink's task thread releases bytes (recycle); {@link #wakeUp()} and {@link
 * #close()} may come from any thread.
 */
final class InFlightPolls {

    /** A GetRecords response holds at most 1 MB. */
    static final long PAGE_BYTES = 1L << 20;

    /** The longest wait without news, as a safety net against a missed signal. */
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Polls one shard once, writing what it read into {@code out}; true if it finished. */
    interface Poll {
        boolean poll(ShardCursor cursor, Map<String, Collection<ShardElement>> out)
                throws IOException;
    }

    /** A poll that returned or failed, waiting for the fetcher thread. */
    static final class Completed {
        final ShardCursor cursor;
        final Map<String, Collection<ShardElement>> out;
        final boolean finished;
        final long bytes;
        @Nullable final IOException failure;

        private Completed(
                ShardCursor cursor,
                Map<String, Collection<ShardElement>> out,
                boolean finished,
                long bytes,
                @Nullable IOException failure) {
            this.cursor = cursor;
            this.out = out;
            this.finished = finished;
            this.bytes = bytes;
            this.failure = failure;
        }
    }

    private final Poll poll;
    private final int maxInFlight;
    private final long maxBufferedBytes;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<Completed> completed = new ArrayDeque<>();
    private int inFlight;
    private long heldBytes;
    private long peakBytes;
    private boolean wakeUpRequested;
    private boolean closed;

    /** Created on first need; guarded by lock. */
    @Nullable private ExecutorService pool;

    InFlightPolls(Poll poll, int maxInFlight, long maxBufferedBytes) {
        this.poll = poll;
        this.maxInFlight = maxInFlight;
        this.maxBufferedBytes = maxBufferedBytes;
    }

    /** True if one more poll may start now: a free slot, and room in the budget for its page. */
    boolean canStart() {
        lock.lock();
        try {
            return canStartLocked();
        } finally {
            lock.unlock();
        }
    }

    private boolean canStartLocked() {
        if (closed || inFlight >= maxInFlight) {
            return false;
        }
        return heldBytes + (inFlight + 1) * PAGE_BYTES <= maxBufferedBytes
                || (inFlight == 0 && heldBytes == 0);
    }

    /** Starts a poll of {@code cursor}, which belongs to the poll until it is collected. */
    void start(ShardCursor cursor) {
        ExecutorService executor;
        lock.lock();
        try {
            if (pool == null && !closed) {
                pool =
                        Executors.newFixedThreadPool(
                                maxInFlight, new ExecutorThreadFactory("ddbstreams-get-records"));
            }
            executor = pool;
            inFlight++;
            peakBytes = Math.max(peakBytes, heldBytes + inFlight * PAGE_BYTES);
        } finally {
            lock.unlock();
        }
        try {
            if (executor == null) {
                throw new RejectedExecutionException("closed");
            }
            executor.execute(() -> run(cursor));
        } catch (RejectedExecutionException e) {
            // Closed meanwhile: the result only balances the count; nobody reads it.
            complete(new Completed(cursor, Map.of(), false, 0, new IOException(e)));
        }
    }

    private void run(ShardCursor cursor) {
        Map<String, Collection<ShardElement>> out = new HashMap<>(2);
        boolean finished = false;
        IOException failure = null;
        try {
            finished = poll.poll(cursor, out);
        } catch (IOException e) {
            failure = e;
        } catch (Throwable t) {
            failure =
                    new IOException(
                            "Polling shard " + cursor.shardId() + " failed unexpectedly", t);
        }
        complete(new Completed(cursor, out, finished, bytesOf(out), failure));
    }

    private void complete(Completed result) {
        lock.lock();
        try {
            inFlight--;
            if (closed) {
                // close() interrupted this call: its outcome (usually a failure caused by the
                // interrupt) must not reach a fetch that is ending because of the close.
                changed.signalAll();
                return;
            }
            heldBytes += result.bytes;
            peakBytes = Math.max(peakBytes, heldBytes + inFlight * PAGE_BYTES);
            completed.add(result);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The polls that completed since the last call, in completion order. */
    List<Completed> takeCompleted() {
        lock.lock();
        try {
            List<Completed> done = new ArrayList<>(completed);
            completed.clear();
            return done;
        } finally {
            lock.unlock();
        }
    }

    /** Polls started and not yet collected: their shards are out of the round-robin. */
    int outstanding() {
        lock.lock();
        try {
            return inFlight + completed.size();
        } finally {
            lock.unlock();
        }
    }

    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a poll completes, {@link #wakeUp()} or {@link #close()}, or {@code nanos} pass.
     * With {@code untilStartable}, also until a poll may start (bytes released or a slot freed):
     * due shards wait for it. Returns false if woken up or closed.
     */
    boolean await(long nanos, boolean untilStartable) {
        lock.lock();
        try {
            // Due shards waiting for a slot or for bytes wait for that, not for the clock.
            long left = untilStartable ? MAX_WAIT_NANOS : Math.min(nanos, MAX_WAIT_NANOS);
            while (!wakeUpRequested
                    && !closed
                    && completed.isEmpty()
                    && !(untilStartable && canStartLocked())
                    && left > 0) {
                left = changed.awaitNanos(left);
            }
            boolean woken = wakeUpRequested || closed;
            wakeUpRequested = false;
            return !woken;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    void wakeUp() {
        lock.lock();
        try {
            wakeUpRequested = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Flink emitted a batch: its bytes leave the budget. */
    void release(long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            heldBytes -= bytes;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Records fetched and not yet emitted, by their SizeBytes. */
    long bufferedBytes() {
        lock.lock();
        try {
            return heldBytes;
        } finally {
            lock.unlock();
        }
    }

    /** The most this reader held at once, polls in flight counted as a full page; for tests. */
    long peakBytes() {
        lock.lock();
        try {
            return peakBytes;
        } finally {
            lock.unlock();
        }
    }

    /** Interrupts the polls in flight (an SDK call aborts) and wakes a waiting fetch. */
    void close() {
        ExecutorService executor;
        lock.lock();
        try {
            closed = true;
            executor = pool;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    /** A fetch's result; Flink recycles it once every record is emitted, freeing its bytes. */
    static final class Batch implements RecordsWithSplitIds<ShardElement> {
        private final RecordsBySplits<ShardElement> records;
        private final InFlightPolls owner;
        private long bytes;

        Batch(
                Map<String, Collection<ShardElement>> records,
                Set<String> finished,
                long bytes,
                InFlightPolls owner) {
            this.records = new RecordsBySplits<>(records, finished);
            this.bytes = bytes;
            this.owner = owner;
        }

        @Nullable
        @Override
        public String nextSplit() {
            return records.nextSplit();
        }

        @Nullable
        @Override
        public ShardElement nextRecordFromSplit() {
            return records.nextRecordFromSplit();
        }

        @Override
        public Set<String> finishedSplits() {
            return records.finishedSplits();
        }

        /** Task thread; at most once per batch frees its bytes. */
        @Override
        public void recycle() {
            long freed;
            synchronized (this) {
                freed = bytes;
                bytes = 0;
            }
            owner.release(freed);
        }
    }

    private static long bytesOf(Map<String, Collection<ShardElement>> out) {
        long bytes = 0;
        for (Collection<ShardElement> elements : out.values()) {
            for (ShardElement element : elements) {
                Record record = element.record();
                if (record != null && record.dynamodb().sizeBytes() != null) {
                    bytes += record.dynamodb().sizeBytes();
                }
            }
        }
        return bytes;
    }
}
