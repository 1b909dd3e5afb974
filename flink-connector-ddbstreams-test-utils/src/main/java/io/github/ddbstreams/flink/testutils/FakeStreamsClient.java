package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ExpiredIteratorException;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TrimmedDataAccessException;

/**
 * An in-memory DynamoDB stream behind the {@link StreamsClient} seam, for unit tests. It keeps
 * shards with their records and lineage, and can simulate what the service does: rollovers (one
 * child), splits (two children), iterator expiry, trimming, throttling, and DynamoDB Local's habit
 * of ignoring {@code ShardFilter}, and what AWS does and DynamoDB Local does not: empty pages while
 * records lie further on ({@link #addEmptyPages}), a shard gone past retention ({@link
 * #removeShard}), trimming that overtakes an issued iterator ({@link #beforeNextGetRecords}).
 * Thread-safe (every method synchronized), so readers on fetcher threads and a test thread can
 * share it. Iterators are readable strings {@code shardId#index#issuedAtMillis}.
 */
public final class FakeStreamsClient implements StreamsClient {

    /** Default stream ARN of a fake stream. */
    public static final String STREAM_ARN =
            "arn:aws:dynamodb:us-east-1:123456789012:table/fake/stream/2026-01-01T00:00:00.000";

    private static final long ITERATOR_LIFETIME_MILLIS = 15 * 60 * 1000;

    private final String streamArn;
    private final TreeMap<String, FakeShard> shards = new TreeMap<>();
    private long clockMillis = 1_700_000_000_000L;
    private long nextShardTime = clockMillis;
    private long shardSpacingMillis = 1;
    private long nextSequenceNumber = 100;
    private boolean honourShardFilter = true;
    private int failNextCalls;
    private java.util.function.Supplier<RuntimeException> failure;
    private StreamStatus status = StreamStatus.ENABLED;
    private StreamViewType viewType = StreamViewType.NEW_AND_OLD_IMAGES;

    public final AtomicInteger getRecordsCalls = new AtomicInteger();
    private volatile long getRecordsLatencyMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private final AtomicInteger maxInFlightPerShard = new AtomicInteger();
    private final Map<String, AtomicInteger> inFlightByShard =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Integer> throttledShardCalls = new HashMap<>();
    private final Map<String, Runnable> shardEndRaces = new HashMap<>();
    private final Map<String, Runnable> beforeGetRecords = new HashMap<>();
    public final AtomicInteger describeStreamCalls = new AtomicInteger();
    public final AtomicInteger listChildShardsCalls = new AtomicInteger();
    public final AtomicInteger getShardIteratorCalls = new AtomicInteger();
    private final Map<String, Integer> getRecordsCallsByShard = new HashMap<>();

    public FakeStreamsClient() {
        this(STREAM_ARN);
    }

    public FakeStreamsClient(String streamArn) {
        this.streamArn = streamArn;
    }

    // ------------------------------------------------------------------ test controls

    /**
     * Adds an open shard; ids grow with creation time as on AWS. The creation time in the id is the
     * fake's clock (see {@link #advanceClock}), or {@link #setShardSpacingMillis} after the
     * previous shard's if that is later. Deterministic: committed savepoints hold these ids.
     */
    public synchronized String addShard(String parentId) {
        nextShardTime = Math.max(nextShardTime, clockMillis);
        String id = String.format("shardId-%020d-%08x", nextShardTime, shards.size());
        nextShardTime += shardSpacingMillis;
        shards.put(id, new FakeShard(id, parentId));
        return id;
    }

    /** Appends a record for item {@code key}; returns its sequence number. */
    public synchronized String put(String shardId, String key, OperationType op, long version) {
        Map<String, AttributeValue> image =
                Map.of(
                        "pk", AttributeValue.fromS(key),
                        "version", AttributeValue.fromN(Long.toString(version)));
        return putChange(
                shardId,
                op,
                Map.of("pk", AttributeValue.fromS(key)),
                null,
                op == OperationType.REMOVE ? null : image);
    }

    /**
     * Appends a change of the item {@code keys} with the images given (null: none), as a table with
     * a NEW_AND_OLD_IMAGES stream writes it (see {@link FakeTable}); returns its sequence number.
     */
    public synchronized String putChange(
            String shardId,
            OperationType op,
            Map<String, AttributeValue> keys,
            @Nullable Map<String, AttributeValue> oldImage,
            @Nullable Map<String, AttributeValue> newImage) {
        FakeShard shard = shard(shardId);
        if (shard.closed) {
            throw new IllegalStateException("shard " + shardId + " is closed");
        }
        String seq = String.format("%021d", nextSequenceNumber++);
        shard.append(seq, op, keys, oldImage, newImage, Instant.ofEpochMilli(clockMillis));
        return seq;
    }

    /**
     * The next {@code pages} positions of the shard answer GetRecords with no records but a next
     * iterator past them, as AWS may do while records lie further on (the service documents that an
     * empty page is no sign of a shard's end; only a missing next iterator is). Records put after
     * this come behind the empty pages; a closed shard whose last positions are empty pages gives
     * that many empty pages before the one without a next iterator.
     */
    public synchronized void addEmptyPages(String shardId, int pages) {
        FakeShard shard = shard(shardId);
        for (int i = 0; i < pages; i++) {
            shard.records.add(null);
        }
    }

    /**
     * The next GetRecords call on the shard runs {@code action} (e.g. {@link #trim}) after the
     * caller took its iterator and before the call reads: trimming that overtakes an iterator.
     */
    public synchronized void beforeNextGetRecords(String shardId, Runnable action) {
        beforeGetRecords.put(shardId, action);
    }

    /** How far apart (in creation time) shards made in a row are; default 1 ms. */
    public synchronized void setShardSpacingMillis(long millis) {
        shardSpacingMillis = millis;
    }

    /** Closes the shard and opens one child (the periodic rollover); returns the child id. */
    public synchronized String rollover(String shardId) {
        shard(shardId).closed = true;
        return addShard(shardId);
    }

    /**
     * Closes the shard with no child yet, as a briefly inconsistent listing shows it; {@code
     * addShard(shardId)} later adds the child.
     */
    public synchronized void closeWithoutChildren(String shardId) {
        shard(shardId).closed = true;
    }

    /** Closes the shard and opens two children (a partition split). */
    public synchronized List<String> split(String shardId) {
        shard(shardId).closed = true;
        return List.of(addShard(shardId), addShard(shardId));
    }

    /** Makes the oldest {@code count} records of the shard unreadable. */
    public synchronized void trim(String shardId, int count) {
        shard(shardId).trimmedBefore = count;
    }

    public synchronized void advanceClock(long millis) {
        clockMillis += millis;
    }

    public synchronized long clockMillis() {
        return clockMillis;
    }

    /** The next {@code n} AWS calls fail with {@link LimitExceededException}. */
    public synchronized void throttleNextCalls(int n) {
        failNextCalls(
                n, () -> LimitExceededException.builder().message("rate exceeded (fake)").build());
    }

    /** The next {@code n} AWS calls fail with what {@code error} supplies. */
    public synchronized void failNextCalls(
            int n, java.util.function.Supplier<RuntimeException> error) {
        failNextCalls = n;
        failure = error;
    }

    /** Removes a shard, as retention does 24 hours after it closed. */
    public synchronized void removeShard(String shardId) {
        shards.remove(shardId);
    }

    /** Behave like DynamoDB Local: {@code ShardFilter(CHILD_SHARDS)} returns nothing. */
    public synchronized void ignoreShardFilter() {
        honourShardFilter = false;
    }

    /** The view type DescribeStream reports (records keep their own). */
    public synchronized void setViewType(StreamViewType viewType) {
        this.viewType = viewType;
    }

    /** Sets the stream's status; DISABLED closes every open shard, as disabling does on AWS. */
    public synchronized void setStatus(StreamStatus status) {
        this.status = status;
        if (status == StreamStatus.DISABLED) {
            shards.values().forEach(shard -> shard.closed = true);
        }
    }

    public synchronized StreamStatus status() {
        return status;
    }

    public synchronized List<String> shardIds() {
        return new ArrayList<>(shards.keySet());
    }

    /** How many {@code GetRecords} calls read this shard (throttled calls included). */
    public synchronized int getRecordsCalls(String shardId) {
        return getRecordsCallsByShard.getOrDefault(shardId, 0);
    }

    /** Sets the clock to an absolute time, e.g. the real time to make shards "created now". */
    public synchronized void setClock(long epochMillis) {
        clockMillis = epochMillis;
    }

    // ------------------------------------------------------------------ StreamsClient

    @Override
    public String resolveLatestStreamArn(String tableName) {
        return streamArn;
    }

    @Override
    public synchronized StreamPage describeStream(String arn, String exclusiveStartShardId) {
        describeStreamCalls.incrementAndGet();
        checkArn(arn);
        maybeThrottle();
        Map<String, FakeShard> tail =
                exclusiveStartShardId == null
                        ? shards
                        : shards.tailMap(exclusiveStartShardId, false);
        List<Shard> page = new ArrayList<>();
        String last = null;
        for (FakeShard shard : tail.values()) {
            if (page.size() == 100) {
                last = page.get(99).shardId();
                break;
            }
            page.add(shard.toShard());
        }
        return new StreamPage(status, viewType, page, last);
    }

    @Override
    public synchronized List<Shard> listChildShards(String arn, String parentShardId) {
        listChildShardsCalls.incrementAndGet();
        checkArn(arn);
        maybeThrottle();
        List<Shard> children = new ArrayList<>();
        if (honourShardFilter) {
            for (FakeShard shard : shards.values()) {
                if (parentShardId.equals(shard.parentId)) {
                    children.add(shard.toShard());
                }
            }
        }
        return children;
    }

    @Override
    public synchronized String getShardIterator(
            String arn, String shardId, ShardIteratorType type, String sequenceNumber) {
        getShardIteratorCalls.incrementAndGet();
        checkArn(arn);
        maybeThrottle();
        maybeThrottleShard(shardId);
        FakeShard shard = shard(shardId);
        int index;
        switch (type) {
            case TRIM_HORIZON:
                index = shard.trimmedBefore;
                break;
            case LATEST:
                index = shard.records.size();
                break;
            case AFTER_SEQUENCE_NUMBER:
            case AT_SEQUENCE_NUMBER:
                index = shard.indexOf(sequenceNumber);
                if (index < shard.trimmedBefore) {
                    throw TrimmedDataAccessException.builder()
                            .message("sequence number " + sequenceNumber + " is trimmed")
                            .build();
                }
                if (type == ShardIteratorType.AFTER_SEQUENCE_NUMBER) {
                    index++;
                }
                break;
            default:
                throw new IllegalArgumentException("unsupported iterator type " + type);
        }
        return shardId + "#" + index + "#" + clockMillis;
    }

    /**
     * GetRecords takes {@code millis} (outside the fake's lock, so concurrent callers overlap as
     * they would over the network).
     */
    public void setGetRecordsLatencyMillis(long millis) {
        getRecordsLatencyMillis = millis;
    }

    /** The most GetRecords calls that were in flight at once, over all shards. */
    public int maxConcurrentGetRecords() {
        return maxInFlight.get();
    }

    /** The most GetRecords calls that were in flight at once for any single shard. */
    public int maxConcurrentGetRecordsPerShard() {
        return maxInFlightPerShard.get();
    }

    /**
     * The next GetRecords call on the shard runs {@code action} (e.g. writes and a rollover)
     * between listing its records and checking whether the shard is closed, as DynamoDB Local 3.x
     * does in two separate database reads: the call then ends the shard without the records {@code
     * action} wrote.
     */
    public synchronized void raceNextShardEnd(String shardId, Runnable action) {
        shardEndRaces.put(shardId, action);
    }

    /** The next {@code n} GetShardIterator/GetRecords calls on one shard are throttled. */
    public synchronized void throttleShard(String shardId, int n) {
        throttledShardCalls.put(shardId, n);
    }

    @Override
    public GetRecordsResponse getRecords(String iterator, int limit) {
        String shardId = iterator.split("#")[0];
        java.util.concurrent.atomic.AtomicInteger perShard =
                inFlightByShard.computeIfAbsent(
                        shardId, k -> new java.util.concurrent.atomic.AtomicInteger());
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        maxInFlightPerShard.accumulateAndGet(perShard.incrementAndGet(), Math::max);
        try {
            if (getRecordsLatencyMillis > 0) {
                Thread.sleep(getRecordsLatencyMillis);
            }
            return getRecordsNow(iterator, limit);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            perShard.decrementAndGet();
            inFlight.decrementAndGet();
        }
    }

    private synchronized GetRecordsResponse getRecordsNow(String iterator, int limit) {
        getRecordsCalls.incrementAndGet();
        String[] parts = iterator.split("#");
        getRecordsCallsByShard.merge(parts[0], 1, Integer::sum);
        maybeThrottle();
        maybeThrottleShard(parts[0]);
        Runnable before = beforeGetRecords.remove(parts[0]);
        if (before != null) {
            before.run();
        }
        FakeShard shard = shard(parts[0]);
        int index = Integer.parseInt(parts[1]);
        if (clockMillis - Long.parseLong(parts[2]) > ITERATOR_LIFETIME_MILLIS) {
            throw ExpiredIteratorException.builder().message("iterator expired").build();
        }
        if (index < shard.trimmedBefore) {
            throw TrimmedDataAccessException.builder().message("iterator in trimmed data").build();
        }
        int end = index;
        List<Record> records = new ArrayList<>();
        if (end < shard.records.size() && shard.records.get(end) == null) {
            end++; // one empty page per empty position
        } else {
            while (end < shard.records.size()
                    && records.size() < limit
                    && shard.records.get(end) != null) {
                records.add(shard.records.get(end++));
            }
        }
        boolean more = end < shard.records.size();
        Runnable race = shardEndRaces.remove(shard.id);
        if (race != null) {
            race.run();
        }
        boolean atEnd = shard.closed && !more;
        return GetRecordsResponse.builder()
                .records(records)
                .nextShardIterator(atEnd ? null : shard.id + "#" + end + "#" + clockMillis)
                .build();
    }

    @Override
    public void close() {}

    // ------------------------------------------------------------------ helpers

    private void maybeThrottleShard(String shardId) {
        Integer left = throttledShardCalls.get(shardId);
        if (left != null && left > 0) {
            throttledShardCalls.put(shardId, left - 1);
            throw LimitExceededException.builder()
                    .message("rate exceeded on " + shardId + " (fake)")
                    .build();
        }
    }

    private void maybeThrottle() {
        if (failNextCalls > 0) {
            failNextCalls--;
            throw failure.get();
        }
    }

    private void checkArn(String arn) {
        if (!streamArn.equals(arn)) {
            throw ResourceNotFoundException.builder()
                    .message("Requested resource not found: Stream: " + arn + " not found")
                    .build();
        }
    }

    private FakeShard shard(String shardId) {
        FakeShard shard = shards.get(shardId);
        if (shard == null) {
            throw ResourceNotFoundException.builder()
                    .message("Requested resource not found: Shard: " + shardId)
                    .build();
        }
        return shard;
    }
}
