package io.github.ddbstreams.flink.source.split;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * Serializes {@link ShardSplit}s into reader checkpoints.
 *
 * <p>Version 1: stream ARN (UTF), shard id (UTF), has-parent (boolean) and parent shard id (UTF, if
 * present), the position via {@link ShardPositionCodec}, finished-marker (boolean). Each version
 * keeps its own {@code deserializeVN} so that a new version is added beside the old ones, whose
 * bytes stay committed as test resources.
 */
@Internal
public final class ShardSplitSerializer implements SimpleVersionedSerializer<ShardSplit> {

    public static final int CURRENT_VERSION = 1;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(ShardSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(128);
        out.writeUTF(split.getStreamArn());
        out.writeUTF(split.getShardId());
        String parent = split.getParentShardId();
        out.writeBoolean(parent != null);
        if (parent != null) {
            out.writeUTF(parent);
        }
        ShardPositionCodec.write(split.getPosition(), out);
        out.writeBoolean(split.isFinishedMarker());
        return out.getCopyOfBuffer();
    }

    @Override
    public ShardSplit deserialize(int version, byte[] serialized) throws IOException {
        switch (version) {
            case 1:
                return deserializeV1(serialized);
            default:
                throw new IOException(
                        "Unknown shard split serialization version "
                                + version
                                + ": this connector reads versions up to "
                                + CURRENT_VERSION
                                + "; was the checkpoint written by a newer connector?");
        }
    }

    static ShardSplit deserializeV1(byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        String streamArn = in.readUTF();
        String shardId = in.readUTF();
        String parent = in.readBoolean() ? in.readUTF() : null;
        ShardPosition position = ShardPositionCodec.read(in);
        boolean finishedMarker = in.readBoolean();
        if (in.available() > 0) {
            throw new IOException(
                    "Corrupt shard split of shard "
                            + shardId
                            + ": "
                            + in.available()
                            + " unexpected trailing bytes after version 1 data");
        }
        return new ShardSplit(streamArn, shardId, parent, position, finishedMarker);
    }
}
