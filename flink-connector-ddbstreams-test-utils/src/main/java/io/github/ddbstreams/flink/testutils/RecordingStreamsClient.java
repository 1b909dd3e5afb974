package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Passes every call on to another {@link StreamsClient} and remembers each {@code GetShardIterator}
 * request, so a test can tell which shards a job opened and from where. Thread-safe.
 */
public final class RecordingStreamsClient extends ForwardingStreamsClient {

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

    private final List<IteratorRequest> iteratorRequests = new ArrayList<>();

    public RecordingStreamsClient(StreamsClient delegate) {
        super(delegate);
    }

    /** Every {@code GetShardIterator} request so far, in order. */
    public synchronized List<IteratorRequest> iteratorRequests() {
        return new ArrayList<>(iteratorRequests);
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
        return super.getShardIterator(streamArn, shardId, type, sequenceNumber);
    }

    @Override
    public void close() {
        // Shared by the enumerator and every reader of a job: one closing must not end it.
    }
}
