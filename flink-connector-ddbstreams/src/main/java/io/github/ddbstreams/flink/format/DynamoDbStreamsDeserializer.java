package io.github.ddbstreams.flink.format;

import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Turns DynamoDB Streams records into the source's output type. One record may produce zero, one or
 * many outputs. Instances are serialized with the job graph and {@link #open opened} once per
 * reader before the first record.
 *
 * @param <T> the type the source emits
 */
@PublicEvolving
public interface DynamoDbStreamsDeserializer<T> extends Serializable, ResultTypeQueryable<T> {

    /**
     * The stream view types this deserializer can work with; empty (the default) means any. A job
     * whose stream has another view type fails at start with a message naming both, instead of
     * failing (or emitting empty images) on the first record. For example a deserializer that needs
     * old and new images returns {@code EnumSet.of(StreamViewType.NEW_AND_OLD_IMAGES)}.
     */
    default Set<StreamViewType> supportedStreamViewTypes() {
        return Collections.emptySet();
    }

    /** Called once per reader before the first {@link #deserialize} call. */
    default void open(DeserializationSchema.InitializationContext context) throws Exception {}

    /**
     * Converts one stream record.
     *
     * @param record the record as the AWS SDK returned it
     * @param streamArn the stream it was read from
     * @param shardId the shard it was read from
     * @param out receives the outputs, if any
     */
    void deserialize(Record record, String streamArn, String shardId, Collector<T> out)
            throws IOException;
}
