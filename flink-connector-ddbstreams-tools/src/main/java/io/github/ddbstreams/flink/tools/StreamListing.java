package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** A whole {@code DescribeStream} listing: every page followed. */
final class StreamListing {
    final StreamStatus status;
    @Nullable final StreamViewType viewType;
    final List<Shard> shards;

    private StreamListing(
            StreamStatus status, @Nullable StreamViewType viewType, List<Shard> shards) {
        this.status = status;
        this.viewType = viewType;
        this.shards = List.copyOf(shards);
    }

    static StreamListing list(StreamsClient client, String streamArn) {
        List<Shard> shards = new ArrayList<>();
        String after = null;
        StreamPage page;
        do {
            try {
                page = client.describeStream(streamArn, after);
            } catch (ResourceNotFoundException e) {
                throw new IllegalArgumentException(
                        "stream "
                                + streamArn
                                + " not found (wrong ARN, region or account, or past its 24 h"
                                + " after being disabled): "
                                + e.getMessage(),
                        e);
            }
            shards.addAll(page.shards());
            after = page.lastEvaluatedShardId();
        } while (after != null);
        return new StreamListing(page.status(), page.viewType(), shards);
    }

    static boolean isOpen(Shard shard) {
        return shard.sequenceNumberRange() == null
                || shard.sequenceNumberRange().endingSequenceNumber() == null;
    }
}
