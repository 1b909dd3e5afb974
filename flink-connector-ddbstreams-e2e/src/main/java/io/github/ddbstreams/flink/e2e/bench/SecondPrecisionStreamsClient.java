package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * DynamoDB Local's streams with AWS's clock precision. DynamoDB Local truncates a record's {@code
 * ApproximateCreationDateTime} to the minute, AWS to the second; this client replaces it with the
 * second in which any client of this JVM first read the record (by sequence number), as if records
 * reached the stream at once. What depends on creation times (the snapshot merge's progress clock,
 * caught-up shards) then behaves as on AWS. Every other call goes to the SDK client unchanged.
 */
final class SecondPrecisionStreamsClient extends ForwardingStreamsClient {

    /** First read of each record, shared by every client so that replays keep their time. */
    private static final Map<String, Instant> FIRST_READ = new ConcurrentHashMap<>();

    private SecondPrecisionStreamsClient(StreamsClient delegate) {
        super(delegate);
    }

    /** Clients of this kind for a source's builder. */
    static StreamsClientFactory factory() {
        return config -> new SecondPrecisionStreamsClient(SdkStreamsClient.create(config));
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        GetRecordsResponse response = delegate().getRecords(shardIterator, limit);
        if (!response.hasRecords() || response.records().isEmpty()) {
            return response;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        List<Record> records = new ArrayList<>(response.records().size());
        for (Record record : response.records()) {
            Instant created =
                    FIRST_READ.computeIfAbsent(record.dynamodb().sequenceNumber(), s -> now);
            records.add(
                    record.toBuilder()
                            .dynamodb(
                                    record.dynamodb().toBuilder()
                                            .approximateCreationDateTime(created)
                                            .build())
                            .build());
        }
        return response.toBuilder().records(records).build();
    }
}
