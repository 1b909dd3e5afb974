package io.github.ddbstreams.flink.format;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;

import io.github.ddbstreams.flink.testutils.SampleRecords;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import software.amazon.awssdk.enhanced.dynamodb.TableSchema;

/** Flink's own serializer contract (copy, reuse, snapshot/restore, duplicate, ...) for ours. */
class TypedChangeEventSerializerTest extends SerializerTestBase<TypedChangeEvent<Order>> {

    private static final TableSchema<Order> SCHEMA = TableSchema.fromBean(Order.class);

    @Override
    protected TypeSerializer<TypedChangeEvent<Order>> createSerializer() {
        return new TypedChangeEventSerializer<>(
                TableSchemaSuppliers.bean(Order.class), Order.class);
    }

    @Override
    protected int getLength() {
        return -1;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected Class<TypedChangeEvent<Order>> getTypeClass() {
        return (Class<TypedChangeEvent<Order>>) (Class<?>) TypedChangeEvent.class;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected TypedChangeEvent<Order>[] getTestData() {
        return new TypedChangeEvent[] {
            typed(
                    SampleRecords.insert(
                            "1",
                            TypedChangeEventTest.orderKey(),
                            TypedChangeEventTest.orderItem("open", 1))),
            typed(
                    SampleRecords.modify(
                            "2",
                            TypedChangeEventTest.orderKey(),
                            TypedChangeEventTest.orderItem("open", 1),
                            TypedChangeEventTest.orderItem("shipped", 2))),
            typed(
                    SampleRecords.ttlRemove(
                            "3",
                            TypedChangeEventTest.orderKey(),
                            TypedChangeEventTest.orderItem("shipped", 2))),
        };
    }

    private static TypedChangeEvent<Order> typed(
            software.amazon.awssdk.services.dynamodb.model.Record record) {
        return TypedChangeEvent.of(ChangeEvent.fromRecord(record, STREAM_ARN, SHARD_ID), SCHEMA);
    }
}
