package io.github.ddbstreams.flink.format.typeutils;

import static io.github.ddbstreams.flink.testutils.SampleRecords.SHARD_ID;
import static io.github.ddbstreams.flink.testutils.SampleRecords.STREAM_ARN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.Invoice;
import io.github.ddbstreams.flink.format.Order;
import io.github.ddbstreams.flink.format.TableSchemaSuppliers;
import io.github.ddbstreams.flink.format.TypedChangeEvent;
import io.github.ddbstreams.flink.format.TypedChangeEventTest;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.io.InputStream;
import org.apache.flink.api.common.typeutils.SerializerTestBase;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
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

    @Test
    void stateStaysReadableWhenTheItemClassChanges() {
        TypeSerializerSnapshot<TypedChangeEvent<Invoice>> newSnapshot =
                new TypedChangeEventSerializer<>(
                                TableSchemaSuppliers.immutable(Invoice.class), Invoice.class)
                        .snapshotConfiguration();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializerSnapshot<TypedChangeEvent<Invoice>> oldSnapshot =
                (TypeSerializerSnapshot) createSerializer().snapshotConfiguration();

        assertThat(newSnapshot.resolveSchemaCompatibility(oldSnapshot).isCompatibleAsIs()).isTrue();
        assertThat(
                        newSnapshot
                                .resolveSchemaCompatibility(
                                        (TypeSerializerSnapshot)
                                                ChangeEventSerializer.INSTANCE
                                                        .snapshotConfiguration())
                                .isIncompatible())
                .isTrue();
    }

    @Test
    void aRecipeThatNoLongerDeserializesFailsOnlyWhenTheOldSerializerIsNeeded() throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF(Order.class.getName());
        out.writeInt(3);
        out.write(new byte[] {1, 2, 3});
        TypedChangeEventSerializer.TypedChangeEventSerializerSnapshot<Order> snapshot =
                new TypedChangeEventSerializer.TypedChangeEventSerializerSnapshot<>();

        snapshot.readSnapshot(
                1, new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());

        assertRestoresCompatibleAsIs(snapshot);
        assertThatThrownBy(snapshot::restoreSerializer)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(Order.class.getName());
    }

    /**
     * A snapshot committed before the serializer moved to {@code format.typeutils}: it names the
     * snapshot class of the former {@code format.TypedChangeEventSerializer}.
     */
    @Test
    void committedSnapshotOfTheFormerNameRestoresOurSerializer() throws Exception {
        byte[] committed;
        try (InputStream in =
                getClass().getResourceAsStream("/typed-change-event/serializer-snapshot-v1.bin")) {
            committed = in.readAllBytes();
        }
        DataInputDeserializer in = new DataInputDeserializer(committed);

        TypeSerializerSnapshot<TypedChangeEvent<Order>> snapshot =
                TypeSerializerSnapshotSerializationUtil.readSerializerSnapshot(
                        in, getClass().getClassLoader());

        assertThat(in.available()).as("trailing bytes").isZero();
        assertThat(snapshot.getClass().getName())
                .isEqualTo(
                        "io.github.ddbstreams.flink.format.TypedChangeEventSerializer"
                                + "$TypedChangeEventSerializerSnapshot");
        assertThat(snapshot.restoreSerializer()).isEqualTo(createSerializer());
        assertRestoresCompatibleAsIs(snapshot);
    }

    private void assertRestoresCompatibleAsIs(
            TypeSerializerSnapshot<TypedChangeEvent<Order>> snapshot) {
        assertThat(
                        createSerializer()
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(snapshot)
                                .isCompatibleAsIs())
                .isTrue();
    }

    private static TypedChangeEvent<Order> typed(
            software.amazon.awssdk.services.dynamodb.model.Record record) {
        return TypedChangeEvent.of(ChangeEvent.fromRecord(record, STREAM_ARN, SHARD_ID), SCHEMA);
    }
}
