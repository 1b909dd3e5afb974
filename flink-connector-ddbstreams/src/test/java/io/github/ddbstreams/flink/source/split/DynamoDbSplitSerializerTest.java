package io.github.ddbstreams.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoDbSplitSerializerTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024-05-01T00:00:00.000";

    /**
     * The splits whose version 1 bytes are committed under {@code src/test/resources/split}, one
     * per position kind; between them they cover with/without parent and the finished marker.
     */
    static Map<String, ShardSplit> committedV1Splits() {
        Map<String, ShardSplit> splits = new TreeMap<>();
        splits.put(
                "v1-trim-horizon",
                new ShardSplit(
                        ARN,
                        "shardId-00000001714521600000-aaaa1111",
                        null,
                        ShardPosition.trimHorizon()));
        splits.put(
                "v1-after-sequence-number",
                new ShardSplit(
                        ARN,
                        "shardId-00000001714536000000-bbbb2222",
                        "shardId-00000001714521600000-aaaa1111",
                        ShardPosition.afterSequenceNumber("4200000000000000000001234567"),
                        true));
        splits.put(
                "v1-latest-iterator",
                new ShardSplit(
                        ARN,
                        "shardId-00000001714536000000-cccc3333",
                        "shardId-00000001714521600000-aaaa1111",
                        ShardPosition.latestIterator(
                                "arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024|1|AAAAAAAAAAE=",
                                1714567890123L)));
        splits.put(
                "v1-at-timestamp",
                new ShardSplit(
                        ARN,
                        "shardId-00000001714550400000-dddd4444",
                        null,
                        ShardPosition.atTimestamp(1714500000000L)));
        return splits;
    }

    /**
     * The splits whose version 2 bytes are committed: a shard, and a Scan segment unread, part read
     * (after a key of every key type) and read to its end.
     */
    static Map<String, DynamoDbSplit> committedV2Splits() {
        Map<String, DynamoDbSplit> splits = new TreeMap<>();
        splits.put(
                "v2-shard-after-sequence-number",
                committedV1Splits().get("v1-after-sequence-number"));
        splits.put("v2-scan-segment-unread", ScanSegmentSplit.unread(ARN, "Orders", 3, 16));
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("customer#42"));
        key.put("sk", AttributeValue.fromN("1714567890.5"));
        key.put("blob", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {0, 1, -1})));
        splits.put(
                "v2-scan-segment-progress",
                ScanSegmentSplit.unread(ARN, "Orders", 15, 16).after(key));
        splits.put(
                "v2-scan-segment-done", ScanSegmentSplit.unread(ARN, "Orders", 0, 16).after(null));
        return splits;
    }

    static Iterable<String> committedNames() {
        return committedV1Splits().keySet();
    }

    static Iterable<String> committedV2Names() {
        return committedV2Splits().keySet();
    }

    private final DynamoDbSplitSerializer serializer = new DynamoDbSplitSerializer();

    @ParameterizedTest
    @MethodSource({"committedNames", "committedV2Names"})
    void roundTripsEveryKindOfSplit(String name) throws IOException {
        DynamoDbSplit split =
                name.startsWith("v1")
                        ? committedV1Splits().get(name)
                        : committedV2Splits().get(name);

        DynamoDbSplit read =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(read).isEqualTo(split);
    }

    @ParameterizedTest
    @MethodSource("committedV2Names")
    void currentWriterProducesTheCommittedVersion2Bytes(String name) throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(2);
        assertThat(serializer.serialize(committedV2Splits().get(name)))
                .isEqualTo(readResource(name));
    }

    @ParameterizedTest
    @MethodSource("committedV2Names")
    void readsCommittedVersion2Bytes(String name) throws IOException {
        assertThat(serializer.deserialize(2, readResource(name)))
                .isEqualTo(committedV2Splits().get(name));
    }

    @Test
    void rejectsAnUnknownKindOfSplit() throws IOException {
        byte[] bytes = readResource("v2-scan-segment-unread");
        bytes[0] = 7;

        assertThatThrownBy(() -> serializer.deserialize(2, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("unknown kind 7");
    }

    @Test
    void committedFilesCoverEveryPositionKind() {
        assertThat(committedV1Splits().values().stream().map(s -> s.getPosition().getKind()))
                .containsExactlyInAnyOrder(ShardPosition.Kind.values());
    }

    @ParameterizedTest
    @MethodSource("committedNames")
    void version1WriterStillProducesTheCommittedVersion1Bytes(String name) throws IOException {
        assertThat(DynamoDbSplitSerializer.serializeV1(committedV1Splits().get(name)))
                .isEqualTo(readResource(name));
    }

    @ParameterizedTest
    @MethodSource("committedNames")
    void readsCommittedVersion1BytesFieldByField(String name) throws IOException {
        ShardSplit expected = committedV1Splits().get(name);

        ShardSplit read = (ShardSplit) serializer.deserialize(1, readResource(name));

        assertThat(read.getStreamArn()).isEqualTo(ARN);
        assertThat(read.getShardId()).isEqualTo(expected.getShardId());
        assertThat(read.getParentShardId()).isEqualTo(expected.getParentShardId());
        assertThat(read.getPosition().getKind()).isEqualTo(expected.getPosition().getKind());
        assertThat(read.getPosition().getValue()).isEqualTo(expected.getPosition().getValue());
        assertThat(read.getPosition().getTimestampMillis())
                .isEqualTo(expected.getPosition().getTimestampMillis());
        assertThat(read.isFinishedMarker()).isEqualTo(expected.isFinishedMarker());
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] bytes = readResource("v1-trim-horizon");
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
        byte[] v2 = readResource("v2-scan-segment-progress");
        byte[] longerV2 = Arrays.copyOf(v2, v2.length + 1);

        assertThatThrownBy(() -> serializer.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("2 unexpected trailing bytes")
                .hasMessageContaining("shardId-00000001714521600000-aaaa1111");
        assertThatThrownBy(() -> serializer.deserialize(2, longerV2))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 unexpected trailing bytes after version 2")
                .hasMessageContaining("#scan-15-of-16");
    }

    @Test
    void rejectsTruncatedBytes() throws IOException {
        byte[] bytes = readResource("v1-at-timestamp");
        byte[] v2 = readResource("v2-scan-segment-progress");

        assertThatThrownBy(() -> serializer.deserialize(1, Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IOException.class);
        assertThatThrownBy(() -> serializer.deserialize(2, Arrays.copyOf(v2, v2.length - 1)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void rejectsUnknownVersion() throws IOException {
        byte[] bytes = serializer.serialize(committedV1Splits().get("v1-trim-horizon"));

        assertThatThrownBy(() -> serializer.deserialize(3, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 3")
                .hasMessageContaining("up to 2");
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in =
                DynamoDbSplitSerializerTest.class.getResourceAsStream("/split/" + name + ".bin")) {
            assertThat(in).as("committed bytes " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /**
     * Writes the committed files of the current version; run from the module directory, once per
     * new version (older versions' files are never rewritten).
     */
    public static void main(String[] args) throws IOException {
        DynamoDbSplitSerializer serializer = new DynamoDbSplitSerializer();
        for (Map.Entry<String, DynamoDbSplit> entry : committedV2Splits().entrySet()) {
            Path file = Paths.get("src/test/resources/split/" + entry.getKey() + ".bin");
            Files.createDirectories(file.getParent());
            Files.write(file, serializer.serialize(entry.getValue()));
            System.out.println("Wrote " + file.toAbsolutePath());
        }
    }
}
