package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.split.ShardSplitState;
import java.time.Instant;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Deserializes a record, emits its outputs with the record's creation time as event timestamp, then
 * advances the split's position to the record's sequence number. Runs on the task thread, so the
 * position and the emitted outputs always agree at a checkpoint.
 */
@Internal
public final class ShardRecordEmitter<T>
        implements RecordEmitter<ShardElement, T, ShardSplitState> {

    private final DynamoDbStreamsDeserializer<T> deserializer;
    private final OutputCollector<T> collector = new OutputCollector<>();

    public ShardRecordEmitter(DynamoDbStreamsDeserializer<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void emitRecord(ShardElement element, SourceOutput<T> output, ShardSplitState state)
            throws Exception {
        Record record = element.record();
        if (record == null) {
            state.refreshLatestIterator(element.refreshedLatestIterator());
            return;
        }
        Instant created = record.dynamodb().approximateCreationDateTime();
        collector.output = output;
        collector.timestamp = created == null ? Long.MIN_VALUE : created.toEpochMilli();
        deserializer.deserialize(
                record, state.getSplit().getStreamArn(), state.getShardId(), collector);
        state.setLastSequenceNumber(record.dynamodb().sequenceNumber());
    }

    private static final class OutputCollector<T> implements Collector<T> {
        private SourceOutput<T> output;
        private long timestamp;

        @Override
        public void collect(T value) {
            if (timestamp == Long.MIN_VALUE) {
                output.collect(value);
            } else {
                output.collect(value, timestamp);
            }
        }

        @Override
        public void close() {}
    }
}
