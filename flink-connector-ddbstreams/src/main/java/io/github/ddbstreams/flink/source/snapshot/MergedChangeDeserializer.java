package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.format.SnapshotRecords;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichFlatMapFunction;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * The user's deserializer, after the merge: each merged {@link ChangeEvent} becomes the stream
 * record it was (a snapshot row: a record with event name SNAPSHOT and the item as new image) and
 * goes through the deserializer the source was built with.
 */
@Internal
public final class MergedChangeDeserializer<T> extends RichFlatMapFunction<ChangeEvent, T>
        implements ResultTypeQueryable<T> {
    private static final long serialVersionUID = 1L;

    private final DynamoDbStreamsDeserializer<T> deserializer;

    public MergedChangeDeserializer(DynamoDbStreamsDeserializer<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        MetricGroup metrics = getRuntimeContext().getMetricGroup();
        UserCodeClassLoader classLoader =
                SimpleUserCodeClassLoader.create(getRuntimeContext().getUserCodeClassLoader());
        deserializer.open(
                new DeserializationSchema.InitializationContext() {
                    @Override
                    public MetricGroup getMetricGroup() {
                        return metrics;
                    }

                    @Override
                    public UserCodeClassLoader getUserCodeClassLoader() {
                        return classLoader;
                    }
                });
    }

    @Override
    public void flatMap(ChangeEvent event, Collector<T> out) throws Exception {
        deserializer.deserialize(toRecord(event), event.getStreamArn(), event.getShardId(), out);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    /** The stream record (or snapshot row) {@code event} was made from. */
    static Record toRecord(ChangeEvent event) {
        StreamRecord.Builder change =
                StreamRecord.builder()
                        .keys(event.getKeys())
                        .sequenceNumber(event.getSequenceNumber())
                        .sizeBytes(event.getSizeBytes())
                        .approximateCreationDateTime(event.getApproximateCreationTime());
        if (event.hasNewImage()) {
            change.newImage(event.getNewImage());
        }
        if (event.hasOldImage()) {
            change.oldImage(event.getOldImage());
        }
        Record.Builder record =
                Record.builder()
                        .eventID(event.getEventId())
                        .eventName(
                                event.getEventName() == ChangeEvent.EventName.SNAPSHOT
                                        ? SnapshotRecords.EVENT_NAME
                                        : event.getEventName().name())
                        .eventSource("aws:dynamodb")
                        .dynamodb(change.build());
        if (event.isTtlDelete()) {
            record.userIdentity(
                    Identity.builder()
                            .type("Service")
                            .principalId("dynamodb.amazonaws.com")
                            .build());
        }
        return record.build();
    }
}
