package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Hands out fresh copies of a fake stream's records with a {@code payload} attribute of {@code
 * padding} characters added to the new image, and a {@code SizeBytes} that counts it: pages of
 * 1,000 such records come near GetRecords' 1 MB, as on a busy table of 1 KB items. Fresh per call,
 * as the SDK unmarshals them.
 */
final class PaddingStreamsClient extends ForwardingStreamsClient {
    private final char[] padding;

    PaddingStreamsClient(StreamsClient delegate, int padding) {
        super(delegate);
        this.padding = new char[padding];
        java.util.Arrays.fill(this.padding, 'x');
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        GetRecordsResponse response = super.getRecords(shardIterator, limit);
        return response.toBuilder()
                .records(response.records().stream().map(this::pad).toList())
                .build();
    }

    private Record pad(Record record) {
        Record copy = CopyingStreamsClient.copy(record);
        Map<String, AttributeValue> image = new HashMap<>(copy.dynamodb().newImage());
        image.put("payload", AttributeValue.fromS(new String(padding)));
        return copy.toBuilder()
                .dynamodb(
                        copy.dynamodb().toBuilder()
                                .newImage(image)
                                .sizeBytes(copy.dynamodb().sizeBytes() + padding.length)
                                .build())
                .build();
    }
}
