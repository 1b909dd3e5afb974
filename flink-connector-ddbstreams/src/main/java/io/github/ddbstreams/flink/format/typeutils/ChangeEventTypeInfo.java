package io.github.ddbstreams.flink.format.typeutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import org.apache.flink.annotation.Internal;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information of {@link ChangeEvent}, serialized by {@link ChangeEventSerializer}.
 * Obtain it with {@code TypeInformation.of(ChangeEvent.class)}.
 */
@Internal
public final class ChangeEventTypeInfo extends AtomicTypeInfo<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** The only instance needed: the type has no parameters. */
    public static final ChangeEventTypeInfo INSTANCE = new ChangeEventTypeInfo();

    private ChangeEventTypeInfo() {}

    @Override
    protected TypeSerializer<ChangeEvent> serializer() {
        return ChangeEventSerializer.INSTANCE;
    }

    @Override
    public Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
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

    private Object readResolve() {
        return INSTANCE;
    }
}
