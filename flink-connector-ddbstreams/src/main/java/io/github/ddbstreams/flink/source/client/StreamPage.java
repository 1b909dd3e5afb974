package io.github.ddbstreams.flink.source.client;

import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** One page of a {@code DescribeStream} answer. */
@Internal
public final class StreamPage {
    private final StreamStatus status;
    @Nullable private final StreamViewType viewType;
    private final List<Shard> shards;
    @Nullable private final String lastEvaluatedShardId;

    public StreamPage(
            StreamStatus status,
            @Nullable StreamViewType viewType,
            List<Shard> shards,
            @Nullable String lastEvaluatedShardId) {
        this.status = status;
        this.viewType = viewType;
        this.shards = List.copyOf(shards);
        this.lastEvaluatedShardId = lastEvaluatedShardId;
    }

    public StreamStatus status() {
        return status;
    }

    @Nullable
    public StreamViewType viewType() {
        return viewType;
    }

    public List<Shard> shards() {
        return shards;
    }

    /** The shard id to continue listing from, or null when this was the last page. */
    @Nullable
    public String lastEvaluatedShardId() {
        return lastEvaluatedShardId;
    }
}
