package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Passes every call on to another {@link StreamsClient} and remembers each {@code GetShardIterator}
 * request, so a test can tell which shards a job opened and from where. Thread-safe.
 */
public final class RecordingStreamsClient implements StreamsClient {

    /** One {@code GetShardIterator} request. */
    public static final class IteratorRequest {
        public final String shardId;
        public final ShardIteratorType type;
        @Nullable public final String sequenceNumber;

        IteratorRequest(String shardId, ShardIteratorType type, @Nullable String sequenceNumber) {
            this.shardId = shardId;
            this.type = type;
            this.sequenceNumber = sequenceNumber;
        }

        @Override
        public String toString() {
            return shardId + " " + type + (sequenceNumber == null ? "" : " " + sequenceNumber);
        }
    }

    private final StreamsClient delegate;
    private final List<IteratorRequest> iteratorRequests = new ArrayList<>();

    public RecordingStreamsClient(StreamsClient delegate) {
        this.delegate = delegate;
    }

    /** Every {@code GetShardIterator} request so far, in order. */
    public synchronized List<IteratorRequest> iteratorRequests() {
        return new ArrayList<>(iteratorRequests);
    }

    @Override
    public String resolveLatestStreamArn(String tableName) {
        return delegate.resolveLatestStreamArn(tableName);
    }

    @Override
    public StreamPage describeStream(String streamArn, @Nullable String exclusiveStartShardId) {
        return delegate.describeStream(streamArn, exclusiveStartShardId);
    }

    @Override
    public List<Shard> listChildShards(String streamArn, String parentShardId) {
        return delegate.listChildShards(streamArn, parentShardId);
    }

    @Override
    public String getShardIterator(
            String streamArn,
            String shardId,
            ShardIteratorType type,
            @Nullable String sequenceNumber) {
        synchronized (this) {
            iteratorRequests.add(new IteratorRequest(shardId, type, sequenceNumber));
        }
        return delegate.getShardIterator(streamArn, shardId, type, sequenceNumber);
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        return delegate.getRecords(shardIterator, limit);
    }

    @Override
    public void close() {
        // Shared by the enumerator and every reader of a job: one closing must not end it.
    }
}
