package io.github.ddbstreams.flink.source.client;

import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

/**
 * The only seam between the connector and DynamoDB Streams. Everything above it is tested against a
 * fake implementation; {@link SdkStreamsClient} is the real one.
 *
 * <p>Errors are the SDK's own exceptions ({@code ExpiredIteratorException}, {@code
 * TrimmedDataAccessException}, {@code LimitExceededException}, {@code ResourceNotFoundException},
 * {@code SdkClientException} for network errors), so callers map them in one place each.
 * Implementations must be thread-safe.
 */
@Internal
public interface StreamsClient extends AutoCloseable {

    /**
     * Resolves a table's current stream ({@code DescribeTable.LatestStreamArn}).
     *
     * @throws IllegalArgumentException if the table has no enabled stream (never enabled, or
     *     disabled and not enabled again), with a message that says how to enable one
     */
    String resolveLatestStreamArn(String tableName);

    /**
     * One page (at most 100 shards) of {@code DescribeStream}, starting after {@code
     * exclusiveStartShardId} (null: from the first shard).
     */
    StreamPage describeStream(String streamArn, @Nullable String exclusiveStartShardId);

    /**
     * The children of {@code parentShardId} using {@code ShardFilter(CHILD_SHARDS)}. May be empty
     * even when children exist (DynamoDB Local ignores the filter, AWS may lag): callers fall back
     * to listing.
     */
    List<Shard> listChildShards(String streamArn, String parentShardId);

    /** A shard iterator; {@code sequenceNumber} only for the AT/AFTER_SEQUENCE_NUMBER types. */
    String getShardIterator(
            String streamArn,
            String shardId,
            ShardIteratorType type,
            @Nullable String sequenceNumber);

    /** One {@code GetRecords} call. A null {@code nextShardIterator} means the shard ended. */
    GetRecordsResponse getRecords(String shardIterator, int limit);

    /**
     * The table's description ({@code DescribeTable}): key schema, stream specification, item count
     * and size (AWS refreshes those two about every six hours). For a snapshot of the table.
     *
     * <p>The default refuses: only clients that read tables implement it (test fakes of the stream
     * side need not).
     */
    default TableDescription describeTable(String tableName) {
        throw new UnsupportedOperationException(
                getClass().getSimpleName() + " does not describe tables");
    }

    /**
     * One page of a {@code Scan} (a snapshot of a table reads one segment page by page). Throttling
     * surfaces as {@code ProvisionedThroughputExceededException} or {@code ThrottlingException}.
     *
     * <p>The default refuses, as {@link #describeTable} does.
     */
    default ScanResponse scan(ScanRequest request) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not scan");
    }

    @Override
    void close();
}
