package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.enumerator.lineage.ShardIds;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardStatus;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardPositionCodec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes the enumerator's checkpoint. Each version keeps its own {@code deserializeVN} so
 * checkpoints of every released version stay readable; real bytes of each version are committed
 * under {@code src/test/resources/enum-state}.
 *
 * <p>Version 3 (current) adds the snapshots of tables (a parallel Scan each) after the version 2
 * layout:
 *
 * <pre>
 * (version 2 layout below)
 * int    snapshotCount
 * snapshotCount x {
 *   UTF  streamArn
 *   UTF  tableName
 *   int  totalSegments
 *   int  pendingCount
 *   pendingCount x ScanSegmentSplit (its own binary form)
 *   int  readCount
 *   readCount x int segment
 * }
 * </pre>
 *
 * <p>Version 2 holds several streams, each with the horizon up to which its shard graph forgot
 * finished shards:
 *
 * <pre>
 * int    streamCount
 * streamCount x {
 *   (version 1 layout below)
 *   long forgottenUpToMillis (-1: none forgotten)
 * }
 * </pre>
 *
 * <p>Version 1 held one stream and no horizon: it restores as a state of that one stream, with
 * nothing forgotten.
 *
 * <p>Version 1 layout, one stream. Shard ids are written once, in a string table, without their
 * common {@code shardId-} prefix; nodes and positions refer to them by index. The first {@code
 * nodeCount} entries are the nodes' own ids, in node order.
 *
 * <pre>
 * UTF    streamArn
 * int    stringCount
 * stringCount x { byte form (0: as is, 1: "shardId-" stripped), UTF rest }
 * int    nodeCount
 * nodeCount x {
 *   byte  flags: bits 0-1 status ordinal, bit 2 has parent, bit 3 parent trimmed,
 *                bit 4 creation time is the one encoded in the id (not written)
 *   [int  parent string index]
 *   int   owner subtask (-1 none)
 *   [long creation time millis]
 * }
 * int    positionCount
 * positionCount x { int shard string index, ShardPositionCodec }
 * long   jobStartMillis
 * bool   initialDiscoveryDone
 * </pre>
 */
@Internal
public final class DynamoDbStreamsSourceEnumStateSerializer
        implements SimpleVersionedSerializer<DynamoDbStreamsSourceEnumState> {

    public static final int CURRENT_VERSION = 3;

    private static final int STATUS_MASK = 0b11;
    private static final int HAS_PARENT = 1 << 2;
    private static final int PARENT_TRIMMED = 1 << 3;
    private static final int CREATION_FROM_ID = 1 << 4;
    private static final int KNOWN_FLAGS =
            STATUS_MASK | HAS_PARENT | PARENT_TRIMMED | CREATION_FROM_ID;

    private static final byte FORM_AS_IS = 0;
    private static final byte FORM_PREFIX_STRIPPED = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(DynamoDbStreamsSourceEnumState state) throws IOException {
        int shardCount = 0;
        for (StreamEnumState stream : state.getStreams()) {
            shardCount += stream.getShards().size();
        }
        // About 40 bytes per shard with DynamoDB's ids.
        DataOutputSerializer out = new DataOutputSerializer(256 + shardCount * 48);
        writeStreams(state, out);
        out.writeInt(state.getSnapshots().size());
        for (SnapshotEnumState snapshot : state.getSnapshots()) {
            out.writeUTF(snapshot.getStreamArn());
            out.writeUTF(snapshot.getTableName());
            out.writeInt(snapshot.getTotalSegments());
            out.writeInt(snapshot.getPending().size());
            for (ScanSegmentSplit split : snapshot.getPending()) {
                ScanSegmentSplit.write(split, out);
            }
            out.writeInt(snapshot.getReadSegments().size());
            for (int segment : snapshot.getReadSegments()) {
                out.writeInt(segment);
            }
        }
        return out.getCopyOfBuffer();
    }

    /**
     * The version 2 writer (streams, no snapshots), kept so tests can compare it with committed
     * version 2 bytes.
     */
    static byte[] serializeV2(DynamoDbStreamsSourceEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        writeStreams(state, out);
        return out.getCopyOfBuffer();
    }

    private static void writeStreams(DynamoDbStreamsSourceEnumState state, DataOutputSerializer out)
            throws IOException {
        out.writeInt(state.getStreams().size());
        for (StreamEnumState stream : state.getStreams()) {
            writeStream(stream, out);
            out.writeLong(stream.getForgottenUpToMillis());
        }
    }

    /**
     * The version 1 writer (one stream, no horizon), kept so tests can compare it with committed
     * version 1 bytes.
     */
    static byte[] serializeV1(StreamEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        writeStream(state, out);
        return out.getCopyOfBuffer();
    }

    /** One stream in the version 1 layout. */
    private static void writeStream(StreamEnumState state, DataOutputSerializer out)
            throws IOException {
        List<ShardNode> shards = state.getShards();
        Map<String, Integer> index = new HashMap<>(shards.size() * 2);
        List<String> strings = new ArrayList<>(shards.size());
        for (ShardNode node : shards) {
            if (index.putIfAbsent(node.getShardId(), strings.size()) != null) {
                throw new IOException("Shard " + node.getShardId() + " appears twice in the state");
            }
            strings.add(node.getShardId());
        }
        for (ShardNode node : shards) {
            intern(node.getParentShardId(), index, strings);
        }
        for (String shardId : state.getStartPositions().keySet()) {
            intern(shardId, index, strings);
        }

        out.writeUTF(state.getStreamArn());
        out.writeInt(strings.size());
        for (String s : strings) {
            if (s.startsWith(ShardIds.PREFIX)) {
                out.writeByte(FORM_PREFIX_STRIPPED);
                out.writeUTF(s.substring(ShardIds.PREFIX.length()));
            } else {
                out.writeByte(FORM_AS_IS);
                out.writeUTF(s);
            }
        }
        out.writeInt(shards.size());
        for (ShardNode node : shards) {
            boolean creationFromId =
                    node.getCreationTimeMillis()
                            == ShardIds.creationTimeFromShardId(node.getShardId());
            int flags = node.getStatus().ordinal();
            flags |= node.getParentShardId() != null ? HAS_PARENT : 0;
            flags |= node.isParentTrimmed() ? PARENT_TRIMMED : 0;
            flags |= creationFromId ? CREATION_FROM_ID : 0;
            out.writeByte(flags);
            if (node.getParentShardId() != null) {
                out.writeInt(index.get(node.getParentShardId()));
            }
            out.writeInt(node.getOwnerSubtask());
            if (!creationFromId) {
                out.writeLong(node.getCreationTimeMillis());
            }
        }
        out.writeInt(state.getStartPositions().size());
        for (Map.Entry<String, ShardPosition> e : state.getStartPositions().entrySet()) {
            out.writeInt(index.get(e.getKey()));
            ShardPositionCodec.write(e.getValue(), out);
        }
        out.writeLong(state.getJobStartMillis());
        out.writeBoolean(state.isInitialDiscoveryDone());
    }

    @Override
    public DynamoDbStreamsSourceEnumState deserialize(int version, byte[] serialized)
            throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        DynamoDbStreamsSourceEnumState state;
        switch (version) {
            case 1:
                state = deserializeV1(in);
                break;
            case 2:
                state = state(readStreams(in), List.of());
                break;
            case 3:
                state = deserializeV3(in);
                break;
            default:
                throw new IOException(
                        "Unknown version "
                                + version
                                + " of the DynamoDB Streams enumerator state; this connector reads"
                                + " versions 1 to "
                                + CURRENT_VERSION
                                + " (was the checkpoint written by a newer connector?)");
        }
        if (in.available() > 0) {
            throw new IOException(
                    in.available()
                            + " unexpected trailing bytes after the DynamoDB Streams enumerator"
                            + " state (version "
                            + version
                            + "): corrupt or mislabeled checkpoint data");
        }
        return state;
    }

    /** Version 1: one stream, which forgot nothing (version 1 never forgot shards). */
    private static DynamoDbStreamsSourceEnumState deserializeV1(DataInputDeserializer in)
            throws IOException {
        return new DynamoDbStreamsSourceEnumState(List.of(readStream(in, false)));
    }

    /** The streams of the version 2 layout. */
    private static List<StreamEnumState> readStreams(DataInputDeserializer in) throws IOException {
        int streamCount = checkCount(in.readInt(), "stream");
        List<StreamEnumState> streams = new ArrayList<>(streamCount);
        for (int i = 0; i < streamCount; i++) {
            streams.add(readStream(in, true));
        }
        return streams;
    }

    private static DynamoDbStreamsSourceEnumState deserializeV3(DataInputDeserializer in)
            throws IOException {
        List<StreamEnumState> streams = readStreams(in);
        int snapshotCount = checkCount(in.readInt(), "snapshot");
        List<SnapshotEnumState> snapshots = new ArrayList<>(snapshotCount);
        for (int i = 0; i < snapshotCount; i++) {
            String streamArn = in.readUTF();
            String tableName = in.readUTF();
            int totalSegments = in.readInt();
            int pendingCount = checkCount(in.readInt(), "pending segment");
            List<ScanSegmentSplit> pending = new ArrayList<>(pendingCount);
            for (int j = 0; j < pendingCount; j++) {
                pending.add(ScanSegmentSplit.read(in));
            }
            int readCount = checkCount(in.readInt(), "read segment");
            List<Integer> read = new ArrayList<>(readCount);
            for (int j = 0; j < readCount; j++) {
                read.add(in.readInt());
            }
            snapshots.add(
                    new SnapshotEnumState(streamArn, tableName, totalSegments, pending, read));
        }
        return state(streams, snapshots);
    }

    private static DynamoDbStreamsSourceEnumState state(
            List<StreamEnumState> streams, List<SnapshotEnumState> snapshots) throws IOException {
        try {
            return new DynamoDbStreamsSourceEnumState(streams, snapshots);
        } catch (IllegalArgumentException e) {
            throw new IOException("Corrupt enumerator state: " + e.getMessage(), e);
        }
    }

    /**
     * One stream in the version 1 layout.
     *
     * @param withHorizon the layout is followed by the stream's forgetting horizon (version 2)
     */
    private static StreamEnumState readStream(DataInputDeserializer in, boolean withHorizon)
            throws IOException {
        String streamArn = in.readUTF();
        String[] strings = new String[checkCount(in.readInt(), "string")];
        for (int i = 0; i < strings.length; i++) {
            byte form = in.readByte();
            String rest = in.readUTF();
            if (form == FORM_PREFIX_STRIPPED) {
                strings[i] = ShardIds.PREFIX + rest;
            } else if (form == FORM_AS_IS) {
                strings[i] = rest;
            } else {
                throw new IOException("Unknown shard id form " + form + " in enumerator state");
            }
        }
        int nodeCount = checkCount(in.readInt(), "shard");
        if (nodeCount > strings.length) {
            throw new IOException(nodeCount + " shards but only " + strings.length + " ids");
        }
        ShardStatus[] statuses = ShardStatus.values();
        List<ShardNode> shards = new ArrayList<>(nodeCount);
        for (int i = 0; i < nodeCount; i++) {
            int flags = in.readByte() & 0xff;
            int statusOrdinal = flags & STATUS_MASK;
            if ((flags & ~KNOWN_FLAGS) != 0 || statusOrdinal >= statuses.length) {
                throw new IOException("Invalid shard flags " + flags + " in enumerator state");
            }
            String parent = (flags & HAS_PARENT) != 0 ? lookup(strings, in.readInt()) : null;
            int owner = in.readInt();
            long creation =
                    (flags & CREATION_FROM_ID) != 0
                            ? ShardIds.creationTimeFromShardId(strings[i])
                            : in.readLong();
            shards.add(
                    new ShardNode(
                            strings[i],
                            parent,
                            statuses[statusOrdinal],
                            owner,
                            creation,
                            (flags & PARENT_TRIMMED) != 0));
        }
        int positionCount = checkCount(in.readInt(), "start position");
        Map<String, ShardPosition> positions = new LinkedHashMap<>();
        for (int i = 0; i < positionCount; i++) {
            String shardId = lookup(strings, in.readInt());
            positions.put(shardId, ShardPositionCodec.read(in));
        }
        long jobStartMillis = in.readLong();
        boolean initialDiscoveryDone = in.readBoolean();
        long horizon = withHorizon ? in.readLong() : -1;
        return new StreamEnumState(
                streamArn, shards, positions, jobStartMillis, initialDiscoveryDone, horizon);
    }

    private static void intern(String s, Map<String, Integer> index, List<String> strings) {
        if (s != null && index.putIfAbsent(s, strings.size()) == null) {
            strings.add(s);
        }
    }

    private static String lookup(String[] strings, int i) throws IOException {
        if (i < 0 || i >= strings.length) {
            throw new IOException("Shard id index " + i + " out of range in enumerator state");
        }
        return strings[i];
    }

    private static int checkCount(int count, String what) throws IOException {
        if (count < 0) {
            throw new IOException("Negative " + what + " count " + count + " in enumerator state");
        }
        return count;
    }
}
