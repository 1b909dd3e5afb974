package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.List;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * A {@link StreamsClient} that passes every call on to another: the one base of the clients that
 * record, time, gate or fail some calls, each overriding only those.
 */
public abstract class ForwardingStreamsClient implements StreamsClient {

    private final StreamsClient delegate;

    protected ForwardingStreamsClient(StreamsClient delegate) {
        this.delegate = delegate;
    }

    /** The client calls are passed on to. */
    protected StreamsClient delegate() {
        return delegate;
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
        return delegate.getShardIterator(streamArn, shardId, type, sequenceNumber);
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        return delegate.getRecords(shardIterator, limit);
    }

    @Override
    public TableDescription describeTable(String tableName) {
        return delegate.describeTable(tableName);
    }

    @Override
    public ScanResponse scan(ScanRequest request) {
        return delegate.scan(request);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
