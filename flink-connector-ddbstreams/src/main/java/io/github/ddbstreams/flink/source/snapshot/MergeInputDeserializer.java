package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import java.util.EnumSet;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * What the source of a snapshot-then-stream emits into the merge: {@link ChangeEvent}s, while the
 * view types it accepts stay those of the deserializer that runs after the merge, so that a stream
 * it cannot serve still fails at start.
 */
@Internal
public final class MergeInputDeserializer implements DynamoDbStreamsDeserializer<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private final ChangeEventDeserializer events = ChangeEventDeserializer.create();
    private final Set<StreamViewType> supported;

    public MergeInputDeserializer(Set<StreamViewType> supported) {
        this.supported =
                supported.isEmpty()
                        ? EnumSet.noneOf(StreamViewType.class)
                        : EnumSet.copyOf(supported);
    }

    @Override
    public Set<StreamViewType> supportedStreamViewTypes() {
        return supported;
    }

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<ChangeEvent> out) {
        events.deserialize(record, streamArn, shardId, out);
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return events.getProducedType();
    }
}
