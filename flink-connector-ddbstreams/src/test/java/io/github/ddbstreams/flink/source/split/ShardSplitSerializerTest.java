package io.github.ddbstreams.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ShardSplitSerializerTest {

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

    static Iterable<String> committedNames() {
        return committedV1Splits().keySet();
    }

    private final ShardSplitSerializer serializer = new ShardSplitSerializer();

    @ParameterizedTest
    @MethodSource("committedNames")
    void roundTripsEveryPositionKind(String name) throws IOException {
        ShardSplit split = committedV1Splits().get(name);

        ShardSplit read =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(read).isEqualTo(split);
    }

    @Test
    void committedFilesCoverEveryPositionKind() {
        assertThat(committedV1Splits().values().stream().map(s -> s.getPosition().getKind()))
                .containsExactlyInAnyOrder(ShardPosition.Kind.values());
    }

    @ParameterizedTest
    @MethodSource("committedNames")
    void currentWriterProducesTheCommittedVersion1Bytes(String name) throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(1);
        assertThat(serializer.serialize(committedV1Splits().get(name)))
                .isEqualTo(readResource(name));
    }

    @ParameterizedTest
    @MethodSource("committedNames")
    void readsCommittedVersion1BytesFieldByField(String name) throws IOException {
        ShardSplit expected = committedV1Splits().get(name);

        ShardSplit read = serializer.deserialize(1, readResource(name));

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
        byte[] bytes = serializer.serialize(committedV1Splits().get("v1-trim-horizon"));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

        assertThatThrownBy(() -> serializer.deserialize(1, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("2 unexpected trailing bytes")
                .hasMessageContaining("shardId-00000001714521600000-aaaa1111");
    }

    @Test
    void rejectsTruncatedBytes() throws IOException {
        byte[] bytes = serializer.serialize(committedV1Splits().get("v1-at-timestamp"));

        assertThatThrownBy(() -> serializer.deserialize(1, Arrays.copyOf(bytes, bytes.length - 1)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void rejectsUnknownVersion() throws IOException {
        byte[] bytes = serializer.serialize(committedV1Splits().get("v1-trim-horizon"));

        assertThatThrownBy(() -> serializer.deserialize(2, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("version 2")
                .hasMessageContaining("up to 1");
    }

    private static byte[] readResource(String name) throws IOException {
        try (InputStream in =
                ShardSplitSerializerTest.class.getResourceAsStream("/split/" + name + ".bin")) {
            assertThat(in).as("committed bytes " + name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Writes the committed files; run from the module directory, once per new version. */
    public static void main(String[] args) throws IOException {
        ShardSplitSerializer serializer = new ShardSplitSerializer();
        for (Map.Entry<String, ShardSplit> entry : committedV1Splits().entrySet()) {
            Path file = Paths.get("src/test/resources/split/" + entry.getKey() + ".bin");
            Files.createDirectories(file.getParent());
            Files.write(file, serializer.serialize(entry.getValue()));
            System.out.println("Wrote " + file.toAbsolutePath());
        }
    }
}
