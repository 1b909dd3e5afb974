package io.github.ddbstreams.flink.source.enumerator;

import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.BASE_MILLIS;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.RETENTION;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.id;
import static io.github.ddbstreams.flink.source.enumerator.lineage.ShardLineages.lineages;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class DynamoDbStreamsSourceEnumStateSerializerTest {

    private static final String V1_RESOURCE = "/enum-state/v1.bin";
    private static final String V2_RESOURCE = "/enum-state/v2.bin";
    private static final String V3_RESOURCE = "/enum-state/v3.bin";

    private static final String ROOT = "shardId-00000001700000000000-1a2b3c4d";
    private static final String CHILD = "shardId-00000001700014400000-2b3c4d5e";
    private static final String LEFT = "shardId-00000001700028800000-3c4d5e6f";
    private static final String RIGHT = "shardId-00000001700028800001-4d5e6f70";
    private static final String ORPHAN = "shardId-00000001700030000000-5e6f7081";
    private static final String TRIMMED_PARENT = "shardId-00000001699900000000-00000000";
    private static final String LATE_CHILD = "shardId-00000001700031000000-6f708192";
    private static final String UNLISTED_PARENT = "shardId-00000001700030500000-708192a3";
    private static final String LEGACY = "legacy-shard";

    private final DynamoDbStreamsSourceEnumStateSerializer serializer =
            new DynamoDbStreamsSourceEnumStateSerializer();

    private static final String STREAM_ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
    private static final String SECOND_ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/customers/stream/2026-02-01T00:00:00.000";

    /** The first stream's forgetting horizon in v2.bin: {@link #TRIMMED_PARENT} was forgotten. */
    private static final long FORGOTTEN_UP_TO = 1_699_900_000_000L;

    /**
     * Two streams: {@link #representativeStream()} with a forgetting horizon, and a second one
     * whose first listing is not applied yet (so it forgot nothing) and whose shard ids are those
     * of the first (ids are unique only per stream). Never change: v2.bin.
     */
    static DynamoDbStreamsSourceEnumState representativeState() {
        StreamEnumState v1 = representativeStream();
        StreamEnumState first =
                new StreamEnumState(
                        v1.getStreamArn(),
                        v1.getShards(),
                        v1.getStartPositions(),
                        v1.getJobStartMillis(),
                        v1.isInitialDiscoveryDone(),
                        FORGOTTEN_UP_TO);
        StreamEnumState second =
                new StreamEnumState(
                        SECOND_ARN,
                        List.of(
                                new ShardNode(
                                        ROOT,
                                        null,
                                        ShardStatus.ASSIGNED,
                                        2,
                                        1_700_000_000_000L,
                                        false),
                                new ShardNode(
                                        CHILD,
                                        ROOT,
                                        ShardStatus.UNASSIGNED,
                                        2,
                                        1_700_014_400_000L,
                                        false)),
                        Map.of(CHILD, ShardPosition.afterSequenceNumber("5100000000000000000009")),
                        1_700_000_900_000L,
                        false);
        return new DynamoDbStreamsSourceEnumState(List.of(first, second));
    }

    /**
     * {@link #representativeState()} with two snapshots: of the first stream's table, segments
     * pending unread and part read (after a key of every attribute type a key can have) and
     * segments read; of the second, all pending. Never change: v3.bin.
     */
    static DynamoDbStreamsSourceEnumState representativeV3State() {
        DynamoDbStreamsSourceEnumState v2 = representativeState();
        Map<String, AttributeValue> key = new LinkedHashMap<>();
        key.put("pk", AttributeValue.fromS("order#17"));
        key.put("sk", AttributeValue.fromN("42"));
        Map<String, AttributeValue> binaryKey =
                Map.of("pk", AttributeValue.fromB(SdkBytes.fromByteArray(new byte[] {1, 2, 3})));
        SnapshotEnumState orders =
                new SnapshotEnumState(
                        STREAM_ARN,
                        "orders",
                        8,
                        List.of(
                                ScanSegmentSplit.unread(STREAM_ARN, "orders", 1, 8),
                                ScanSegmentSplit.unread(STREAM_ARN, "orders", 4, 8).after(key),
                                ScanSegmentSplit.unread(STREAM_ARN, "orders", 6, 8)
                                        .after(binaryKey)),
                        List.of(0, 5, 7));
        SnapshotEnumState customers =
                new SnapshotEnumState(
                        SECOND_ARN,
                        "customers",
                        2,
                        List.of(
                                ScanSegmentSplit.unread(SECOND_ARN, "customers", 0, 2),
                                ScanSegmentSplit.unread(SECOND_ARN, "customers", 1, 2)),
                        List.of());
        return new DynamoDbStreamsSourceEnumState(v2.getStreams(), List.of(orders, customers));
    }

    /**
     * Every kind of node and position the enumerator can checkpoint; no horizon, which version 1
     * cannot hold. Never change: v1.bin.
     */
    static StreamEnumState representativeStream() {
        List<ShardNode> shards =
                List.of(
                        new ShardNode(
                                ROOT, null, ShardStatus.FINISHED, 0, 1_700_000_000_000L, false),
                        new ShardNode(
                                CHILD, ROOT, ShardStatus.ASSIGNED, 1, 1_700_014_400_000L, false),
                        new ShardNode(
                                LEFT, CHILD, ShardStatus.UNASSIGNED, 1, 1_700_028_800_000L, false),
                        // A creation time that differs from the id's: written out in full.
                        new ShardNode(
                                RIGHT,
                                CHILD,
                                ShardStatus.UNASSIGNED,
                                -1,
                                1_700_028_800_123L,
                                false),
                        new ShardNode(
                                ORPHAN,
                                TRIMMED_PARENT,
                                ShardStatus.UNASSIGNED,
                                -1,
                                1_700_030_000_000L,
                                true),
                        new ShardNode(
                                LATE_CHILD,
                                UNLISTED_PARENT,
                                ShardStatus.UNASSIGNED,
                                -1,
                                1_700_031_000_000L,
                                false),
                        new ShardNode(LEGACY, null, ShardStatus.FINISHED, 3, -1, false));
        Map<String, ShardPosition> positions = new LinkedHashMap<>();
        positions.put(LEFT, ShardPosition.afterSequenceNumber("4100000000000000000001"));
        positions.put(
                RIGHT,
                ShardPosition.latestIterator(
                        "arn:aws:dynamodb:iterator|1|AAAA", 1_700_000_500_000L));
        positions.put(ORPHAN, ShardPosition.atTimestamp(1_700_000_600_000L));
        positions.put(LATE_CHILD, ShardPosition.trimHorizon());
        return new StreamEnumState(STREAM_ARN, shards, positions, 1_700_000_500_000L, true);
    }

    @Test
    void version1WriterStillWritesTheCommittedVersion1Bytes() throws IOException {
        assertThat(DynamoDbStreamsSourceEnumStateSerializer.serializeV1(representativeStream()))
                .isEqualTo(readBytes(V1_RESOURCE));
    }

    @Test
    void version2WriterStillWritesTheCommittedVersion2Bytes() throws IOException {
        assertThat(DynamoDbStreamsSourceEnumStateSerializer.serializeV2(representativeState()))
                .isEqualTo(readBytes(V2_RESOURCE));
    }

    @Test
    void writesTheCommittedVersion3Bytes() throws IOException {
        assertThat(serializer.getVersion()).isEqualTo(3);
        assertThat(serializer.serialize(representativeV3State())).isEqualTo(readBytes(V3_RESOURCE));
    }

    @Test
    void readsTheCommittedVersion3BytesWithTheirSnapshots() throws IOException {
        DynamoDbStreamsSourceEnumState state = serializer.deserialize(3, readBytes(V3_RESOURCE));

        assertThat(state).isEqualTo(representativeV3State());
        SnapshotEnumState orders = state.getSnapshots().get(0);
        assertThat(orders.getTableName()).isEqualTo("orders");
        assertThat(orders.getReadSegments()).containsExactly(0, 5, 7);
        assertThat(orders.getPending().get(1).getExclusiveStartKey())
                .containsEntry("pk", AttributeValue.fromS("order#17"))
                .containsEntry("sk", AttributeValue.fromN("42"));
        assertThat(state.getStreams()).isEqualTo(representativeState().getStreams());
    }

    @Test
    void versionTwoBytesRestoreWithoutSnapshots() throws IOException {
        assertThat(serializer.deserialize(2, readBytes(V2_RESOURCE)).getSnapshots()).isEmpty();
    }

    @Test
    void readsTheCommittedVersion1BytesAsOneStream() throws IOException {
        DynamoDbStreamsSourceEnumState state = serializer.deserialize(1, readBytes(V1_RESOURCE));

        assertThat(state.getStreams()).hasSize(1);
        assertIsTheRepresentativeStream(state.getStreams().get(0));
        assertThat(state.getStreams().get(0).getForgottenUpToMillis())
                .as("version 1 never forgot shards")
                .isEqualTo(-1);
        assertThat(state.getStreams()).containsExactly(representativeStream());
    }

    @Test
    void readsTheCommittedVersion2Bytes() throws IOException {
        DynamoDbStreamsSourceEnumState state = serializer.deserialize(2, readBytes(V2_RESOURCE));

        assertThat(state.getStreams())
                .extracting(StreamEnumState::getStreamArn)
                .containsExactly(STREAM_ARN, SECOND_ARN);
        StreamEnumState first = state.getStreams().get(0);
        assertIsTheRepresentativeStream(first);
        assertThat(first.getForgottenUpToMillis()).isEqualTo(FORGOTTEN_UP_TO);
        StreamEnumState second = state.getStreams().get(1);
        assertThat(second.getForgottenUpToMillis()).as("nothing forgotten").isEqualTo(-1);
        assertThat(second.getJobStartMillis()).isEqualTo(1_700_000_900_000L);
        assertThat(second.isInitialDiscoveryDone()).isFalse();
        assertThat(second.getShards())
                .extracting(
                        ShardNode::getShardId,
                        ShardNode::getParentShardId,
                        ShardNode::getStatus,
                        ShardNode::getOwnerSubtask,
                        ShardNode::getCreationTimeMillis,
                        ShardNode::isParentTrimmed)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(
                                ROOT, null, ShardStatus.ASSIGNED, 2, 1_700_000_000_000L, false),
                        org.assertj.core.groups.Tuple.tuple(
                                CHILD, ROOT, ShardStatus.UNASSIGNED, 2, 1_700_014_400_000L, false));
        assertThat(second.getStartPositions())
                .containsExactly(
                        Map.entry(
                                CHILD,
                                ShardPosition.afterSequenceNumber("5100000000000000000009")));
        assertThat(state.stream(SECOND_ARN)).contains(second);
        assertThat(state).isEqualTo(representativeState());
    }

    @Test
    void restoredGraphOfVersion2BytesIgnoresItsForgottenShards() throws IOException {
        StreamEnumState first =
                serializer.deserialize(2, readBytes(V2_RESOURCE)).stream(STREAM_ARN).orElseThrow();
        ShardGraph graph =
                ShardGraph.restore(first.getShards(), first.getForgottenUpToMillis(), RETENTION);

        assertThat(graph.wasForgotten(TRIMMED_PARENT)).isTrue();
        assertThat(
                        graph.addShards(
                                List.of(DiscoveredShard.of(TRIMMED_PARENT, null, true)), false, 0))
                .as("a forgotten shard listed again is not new")
                .isEmpty();
        assertThat(graph.readyShards()).containsExactly(ORPHAN);
    }

    private static void assertIsTheRepresentativeStream(StreamEnumState state) {
        assertThat(state.getStreamArn()).isEqualTo(STREAM_ARN);
        assertThat(state.getJobStartMillis()).isEqualTo(1_700_000_500_000L);
        assertThat(state.isInitialDiscoveryDone()).isTrue();
        assertThat(state.getShards())
                .extracting(ShardNode::getShardId)
                .containsExactly(ROOT, CHILD, LEFT, RIGHT, ORPHAN, LATE_CHILD, LEGACY);
        assertThat(state.getShards())
                .extracting(ShardNode::getParentShardId)
                .containsExactly(null, ROOT, CHILD, CHILD, TRIMMED_PARENT, UNLISTED_PARENT, null);
        assertThat(state.getShards())
                .extracting(ShardNode::getStatus)
                .containsExactly(
                        ShardStatus.FINISHED,
                        ShardStatus.ASSIGNED,
                        ShardStatus.UNASSIGNED,
                        ShardStatus.UNASSIGNED,
                        ShardStatus.UNASSIGNED,
                        ShardStatus.UNASSIGNED,
                        ShardStatus.FINISHED);
        assertThat(state.getShards())
                .extracting(ShardNode::getOwnerSubtask)
                .containsExactly(0, 1, 1, -1, -1, -1, 3);
        assertThat(state.getShards())
                .extracting(ShardNode::getCreationTimeMillis)
                .containsExactly(
                        1_700_000_000_000L,
                        1_700_014_400_000L,
                        1_700_028_800_000L,
                        1_700_028_800_123L,
                        1_700_030_000_000L,
                        1_700_031_000_000L,
                        -1L);
        assertThat(state.getShards())
                .extracting(ShardNode::isParentTrimmed)
                .containsExactly(false, false, false, false, true, false, false);
        assertThat(state.getStartPositions().keySet())
                .containsExactly(LEFT, RIGHT, ORPHAN, LATE_CHILD);
        assertThat(state.getStartPositions().get(LEFT))
                .isEqualTo(ShardPosition.afterSequenceNumber("4100000000000000000001"));
        assertThat(state.getStartPositions().get(RIGHT))
                .isEqualTo(
                        ShardPosition.latestIterator(
                                "arn:aws:dynamodb:iterator|1|AAAA", 1_700_000_500_000L));
        assertThat(state.getStartPositions().get(ORPHAN))
                .isEqualTo(ShardPosition.atTimestamp(1_700_000_600_000L));
        assertThat(state.getStartPositions().get(LATE_CHILD))
                .isEqualTo(ShardPosition.trimHorizon());
    }

    @Test
    void restoredGraphOfVersion1BytesKeepsParentsFirst() throws IOException {
        ShardGraph graph =
                ShardGraph.restore(
                        serializer
                                .deserialize(1, readBytes(V1_RESOURCE))
                                .getStreams()
                                .get(0)
                                .getShards(),
                        RETENTION);
        assertThat(graph.readyShards()).containsExactly(ORPHAN);
        graph.markFinished(CHILD, 1);
        assertThat(graph.readyShards()).containsExactly(LEFT, RIGHT, ORPHAN);
        assertThat(graph.preferredSubtask(RIGHT)).isEqualTo(1);
    }

    @Test
    void roundTripsAGraphOfThousandsOfShards() throws IOException {
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(lineages(100, 20), true, BASE_MILLIS);
        List<String> ready = graph.readyShards();
        for (int i = 0; i < ready.size(); i++) {
            graph.markAssigned(ready.get(i), i % 4);
            if (i % 3 == 0) {
                graph.markFinished(ready.get(i), i % 4);
            }
        }
        DynamoDbStreamsSourceEnumState state =
                new DynamoDbStreamsSourceEnumState(
                        STREAM_ARN,
                        graph.snapshot(),
                        Map.of(id(BASE_MILLIS, 3), ShardPosition.trimHorizon()),
                        BASE_MILLIS,
                        false,
                        BASE_MILLIS - RETENTION);

        DynamoDbStreamsSourceEnumState copy =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(copy).isEqualTo(state);
        assertThat(copy.getStreams().get(0).getShards()).hasSize(graph.size());
    }

    @Test
    void hundredThousandShardsStayFarBelowTwentyMegabytes() throws IOException {
        Runtime runtime = Runtime.getRuntime();
        long heapBefore = usedHeapAfterGc(runtime);
        ShardGraph graph = new ShardGraph(RETENTION);
        graph.addShards(lineages(1_700, 20), true, BASE_MILLIS);
        long heapAfter = usedHeapAfterGc(runtime);
        assertThat(graph.size()).isGreaterThan(100_000);

        byte[] bytes = null;
        // A few rounds: the first one also measures class loading and the JIT warming up.
        for (int round = 1; round <= 3; round++) {
            long start = System.nanoTime();
            List<ShardNode> snapshot = graph.snapshot();
            long snapshotDone = System.nanoTime();
            bytes =
                    serializer.serialize(
                            new DynamoDbStreamsSourceEnumState(
                                    STREAM_ARN, snapshot, Map.of(), 0, true, BASE_MILLIS));
            long serializeDone = System.nanoTime();
            System.out.printf(
                    "%d shards, round %d: %d bytes (%.1f per shard), snapshot %d ms + serialize"
                            + " %d ms%n",
                    graph.size(),
                    round,
                    bytes.length,
                    bytes.length / (double) graph.size(),
                    (snapshotDone - start) / 1_000_000,
                    (serializeDone - snapshotDone) / 1_000_000);
        }
        // Rough (GC-based) heap footprint of the live graph: ids, nodes, map entries.
        System.out.printf(
                "%d shards: about %d bytes of heap per shard in the graph%n",
                graph.size(), (heapAfter - heapBefore) / graph.size());
        assertThat(bytes.length).isLessThan(20_000_000);
        // Each id is about 38 characters: prefix stripping and the string table keep it ~40 B.
        assertThat(bytes.length / graph.size()).isLessThan(45);
    }

    private static long usedHeapAfterGc(Runtime runtime) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void rejectsTrailingBytes() throws IOException {
        byte[] bytes = serializer.serialize(representativeState());
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 3);

        assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion(), longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("3 unexpected trailing bytes");
    }

    @Test
    void rejectsUnknownVersions() throws IOException {
        byte[] bytes = serializer.serialize(representativeState());
        assertThatThrownBy(() -> serializer.deserialize(4, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 4");
        assertThatThrownBy(() -> serializer.deserialize(0, bytes))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown version 0");
    }

    @Test
    void rejectsTruncatedBytes() throws IOException {
        byte[] bytes = serializer.serialize(representativeState());
        byte[] shorter = Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion(), shorter))
                .isInstanceOf(IOException.class);
    }

    @Test
    void rejectsAStreamThatAppearsTwice() throws IOException {
        byte[] one = DynamoDbStreamsSourceEnumStateSerializer.serializeV1(representativeStream());
        // Each stream: the version 1 layout, then its horizon.
        java.nio.ByteBuffer twice = java.nio.ByteBuffer.allocate(4 + 2 * (one.length + 8));
        twice.putInt(2).put(one).putLong(-1).put(one).putLong(-1);
        assertThatThrownBy(() -> serializer.deserialize(2, twice.array()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(STREAM_ARN)
                .hasMessageContaining("twice");
    }

    private static byte[] readBytes(String resource) throws IOException {
        try (InputStream in =
                DynamoDbStreamsSourceEnumStateSerializerTest.class.getResourceAsStream(resource)) {
            assertThat(in).as("committed resource %s", resource).isNotNull();
            return in.readAllBytes();
        }
    }

    /**
     * Writes {@code src/test/resources/enum-state/v3.bin} from {@link #representativeV3State()}.
     * Run once when version 3 was introduced; never again, or the test would compare against
     * itself. (v1.bin and v2.bin were written the same way from {@link #representativeStream()} and
     * {@link #representativeState()} by the serializers of their versions.)
     */
    public static void main(String[] args) throws IOException {
        Path target =
                Paths.get(
                        args.length > 0
                                ? args[0]
                                : "flink-connector-ddbstreams/src/test/resources/enum-state/v3.bin");
        Files.createDirectories(target.getParent());
        Files.write(
                target,
                new DynamoDbStreamsSourceEnumStateSerializer().serialize(representativeV3State()));
        System.out.println("Wrote " + target.toAbsolutePath());
    }
}
