package io.github.ddbstreams.flink.format.typeutils;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Type information of a change type that Flink treats as one opaque field written by our own
 * serializer, so it never falls back to Kryo. Not a key type: keying by a whole change makes no
 * sense; key by the item's keys instead. Subclasses say which serializer and how they compare.
 */
@Internal
public abstract class AtomicTypeInfo<T> extends TypeInformation<T> {

    private static final long serialVersionUID = 1L;

    /** The serializer of this type; the configuration does not change it. */
    protected abstract TypeSerializer<T> serializer();

    @Override
    public final boolean isBasicType() {
        return false;
    }

    @Override
    public final boolean isTupleType() {
        return false;
    }

    @Override
    public final int getArity() {
        return 1;
    }

    @Override
    public final int getTotalFields() {
        return 1;
    }

    @Override
    public final boolean isKeyType() {
        return false;
    }

    @Override
    public final TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer();
    }

    /**
     * Flink 1.20's abstract variant of {@link #createSerializer(SerializerConfig)} (removed in
     * 2.0): without it the subclasses do not compile against 1.20 ({@code -Pflink-1.20}); on 2.x it
     * is a plain overload nobody calls. No {@code @Override} so both versions compile.
     */
    public final TypeSerializer<T> createSerializer(ExecutionConfig config) {
        return serializer();
    }

    @Override
    public final boolean canEqual(Object obj) {
        return obj != null && obj.getClass() == getClass();
    }
}
