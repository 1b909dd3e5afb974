package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.format.typeutils.ChangeEventTypeInfo;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * The default deserializer: emits one {@link ChangeEvent} per stream record. Obtain it with {@link
 * #create()}.
 *
 * <p>A record that cannot be converted (no {@code dynamodb} part, or an event name other than
 * INSERT, MODIFY or REMOVE) fails with an {@link IllegalArgumentException} naming the record and
 * shard, rather than being skipped silently.
 */
@PublicEvolving
public final class ChangeEventDeserializer implements DynamoDbStreamsDeserializer<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private ChangeEventDeserializer() {}

    /** The deserializer that emits {@link ChangeEvent}s. */
    public static ChangeEventDeserializer create() {
        return new ChangeEventDeserializer();
    }

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<ChangeEvent> out) {
        out.collect(ChangeEvent.fromRecord(record, streamArn, shardId));
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return ChangeEventTypeInfo.INSTANCE;
    }
}
