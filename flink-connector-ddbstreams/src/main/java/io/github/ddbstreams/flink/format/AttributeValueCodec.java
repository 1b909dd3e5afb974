package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.format.typeutils.ChangeEventSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Compact binary form of DynamoDB {@link AttributeValue}s, used by {@link ChangeEventSerializer}
 * and reusable by other formats that checkpoint attribute values.
 *
 * <p>Layout: one tag byte, then the payload. Strings and numbers use Flink's {@link StringValue}
 * encoding (exact for any Java string, no 64 KB limit unlike {@code writeUTF}); numbers stay
 * strings so that no precision is lost; lengths and counts are unsigned varints. Maps keep their
 * iteration order. The tag values are part of checkpoints: append new ones, never renumber.
 */
@Internal
public final class AttributeValueCodec {

    private static final byte TAG_S = 0;
    private static final byte TAG_N = 1;
    private static final byte TAG_B = 2;
    private static final byte TAG_BOOL_FALSE = 3;
    private static final byte TAG_BOOL_TRUE = 4;
    private static final byte TAG_NULL = 5;
    private static final byte TAG_M = 6;
    private static final byte TAG_L = 7;
    private static final byte TAG_SS = 8;
    private static final byte TAG_NS = 9;
    private static final byte TAG_BS = 10;

    private AttributeValueCodec() {}

    /**
     * Writes one attribute value.
     *
     * @throws IllegalArgumentException if the value has no type, several types, or a type this SDK
     *     version does not know (none of which DynamoDB produces)
     */
    public static void write(AttributeValue value, DataOutputView out) throws IOException {
        AttributeValue.Type type = value.type();
        if (type == null || type == AttributeValue.Type.UNKNOWN_TO_SDK_VERSION) {
            throw new IllegalArgumentException(
                    "Cannot encode an attribute value without exactly one known type: " + value);
        }
        switch (type) {
            case S:
                out.writeByte(TAG_S);
                StringValue.writeString(value.s(), out);
                break;
            case N:
                out.writeByte(TAG_N);
                StringValue.writeString(value.n(), out);
                break;
            case B:
                out.writeByte(TAG_B);
                writeBytes(value.b(), out);
                break;
            case BOOL:
                out.writeByte(value.bool() ? TAG_BOOL_TRUE : TAG_BOOL_FALSE);
                break;
            case NUL:
                // DynamoDB rejects NULL=false on every write, so it can never reach a stream; one
                // tag without payload is therefore exact for all real data.
                if (!value.nul()) {
                    throw new IllegalArgumentException("NULL attribute values must be true");
                }
                out.writeByte(TAG_NULL);
                break;
            case M:
                out.writeByte(TAG_M);
                writeMap(value.m(), out);
                break;
            case L:
                out.writeByte(TAG_L);
                writeVarInt(value.l().size(), out);
                for (AttributeValue element : value.l()) {
                    write(element, out);
                }
                break;
            case SS:
                out.writeByte(TAG_SS);
                writeStrings(value.ss(), out);
                break;
            case NS:
                out.writeByte(TAG_NS);
                writeStrings(value.ns(), out);
                break;
            case BS:
                out.writeByte(TAG_BS);
                writeVarInt(value.bs().size(), out);
                for (SdkBytes bytes : value.bs()) {
                    writeBytes(bytes, out);
                }
                break;
            default:
                throw new IllegalArgumentException("Unsupported attribute value type " + type);
        }
    }

    /** Reads one attribute value written by {@link #write}. */
    public static AttributeValue read(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case TAG_S:
                return AttributeValue.fromS(StringValue.readString(in));
            case TAG_N:
                return AttributeValue.fromN(StringValue.readString(in));
            case TAG_B:
                return AttributeValue.fromB(readBytes(in));
            case TAG_BOOL_FALSE:
                return AttributeValue.fromBool(false);
            case TAG_BOOL_TRUE:
                return AttributeValue.fromBool(true);
            case TAG_NULL:
                return AttributeValue.fromNul(true);
            case TAG_M:
                return AttributeValue.fromM(readMap(in));
            case TAG_L:
                {
                    int size = readVarInt(in);
                    List<AttributeValue> list = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        list.add(read(in));
                    }
                    return AttributeValue.fromL(list);
                }
            case TAG_SS:
                return AttributeValue.fromSs(readStrings(in));
            case TAG_NS:
                return AttributeValue.fromNs(readStrings(in));
            case TAG_BS:
                {
                    int size = readVarInt(in);
                    List<SdkBytes> list = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        list.add(readBytes(in));
                    }
                    return AttributeValue.fromBs(list);
                }
            default:
                throw new IOException("Unknown attribute value tag " + tag + " in serialized data");
        }
    }

    /** Writes an attribute map (an item, its keys or a nested M value) in iteration order. */
    public static void writeMap(Map<String, AttributeValue> map, DataOutputView out)
            throws IOException {
        writeVarInt(map.size(), out);
        for (Map.Entry<String, AttributeValue> entry : map.entrySet()) {
            StringValue.writeString(entry.getKey(), out);
            write(entry.getValue(), out);
        }
    }

    /** Reads a map written by {@link #writeMap}; the result is unmodifiable and keeps the order. */
    public static Map<String, AttributeValue> readMap(DataInputView in) throws IOException {
        int size = readVarInt(in);
        if (size == 0) {
            return Collections.emptyMap();
        }
        Map<String, AttributeValue> map = new LinkedHashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            String name = StringValue.readString(in);
            map.put(name, read(in));
        }
        return Collections.unmodifiableMap(map);
    }

    private static void writeStrings(List<String> strings, DataOutputView out) throws IOException {
        writeVarInt(strings.size(), out);
        for (String s : strings) {
            StringValue.writeString(s, out);
        }
    }

    private static List<String> readStrings(DataInputView in) throws IOException {
        int size = readVarInt(in);
        List<String> strings = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            strings.add(StringValue.readString(in));
        }
        return strings;
    }

    private static void writeBytes(SdkBytes bytes, DataOutputView out) throws IOException {
        // asByteArrayUnsafe avoids a copy; the array is only read here.
        byte[] array = bytes.asByteArrayUnsafe();
        writeVarInt(array.length, out);
        out.write(array);
    }

    private static SdkBytes readBytes(DataInputView in) throws IOException {
        byte[] array = new byte[readVarInt(in)];
        in.readFully(array);
        // The array is ours alone, so the SDK may wrap it without copying.
        return SdkBytes.fromByteArrayUnsafe(array);
    }

    static void writeVarInt(int value, DataOutputView out) throws IOException {
        if (value < 0) {
            throw new IllegalArgumentException("Negative length " + value);
        }
        while ((value & ~0x7F) != 0) {
            out.writeByte((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.writeByte(value);
    }

    static int readVarInt(DataInputView in) throws IOException {
        int value = 0;
        for (int shift = 0; shift < 28; shift += 7) {
            int b = in.readUnsignedByte();
            value |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        // The fifth byte may only carry the top 3 bits of a non-negative int.
        int last = in.readUnsignedByte();
        if (last > 0x07) {
            throw new IOException("Malformed length in serialized attribute value data");
        }
        return value | (last << 28);
    }
}
