package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * One {@link StreamsClient} over several {@link FakeStreamsClient}s, one per stream, as one AWS
 * client sees every stream of an account: calls are routed by stream ARN, tables resolve to the
 * stream whose ARN names them, and iterators are tagged with their stream so {@code GetRecords}
 * (which takes no ARN) reaches the right fake. A table's latest stream is the newest one added for
 * it, as when its stream is disabled and enabled again ({@link #addStream}). The fakes' shard ids
 * may coincide, as they do when their clocks do: that is the point of several streams in one
 * source.
 */
public final class MultiStreamFakeClient implements StreamsClient {

    /** Separates the stream's index from the fake's own iterator, which never contains it. */
    private static final char TAG = '~';

    private final Map<String, FakeStreamsClient> byArn = new LinkedHashMap<>();
    private final List<FakeStreamsClient> streams = new ArrayList<>();

    /** {@code resolveLatestStreamArn} calls so far. */
    public final AtomicInteger resolveCalls = new AtomicInteger();

    private final Deque<Supplier<RuntimeException>> resolveFailures = new ArrayDeque<>();

    /** A client over these streams; each fake's stream ARN is the one it was constructed with. */
    public MultiStreamFakeClient(Map<String, FakeStreamsClient> streamsByArn) {
        streamsByArn.forEach(
                (arn, fake) -> {
                    byArn.put(arn, fake);
                    streams.add(fake);
                });
    }

    /**
     * Adds a stream, e.g. a table's new stream after its stream was disabled and enabled again: the
     * table then resolves to it.
     */
    public synchronized void addStream(String streamArn, FakeStreamsClient fake) {
        byArn.put(streamArn, fake);
        streams.add(fake);
    }

    /** Removes a stream, as AWS does 24 h after it was disabled. */
    public synchronized void removeStream(String streamArn) {
        byArn.remove(streamArn); // its index in streams stays, so other iterators keep working
    }

    /**
     * The next {@code resolveLatestStreamArn} calls fail, one with each of {@code failures} in
     * turn, as a flaky or throttled DescribeTable would; the calls after them answer as usual.
     */
    @SafeVarargs
    public final synchronized void failNextResolves(Supplier<RuntimeException>... failures) {
        resolveFailures.addAll(List.of(failures));
    }

    /** The fake behind {@code streamArn}. */
    public synchronized FakeStreamsClient stream(String streamArn) {
        FakeStreamsClient fake = byArn.get(streamArn);
        if (fake == null) {
            throw new IllegalArgumentException("no fake stream " + streamArn);
        }
        return fake;
    }

    /** A stream ARN of the fake's form for {@code table}. */
    public static String arnOf(String table) {
        return arnOf(table, "2026-01-01T00:00:00.000");
    }

    /** A stream ARN of the fake's form for {@code table}, with the stream's label (its time). */
    public static String arnOf(String table, String label) {
        return "arn:aws:dynamodb:us-east-1:123456789012:table/" + table + "/stream/" + label;
    }

    /**
     * The table's newest stream, or, like the real client, an {@link IllegalArgumentException} if
     * that stream is disabled.
     */
    @Override
    public synchronized String resolveLatestStreamArn(String tableName) {
        resolveCalls.incrementAndGet();
        Supplier<RuntimeException> failure = resolveFailures.poll();
        if (failure != null) {
            throw failure.get();
        }
        String latest = null;
        for (String arn : byArn.keySet()) {
            if (tableName.equals(StreamArns.tableName(arn))
                    && (latest == null || StreamArns.isNewerStreamOfSameTable(arn, latest))) {
                latest = arn;
            }
        }
        if (latest == null) {
            throw ResourceNotFoundException.builder()
                    .message("Requested resource not found: Table: " + tableName + " not found")
                    .build();
        }
        StreamStatus status = byArn.get(latest).status();
        if (status == StreamStatus.DISABLED || status == StreamStatus.DISABLING) {
            throw new IllegalArgumentException(
                    "DynamoDB table '" + tableName + "' has no stream enabled");
        }
        return latest;
    }

    @Override
    public StreamPage describeStream(String streamArn, String exclusiveStartShardId) {
        return route(streamArn).describeStream(streamArn, exclusiveStartShardId);
    }

    @Override
    public List<Shard> listChildShards(String streamArn, String parentShardId) {
        return route(streamArn).listChildShards(streamArn, parentShardId);
    }

    @Override
    public String getShardIterator(
            String streamArn, String shardId, ShardIteratorType type, String sequenceNumber) {
        FakeStreamsClient fake = route(streamArn);
        return tag(fake, fake.getShardIterator(streamArn, shardId, type, sequenceNumber));
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        int tag = shardIterator.indexOf(TAG);
        FakeStreamsClient fake;
        synchronized (this) {
            fake = streams.get(Integer.parseInt(shardIterator.substring(0, tag)));
        }
        GetRecordsResponse response = fake.getRecords(shardIterator.substring(tag + 1), limit);
        String next = response.nextShardIterator();
        return next == null
                ? response
                : response.toBuilder().nextShardIterator(tag(fake, next)).build();
    }

    @Override
    public void close() {}

    private synchronized FakeStreamsClient route(String streamArn) {
        FakeStreamsClient fake = byArn.get(streamArn);
        if (fake == null) {
            throw ResourceNotFoundException.builder()
                    .message("Requested resource not found: Stream: " + streamArn + " not found")
                    .build();
        }
        return fake;
    }

    private synchronized String tag(FakeStreamsClient fake, String iterator) {
        return streams.indexOf(fake) + String.valueOf(TAG) + iterator;
    }
}
