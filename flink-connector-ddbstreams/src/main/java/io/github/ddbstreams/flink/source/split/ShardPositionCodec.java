package io.github.ddbstreams.flink.source.split;

import java.io.IOException;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes and reads a {@link ShardPosition}; shared by the split and enumerator state serializers so
 * both encode positions identically. Layout: kind ordinal (byte), has-value (boolean), value (UTF,
 * if present), timestamp (long).
 */
@Internal
public final class ShardPositionCodec {
    private ShardPositionCodec() {}

    public static void write(ShardPosition position, DataOutputView out) throws IOException {
        out.writeByte(position.getKind().ordinal());
        String value = position.getValue();
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
        out.writeLong(position.getTimestampMillis());
    }

    public static ShardPosition read(DataInputView in) throws IOException {
        int ordinal = in.readByte();
        ShardPosition.Kind[] kinds = ShardPosition.Kind.values();
        if (ordinal < 0 || ordinal >= kinds.length) {
            throw new IOException("Unknown shard position kind " + ordinal + " in checkpoint data");
        }
        String value = in.readBoolean() ? in.readUTF() : null;
        long timestamp = in.readLong();
        return ShardPosition.of(kinds[ordinal], value, timestamp);
    }
}
