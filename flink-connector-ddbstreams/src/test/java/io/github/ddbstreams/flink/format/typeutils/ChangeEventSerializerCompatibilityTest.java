package io.github.ddbstreams.flink.format.typeutils;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshotSerializationUtil;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Reads ChangeEvent bytes committed when format 1 was written, so that any change of the encoding
 * (which would break restoring savepoints) fails here. Regenerate only for a new format, beside the
 * old file, with {@link #main}.
 */
class ChangeEventSerializerCompatibilityTest {

    private static final String V1 = "/change-event/v1.bin";

    /**
     * The serializer snapshot as a savepoint holds it: it names the snapshot class, here the one of
     * the serializer's former name ({@code format.ChangeEventSerializer}).
     */
    private static final String SNAPSHOT_V1 = "/change-event/serializer-snapshot-v1.bin";

    /** The same snapshot as written since the serializer moved to {@code format.typeutils}. */
    private static final String SNAPSHOT_V1_TYPEUTILS =
            "/change-event/serializer-snapshot-v1-typeutils.bin";

    /**
     * The event whose bytes were committed. Written out here rather than taken from shared test
     * data, so that nothing but a format change can break this test.
     */
    static ChangeEvent representativeEvent() {
        Map<String, AttributeValue> keys = new LinkedHashMap<>();
        keys.put("pk", AttributeValue.fromS("order-42"));
        keys.put("sk", AttributeValue.fromN("7"));
        Map<String, AttributeValue> before = new LinkedHashMap<>(keys);
        before.put("status", AttributeValue.fromS("NEW"));
        Map<String, AttributeValue> after = new LinkedHashMap<>(keys);
        after.put("status", AttributeValue.fromS("PAÏD ✓"));
        after.put("total", AttributeValue.fromN("-12345678901234567890.123456789012345678"));
        after.put("blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, -1, 7})));
        after.put("gift", AttributeValue.fromBool(true));
        after.put("express", AttributeValue.fromBool(false));
        after.put("coupon", AttributeValue.fromNul(true));
        after.put("tags", AttributeValue.fromSs(List.of("b", "a")));
        after.put("scores", AttributeValue.fromNs(List.of("1", "2.50")));
        after.put(
                "chunks",
                AttributeValue.fromBs(
                        List.of(
                                SdkBytes.fromByteArray(new byte[] {1}),
                                SdkBytes.fromByteArray(new byte[0]))));
        Map<String, AttributeValue> address = new LinkedHashMap<>();
        address.put("city", AttributeValue.fromS("Lyon"));
        address.put("lines", AttributeValue.fromL(List.of(AttributeValue.fromS("1 rue X"))));
        address.put("empty", AttributeValue.fromM(Map.of()));
        after.put("address", AttributeValue.fromM(address));
        after.put(
                "history",
                AttributeValue.fromL(
                        List.of(
                                AttributeValue.fromN("3"),
                                AttributeValue.fromL(List.of()),
                                AttributeValue.fromM(
                                        Map.of("by", AttributeValue.fromS("alice"))))));
        return ChangeEvent.builder()
                .streamArn("arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-05-01")
                .shardId("shardId-00000001714521600000-a1b2c3d4")
                .sequenceNumber("4200000000000000000001234567")
                .eventId("0f7e4c1a9b2d3e4f5a6b7c8d9e0f1a2b")
                .eventName(ChangeEvent.EventName.MODIFY)
                .approximateCreationTime(Instant.parse("2024-05-01T12:34:56Z"))
                .sizeBytes(321)
                .keys(keys)
                .oldImage(before)
                .newImage(after)
                .build();
    }

    @Test
    void readsCommittedVersion1BytesFieldByField() throws IOException {
        byte[] committed = readResource(V1);
        DataInputDeserializer in = new DataInputDeserializer(committed);

        ChangeEvent read = ChangeEventSerializer.INSTANCE.deserialize(in);

        assertThat(in.available()).as("trailing bytes").isZero();
        ChangeEvent expected = representativeEvent();
        assertThat(read.getStreamArn())
                .isEqualTo(
                        "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-05-01");
        assertThat(read.getShardId()).isEqualTo("shardId-00000001714521600000-a1b2c3d4");
        assertThat(read.getSequenceNumber()).isEqualTo("4200000000000000000001234567");
        assertThat(read.getEventId()).isEqualTo("0f7e4c1a9b2d3e4f5a6b7c8d9e0f1a2b");
        assertThat(read.getEventName()).isEqualTo(ChangeEvent.EventName.MODIFY);
        assertThat(read.getApproximateCreationTime())
                .isEqualTo(Instant.parse("2024-05-01T12:34:56Z"));
        assertThat(read.getSizeBytes()).isEqualTo(321L);
        assertThat(read.isTtlDelete()).isFalse();
        assertThat(read.getKeys()).isEqualTo(expected.getKeys());
        assertThat(read.getOldImage()).isEqualTo(expected.getOldImage());
        assertThat(read.getNewImage()).isEqualTo(expected.getNewImage());
        Map<String, AttributeValue> after = read.getNewImage();
        assertThat(after.get("total").n()).isEqualTo("-12345678901234567890.123456789012345678");
        assertThat(after.get("blob").b().asByteArray()).containsExactly(0, -1, 7);
        assertThat(after.get("coupon").nul()).isTrue();
        assertThat(after.get("express").bool()).isFalse();
        assertThat(after.get("tags").ss()).containsExactly("b", "a");
        assertThat(after.get("address").m().get("empty").type()).isEqualTo(AttributeValue.Type.M);
        assertThat(after.get("history").l().get(2).m().get("by").s()).isEqualTo("alice");
        assertThat(read.getNewImage().keySet())
                .containsExactlyElementsOf(expected.getNewImage().keySet());
        assertThat(read).isEqualTo(expected);
    }

    @Test
    void currentWriterProducesTheCommittedBytes() throws IOException {
        assertThat(serialize(representativeEvent())).isEqualTo(readResource(V1));
    }

    @Test
    void committedSerializerSnapshotOfTheFormerNameRestoresOurSerializer() throws IOException {
        TypeSerializerSnapshot<ChangeEvent> snapshot = readSnapshot(SNAPSHOT_V1);

        assertThat(snapshot.getClass().getName())
                .isEqualTo(
                        "io.github.ddbstreams.flink.format.ChangeEventSerializer"
                                + "$ChangeEventSerializerSnapshot");
        assertRestoresOurSerializer(snapshot);
    }

    @Test
    void committedSerializerSnapshotRestoresOurSerializer() throws IOException {
        assertRestoresOurSerializer(readSnapshot(SNAPSHOT_V1_TYPEUTILS));
        assertThat(serializeSnapshot()).isEqualTo(readResource(SNAPSHOT_V1_TYPEUTILS));
    }

    private static void assertRestoresOurSerializer(TypeSerializerSnapshot<ChangeEvent> snapshot) {
        assertThat(snapshot.restoreSerializer()).isSameAs(ChangeEventSerializer.INSTANCE);
        assertThat(
                        ChangeEventSerializer.INSTANCE
                                .snapshotConfiguration()
                                .resolveSchemaCompatibility(snapshot)
                                .isCompatibleAsIs())
                .isTrue();
    }

    private TypeSerializerSnapshot<ChangeEvent> readSnapshot(String resource) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(readResource(resource));
        TypeSerializerSnapshot<ChangeEvent> snapshot =
                TypeSerializerSnapshotSerializationUtil.readSerializerSnapshot(
                        in, getClass().getClassLoader());
        assertThat(in.available()).as("trailing bytes").isZero();
        return snapshot;
    }

    private static byte[] serializeSnapshot() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        TypeSerializerSnapshotSerializationUtil.writeSerializerSnapshot(
                out, ChangeEventSerializer.INSTANCE.snapshotConfiguration());
        return out.getCopyOfBuffer();
    }

    private static byte[] serialize(ChangeEvent event) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(1024);
        ChangeEventSerializer.INSTANCE.serialize(event, out);
        return out.getCopyOfBuffer();
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in =
                ChangeEventSerializerCompatibilityTest.class.getResourceAsStream(name)) {
            assertThat(in).as("resource " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Writes the committed file; run from the module directory, once per new format version. */
    public static void main(String[] args) throws IOException {
        Path file = Paths.get("src/test/resources" + V1);
        Files.createDirectories(file.getParent());
        Files.write(file, serialize(representativeEvent()));
        Path snapshot = Paths.get("src/test/resources" + SNAPSHOT_V1_TYPEUTILS);
        Files.write(snapshot, serializeSnapshot());
        System.out.println("Wrote " + file.toAbsolutePath() + " and " + snapshot.toAbsolutePath());
    }
}
