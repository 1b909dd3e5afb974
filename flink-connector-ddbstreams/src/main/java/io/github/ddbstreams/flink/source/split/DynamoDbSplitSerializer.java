package io.github.ddbstreams.flink.source.split;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes {@link DynamoDbSplit}s into reader checkpoints.
 *
 * <p>Version 2 (current): one kind byte (0: a shard, 1: a Scan segment), then the kind's layout: a
 * shard as in version 1, a segment as {@link ScanSegmentSplit#write}.
 *
 * <p>Version 1 held only shards: stream ARN (UTF), shard id (UTF), has-parent (boolean) and parent
 * shard id (UTF, if present), the position via {@link ShardPositionCodec}, finished-marker
 * (boolean).
 *
 * <p>Each version keeps its own {@code deserializeVN}, so that a new version is added beside the
 * old ones, whose bytes stay committed as test resources; trailing bytes are an error.
 */
@Internal
public final class DynamoDbSplitSerializer implements SimpleVersionedSerializer<DynamoDbSplit> {

    public static final int CURRENT_VERSION = 2;

    private static final byte KIND_SHARD = 0;
    private static final byte KIND_SCAN_SEGMENT = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(DynamoDbSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        if (split instanceof ShardSplit shard) {
            out.writeByte(KIND_SHARD);
            writeShard(shard, out);
        } else {
            out.writeByte(KIND_SCAN_SEGMENT);
            ScanSegmentSplit.write((ScanSegmentSplit) split, out);
        }
        return out.getCopyOfBuffer();
    }

    /** The version 1 writer (shards only), kept so tests compare it with committed bytes. */
    static byte[] serializeV1(ShardSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        writeShard(split, out);
        return out.getCopyOfBuffer();
    }

    private static void writeShard(ShardSplit split, DataOutputSerializer out) throws IOException {
        out.writeUTF(split.getStreamArn());
        out.writeUTF(split.getShardId());
        String parent = split.getParentShardId();
        out.writeBoolean(parent != null);
        if (parent != null) {
            out.writeUTF(parent);
        }
        ShardPositionCodec.write(split.getPosition(), out);
        out.writeBoolean(split.isFinishedMarker());
    }

    @Override
    public DynamoDbSplit deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case 1:
                return deserializeV1(serialized);
            case 2:
                return deserializeV2(serialized);
            default:
                throw new IOException(
                        "Unknown split serialization version "
                                + version
                                + ": this connector reads versions up to "
                                + CURRENT_VERSION
                                + "; was the checkpoint written by a newer connector?");
        }
    }

    static ShardSplit deserializeV1(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        ShardSplit split = readShard(in);
        checkFullyRead(in, split.splitId(), 1);
        return split;
    }

    static DynamoDbSplit deserializeV2(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        byte kind = in.readByte();
        DynamoDbSplit split;
        switch (kind) {
            case KIND_SHARD:
                split = readShard(in);
                break;
            case KIND_SCAN_SEGMENT:
                split = ScanSegmentSplit.read(in);
                break;
            default:
                throw new IOException(
                        "Corrupt split: unknown kind "
                                + kind
                                + " (0: shard, 1: Scan segment) in version 2 data");
        }
        checkFullyRead(in, split.splitId(), 2);
        return split;
    }

    private static ShardSplit readShard(DataInputDeserializer in) throws IOException {
        String streamArn = in.readUTF();
        String shardId = in.readUTF();
        String parent = in.readBoolean() ? in.readUTF() : null;
        ShardPosition position = ShardPositionCodec.read(in);
        boolean finishedMarker = in.readBoolean();
        return new ShardSplit(streamArn, shardId, parent, position, finishedMarker);
    }

    private static void checkFullyRead(DataInputDeserializer in, String splitId, int version)
            throws IOException {
        if (in.available() > 0) {
            throw new IOException(
                    "Corrupt split "
                            + splitId
                            + ": "
                            + in.available()
                            + " unexpected trailing bytes after version "
                            + version
                            + " data");
        }
    }
}
