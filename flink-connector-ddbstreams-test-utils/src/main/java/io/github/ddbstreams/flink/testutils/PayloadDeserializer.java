package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Emits the string attribute {@value #ATTRIBUTE} of each record's new image, and nothing for
 * records without one (deletes). Gives tests a plain, equality-comparable record type.
 */
public final class PayloadDeserializer implements DynamoDbStreamsDeserializer<String> {
    private static final long serialVersionUID = 1L;

    /** The attribute whose value is emitted. */
    public static final String ATTRIBUTE = "payload";

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<String> out) {
        if (record.dynamodb() == null || !record.dynamodb().hasNewImage()) {
            return;
        }
        AttributeValue payload = record.dynamodb().newImage().get(ATTRIBUTE);
        if (payload != null && payload.s() != null) {
            out.collect(payload.s());
        }
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
