package io.github.ddbstreams.flink.testutils;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Wraps a {@link FakeStreamsClient} to stall, fail and weigh {@code GetRecords} calls per shard,
 * with latches instead of sleeps: a gated shard's calls block until the test opens the gate (and
 * report when they entered, and whether they were interrupted); records can be given a {@code
 * SizeBytes} of the test's choosing; and the bytes a reader holds are tracked, counting a call in
 * flight as a full 1 MB page, from the call's start until the test reports their records emitted.
 */
public final class GatedStreamsClient extends ForwardingStreamsClient {

    /** The most one GetRecords call returns. */
    public static final long PAGE_BYTES = 1L << 20;

    private final FakeStreamsClient fake;

    /** Iterators are opaque: each is mapped to its shard when handed out. */
    private final Map<String, String> shardOfIterator = new ConcurrentHashMap<>();

    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> entered = new ConcurrentHashMap<>();
    private final Map<String, Supplier<RuntimeException>> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> callsByShard = new ConcurrentHashMap<>();
    private final CountDownLatch interrupted = new CountDownLatch(1);
    private volatile long recordSizeBytes = -1;

    private final Object bytesLock = new Object();
    private int inFlight;
    private long returnedNotEmitted;
    private long peakHeld;

    public GatedStreamsClient(FakeStreamsClient fake) {
        super(fake);
        this.fake = fake;
    }

    /** Calls on {@code shardId} from now on block until {@link #open}. */
    public void gate(String shardId) {
        gates.put(shardId, new CountDownLatch(1));
        entered.put(shardId, new CountDownLatch(1));
    }

    /** Lets the gated shard's calls through; does nothing if it is not gated. */
    public void open(String shardId) {
        CountDownLatch gate = gates.remove(shardId);
        if (gate != null) {
            gate.countDown();
        }
    }

    /** Waits until a call on the gated shard is blocked in the gate. */
    public void awaitEntered(String shardId) throws InterruptedException {
        if (!entered.get(shardId).await(30, TimeUnit.SECONDS)) {
            throw new AssertionError("no GetRecords call on " + shardId + " within 30 s");
        }
    }

    /** True if a blocked call was interrupted within 30 s. */
    public boolean awaitInterrupted() throws InterruptedException {
        return interrupted.await(30, TimeUnit.SECONDS);
    }

    /** The next GetRecords call on the shard fails with what {@code error} supplies. */
    public void failNextGetRecords(String shardId, Supplier<RuntimeException> error) {
        failures.put(shardId, error);
    }

    /** Every record returned from now on reports this {@code SizeBytes}. */
    public void setRecordSizeBytes(long bytes) {
        recordSizeBytes = bytes;
    }

    /** How many GetRecords calls reached this client for the shard, gated ones included. */
    public int getRecordsCalls(String shardId) {
        return callsByShard.computeIfAbsent(shardId, k -> new AtomicInteger()).get();
    }

    /** The test emitted records of this many SizeBytes: they leave what the reader holds. */
    public void emitted(long bytes) {
        synchronized (bytesLock) {
            returnedNotEmitted -= bytes;
        }
    }

    /** The most held at once: records returned and not emitted, plus a page per call out. */
    public long peakHeldBytes() {
        synchronized (bytesLock) {
            return peakHeld;
        }
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        String shardId = shardOfIterator.getOrDefault(shardIterator, "?");
        callsByShard.computeIfAbsent(shardId, k -> new AtomicInteger()).incrementAndGet();
        synchronized (bytesLock) {
            inFlight++;
            peakHeld = Math.max(peakHeld, returnedNotEmitted + inFlight * PAGE_BYTES);
        }
        long bytes = 0;
        try {
            CountDownLatch gate = gates.get(shardId);
            if (gate != null) {
                entered.get(shardId).countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted in the gate of " + shardId, e);
                }
            }
            Supplier<RuntimeException> failure = failures.remove(shardId);
            if (failure != null) {
                throw failure.get();
            }
            GetRecordsResponse response = fake.getRecords(shardIterator, limit);
            long size = recordSizeBytes;
            if (size >= 0) {
                List<Record> resized =
                        response.records().stream()
                                .map(
                                        r ->
                                                r.toBuilder()
                                                        .dynamodb(
                                                                r.dynamodb().toBuilder()
                                                                        .sizeBytes(size)
                                                                        .build())
                                                        .build())
                                .toList();
                response = response.toBuilder().records(resized).build();
            }
            if (response.nextShardIterator() != null) {
                shardOfIterator.put(response.nextShardIterator(), shardId);
            }
            for (Record record : response.records()) {
                bytes += record.dynamodb().sizeBytes();
            }
            return response;
        } finally {
            synchronized (bytesLock) {
                inFlight--;
                returnedNotEmitted += bytes;
                peakHeld = Math.max(peakHeld, returnedNotEmitted + inFlight * PAGE_BYTES);
            }
        }
    }

    @Override
    public String getShardIterator(
            String streamArn, String shardId, ShardIteratorType type, String sequenceNumber) {
        String iterator = fake.getShardIterator(streamArn, shardId, type, sequenceNumber);
        shardOfIterator.put(iterator, shardId);
        return iterator;
    }

    @Override
    public void close() {}
}
