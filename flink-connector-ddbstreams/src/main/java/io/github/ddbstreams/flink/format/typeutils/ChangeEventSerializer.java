package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.AttributeValueCodec;
import io.github.ddbstreams.flink.format.ChangeEvent;
import java.io.IOException;
import java.time.Instant;
import java.util.Collections;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * Flink serializer of {@link ChangeEvent}s: stateless, so one shared {@link #INSTANCE}.
 *
 * <p>Layout (format 1): stream ARN, shard id, sequence number (Flink string encoding); a flags byte
 * (TTL delete, has event id, has creation time); the event id if present; the event name ordinal
 * (byte); the creation time as epoch seconds (long) and nanoseconds (int) if present; size in bytes
 * (long); then keys, old image and new image via {@link AttributeValueCodec}. The layout is in
 * savepoints: changing it requires a snapshot that can still restore format 1 bytes (the current
 * {@link SimpleTypeSerializerSnapshot}-based one would then be replaced by a snapshot class of the
 * same name with its own version).
 */
@Internal
public final class ChangeEventSerializer extends TypeSerializerSingleton<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** The only instance needed: the serializer has no state. */
    public static final ChangeEventSerializer INSTANCE = new ChangeEventSerializer();

    private static final int FLAG_TTL_DELETE = 1;
    private static final int FLAG_EVENT_ID = 1 << 1;
    private static final int FLAG_CREATION_TIME = 1 << 2;
    private static final int KNOWN_FLAGS = FLAG_TTL_DELETE | FLAG_EVENT_ID | FLAG_CREATION_TIME;

    private static final ChangeEvent.EventName[] EVENT_NAMES = ChangeEvent.EventName.values();

    /**
     * What {@link #createInstance()} returns; Flink only uses it as a reuse placeholder, which an
     * immutable type ignores.
     */
    private static final ChangeEvent PLACEHOLDER =
            ChangeEvent.builder()
                    .streamArn("")
                    .shardId("")
                    .sequenceNumber("")
                    .eventName(ChangeEvent.EventName.INSERT)
                    .keys(Collections.emptyMap())
                    .build();

    private ChangeEventSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public ChangeEvent createInstance() {
        return PLACEHOLDER;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return from;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent event, DataOutputView out) throws IOException {
        StringValue.writeString(event.getStreamArn(), out);
        StringValue.writeString(event.getShardId(), out);
        StringValue.writeString(event.getSequenceNumber(), out);
        String eventId = event.getEventId();
        Instant created = event.getApproximateCreationTime();
        int flags =
                (event.isTtlDelete() ? FLAG_TTL_DELETE : 0)
                        | (eventId != null ? FLAG_EVENT_ID : 0)
                        | (created != null ? FLAG_CREATION_TIME : 0);
        out.writeByte(flags);
        if (eventId != null) {
            StringValue.writeString(eventId, out);
        }
        out.writeByte(event.getEventName().ordinal());
        if (created != null) {
            out.writeLong(created.getEpochSecond());
            out.writeInt(created.getNano());
        }
        out.writeLong(event.getSizeBytes());
        AttributeValueCodec.writeMap(event.getKeys(), out);
        AttributeValueCodec.writeMap(event.getOldImage(), out);
        AttributeValueCodec.writeMap(event.getNewImage(), out);
    }

    @Override
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        ChangeEvent.Builder event =
                ChangeEvent.builder()
                        .streamArn(StringValue.readString(in))
                        .shardId(StringValue.readString(in))
                        .sequenceNumber(StringValue.readString(in));
        int flags = in.readUnsignedByte();
        if ((flags & ~KNOWN_FLAGS) != 0) {
            throw new IOException("Unknown change event flags " + flags + " in serialized data");
        }
        event.ttlDelete((flags & FLAG_TTL_DELETE) != 0);
        if ((flags & FLAG_EVENT_ID) != 0) {
            event.eventId(StringValue.readString(in));
        }
        int ordinal = in.readUnsignedByte();
        if (ordinal >= EVENT_NAMES.length) {
            throw new IOException("Unknown change event name " + ordinal + " in serialized data");
        }
        event.eventName(EVENT_NAMES[ordinal]);
        if ((flags & FLAG_CREATION_TIME) != 0) {
            long seconds = in.readLong();
            event.approximateCreationTime(Instant.ofEpochSecond(seconds, in.readInt()));
        }
        return event.sizeBytes(in.readLong())
                .keys(AttributeValueCodec.readMap(in))
                .oldImage(AttributeValueCodec.readMap(in))
                .newImage(AttributeValueCodec.readMap(in))
                .build();
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new ChangeEventSerializerSnapshot();
    }

    /** Keeps deserialized copies (Java serialization of job graphs) on the one instance. */
    private Object readResolve() {
        return INSTANCE;
    }

    /**
     * Restores {@link ChangeEventSerializer} from savepoints; its class name is in them. Not final:
     * {@link io.github.ddbstreams.flink.format.ChangeEventSerializer} keeps the name savepoints
     * written before the serializer moved to this package hold.
     */
    @Internal
    public static class ChangeEventSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<ChangeEvent> {
        /** Used by Flink when it reads a snapshot back. */
        public ChangeEventSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }
}
