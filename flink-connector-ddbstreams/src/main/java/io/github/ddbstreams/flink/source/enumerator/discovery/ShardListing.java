package io.github.ddbstreams.flink.source.enumerator.discovery;

import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What one listing of a stream (DescribeStream pages, or a child lookup) showed: plain data, made
 * on the worker thread and applied to the shard graph on the coordinator thread.
 *
 * @param complete true if the listing started at the stream's first shard and ran to its last page
 * @param status the stream's status, or null if this listing did not ask (a child lookup)
 * @param viewType the stream's view type, or null if unknown
 * @param startedNanos when the listing's first call was made, on the pacer's clock
 */
@Internal
public record ShardListing(
        List<DiscoveredShard> shards,
        boolean complete,
        @Nullable StreamStatus status,
        @Nullable StreamViewType viewType,
        long startedNanos) {}
