package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The drain baseline: one plain thread that lists the shards (oldest first, so parents come before
 * children), then loops {@code GetRecords} (limit 1000) over each shard in turn until the shard
 * ends or returns nothing, and stops once it has seen the expected number of records. No
 * deserialization, no Flink: the most a single caller gets out of the endpoint.
 */
final class RawDrain {
    long count;
    long firstNanos;
    long lastNanos;

    private RawDrain() {}

    /** Records per second, first to last record received. */
    double rate() {
        return count < 2 ? Double.NaN : (count - 1) * 1e9 / (lastNanos - firstNanos);
    }

    private void received(int records) {
        if (records == 0) {
            return;
        }
        long now = System.nanoTime();
        if (count == 0) {
            firstNanos = now;
        }
        count += records;
        lastNanos = now;
    }

    /** With the AWS SDK's own DynamoDB Streams client. */
    static RawDrain withSdk(DynamoDbStreamsClient streams, String streamArn, long expected) {
        List<String> shardIds = new ArrayList<>();
        String start = null;
        do {
            String from = start;
            var description =
                    streams.describeStream(r -> r.streamArn(streamArn).exclusiveStartShardId(from))
                            .streamDescription();
            description.shards().forEach(s -> shardIds.add(s.shardId()));
            start = description.lastEvaluatedShardId();
        } while (start != null);
        shardIds.sort(null);
        RawDrain drain = new RawDrain();
        for (String shardId : shardIds) {
            String iterator =
                    streams.getShardIterator(
                                    r ->
                                            r.streamArn(streamArn)
                                                    .shardId(shardId)
                                                    .shardIteratorType(
                                                            ShardIteratorType.TRIM_HORIZON))
                            .shardIterator();
            while (iterator != null && drain.count < expected) {
                String current = iterator;
                GetRecordsResponse response =
                        streams.getRecords(r -> r.shardIterator(current).limit(1000));
                drain.received(response.records().size());
                iterator = response.records().isEmpty() ? null : response.nextShardIterator();
            }
        }
        return drain;
    }

    /** Through the connector's client seam, e.g. on the fake endpoint. */
    static RawDrain withClient(StreamsClient client, String streamArn, long expected) {
        List<String> shardIds = new ArrayList<>();
        String start = null;
        do {
            StreamPage page = client.describeStream(streamArn, start);
            for (Shard shard : page.shards()) {
                shardIds.add(shard.shardId());
            }
            start = page.lastEvaluatedShardId();
        } while (start != null);
        shardIds.sort(null);
        RawDrain drain = new RawDrain();
        for (String shardId : shardIds) {
            String iterator =
                    client.getShardIterator(
                            streamArn, shardId, ShardIteratorType.TRIM_HORIZON, null);
            while (iterator != null && drain.count < expected) {
                GetRecordsResponse response = client.getRecords(iterator, 1000);
                drain.received(response.records().size());
                iterator = response.records().isEmpty() ? null : response.nextShardIterator();
            }
        }
        return drain;
    }
}
