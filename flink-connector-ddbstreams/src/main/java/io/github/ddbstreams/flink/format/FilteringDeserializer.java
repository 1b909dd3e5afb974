package io.github.ddbstreams.flink.format;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;

/** Hands its delegate only the records a {@link ChangeFilter} accepts. */
@Internal
final class FilteringDeserializer<T> implements DynamoDbStreamsDeserializer<T> {

    private static final long serialVersionUID = 1L;

    private final ChangeFilter filter;
    private final DynamoDbStreamsDeserializer<T> delegate;

    FilteringDeserializer(ChangeFilter filter, DynamoDbStreamsDeserializer<T> delegate) {
        this.filter = filter;
        this.delegate = delegate;
    }

    @Override
    public void open(DeserializationSchema.InitializationContext context) throws Exception {
        delegate.open(context);
    }

    @Override
    public void deserialize(Record record, String streamArn, String shardId, Collector<T> out)
            throws IOException {
        if (filter.test(record, streamArn, shardId)) {
            delegate.deserialize(record, streamArn, shardId, out);
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }
}
