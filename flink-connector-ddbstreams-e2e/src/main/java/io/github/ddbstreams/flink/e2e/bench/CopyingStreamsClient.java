package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * Hands out fresh copies of the records of a fake stream, as the SDK does when it unmarshals a
 * response: the fake shares its record objects between calls, which would hide the heap a fetched
 * batch really takes.
 */
final class CopyingStreamsClient extends ForwardingStreamsClient {

    CopyingStreamsClient(StreamsClient delegate) {
        super(delegate);
    }

    @Override
    public GetRecordsResponse getRecords(String shardIterator, int limit) {
        GetRecordsResponse response = super.getRecords(shardIterator, limit);
        return response.toBuilder()
                .records(response.records().stream().map(CopyingStreamsClient::copy).toList())
                .build();
    }

    static Record copy(Record record) {
        StreamRecord data = record.dynamodb();
        StreamRecord.Builder copy =
                StreamRecord.builder()
                        .keys(copy(data.keys()))
                        .sequenceNumber(new String(data.sequenceNumber()))
                        .sizeBytes(data.sizeBytes())
                        .streamViewType(data.streamViewType())
                        .approximateCreationDateTime(data.approximateCreationDateTime());
        if (data.hasNewImage()) {
            copy.newImage(copy(data.newImage()));
        }
        if (data.hasOldImage()) {
            copy.oldImage(copy(data.oldImage()));
        }
        return Record.builder()
                .eventID(new String(record.eventID()))
                .eventName(record.eventName())
                .eventSource(new String(record.eventSource()))
                .dynamodb(copy.build())
                .build();
    }

    private static Map<String, AttributeValue> copy(Map<String, AttributeValue> image) {
        Map<String, AttributeValue> copy = new HashMap<>();
        image.forEach(
                (name, value) ->
                        copy.put(
                                new String(name),
                                value.s() != null
                                        ? AttributeValue.fromS(new String(value.s()))
                                        : AttributeValue.fromN(new String(value.n()))));
        return copy;
    }
}
