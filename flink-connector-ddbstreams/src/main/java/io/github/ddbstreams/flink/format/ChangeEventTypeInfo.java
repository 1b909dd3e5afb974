package io.github.ddbstreams.flink.format;

import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information of {@link ChangeEvent}: an atomic type serialized by {@link
 * ChangeEventSerializer}, so Flink never falls back to Kryo for it. Obtain it with {@code
 * TypeInformation.of(ChangeEvent.class)}.
 */
@Internal
public final class ChangeEventTypeInfo extends TypeInformation<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** The only instance needed: the type has no parameters. */
    public static final ChangeEventTypeInfo INSTANCE = new ChangeEventTypeInfo();

    private ChangeEventTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    /** Not a key type: keying by a whole change event makes no sense; key by its keys instead. */
    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ChangeEvent> createSerializer(SerializerConfig config) {
        return ChangeEventSerializer.INSTANCE;
    }

    /**
     * Flink 1.20's abstract variant of {@link #createSerializer(SerializerConfig)} (removed in
     * 2.0): without it this class does not compile against 1.20 ({@code -Pflink-1.20}); on 2.x it
     * is a plain overload nobody calls. No {@code @Override} so both versions compile.
     */
    public TypeSerializer<ChangeEvent> createSerializer(ExecutionConfig config) {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ChangeEvent";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ChangeEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return ChangeEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ChangeEventTypeInfo;
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
