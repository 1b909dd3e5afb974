package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/** A {@link StreamsClient} that passes every call on; subclasses change one call. */
abstract class ForwardingStreamsClient implements StreamsClient {
    private final StreamsClient delegate;

    ForwardingStreamsClient(StreamsClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public String resolveLatestStreamArn(String tableName) {
        return delegate.resolveLatestStreamArn(tableName);
    }

    @Override
    public StreamPage describeStream(String streamArn, String exclusiveStartShardId) {
        return delegate.describeStream(streamArn, exclusiveStartShardId);
    }

    @Override
    public List<Shard> listChildShards(String streamArn, String parentShardId) {
        return delegate.listChildShards(streamArn, parentShardId);
    }

    @Override
    public String getShardIterator(
            String streamArn, String shardId, ShardIteratorType type, String sequenceNumber) {
        return delegate.getShardIterator(streamArn, shardId, type, sequenceNumber);
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        return delegate.getRecords(shardIterator, limit);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
