package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/**
 * Lists a stream's shards through {@link StreamsClient}. Runs on the enumerator's worker thread
 * (inside {@code callAsync}); holds no state of the shard graph, whose owner decides what to list.
 */
@Internal
final class ShardDiscovery {

    /** The result of one listing. */
    static final class Listing {
        final List<DiscoveredShard> shards;

        /** True if the listing started at the stream's first shard and ran to its last page. */
        final boolean complete;

        /** The stream's status, or null if this listing did not ask (a child lookup). */
        @Nullable final StreamStatus status;

        Listing(List<DiscoveredShard> shards, boolean complete, @Nullable StreamStatus status) {
            this.shards = shards;
            this.complete = complete;
            this.status = status;
        }
    }

    private final StreamsClient client;
    private final String streamArn;

    ShardDiscovery(StreamsClient client, String streamArn) {
        this.client = client;
        this.streamArn = streamArn;
    }

    /** Every shard of the stream, all pages. */
    Listing listAll() {
        return listAfter(null);
    }

    /**
     * The shards after {@code exclusiveStartShardId} (null: all). DescribeStream orders shards by
     * id, and a shard's id grows with its creation time, so new shards are listed after the newest
     * known one and an incremental listing costs pages of new shards only.
     */
    Listing listAfter(@Nullable String exclusiveStartShardId) {
        List<DiscoveredShard> shards = new ArrayList<>();
        String cursor = exclusiveStartShardId;
        StreamStatus status;
        do {
            StreamPage page = client.describeStream(streamArn, cursor);
            status = page.status();
            for (Shard shard : page.shards()) {
                shards.add(toDiscovered(shard));
            }
            cursor = page.lastEvaluatedShardId();
        } while (cursor != null);
        return new Listing(shards, exclusiveStartShardId == null, status);
    }

    /**
     * The children of a finished shard, asked with {@code ShardFilter(CHILD_SHARDS)}. When that
     * gives nothing (DynamoDB Local ignores the filter; AWS's listing can lag), fall back to an
     * incremental listing after {@code newestKnownShardId}.
     */
    Listing childrenOf(String parentShardId, @Nullable String newestKnownShardId) {
        List<Shard> children = client.listChildShards(streamArn, parentShardId);
        if (!children.isEmpty()) {
            List<DiscoveredShard> shards = new ArrayList<>(children.size());
            for (Shard child : children) {
                shards.add(toDiscovered(child));
            }
            return new Listing(shards, false, null);
        }
        return listAfter(newestKnownShardId);
    }

    private static DiscoveredShard toDiscovered(Shard shard) {
        boolean closed =
                shard.sequenceNumberRange() != null
                        && shard.sequenceNumberRange().endingSequenceNumber() != null;
        return new DiscoveredShard(
                shard.shardId(),
                shard.parentShardId(),
                closed,
                ShardIds.creationTimeFromShardId(shard.shardId()));
    }
}
