package io.github.ddbstreams.flink.format;

import org.apache.flink.annotation.Internal;

/**
 * The former name of {@link
 * io.github.ddbstreams.flink.format.typeutils.TypedChangeEventSerializer}, kept only because
 * savepoints name their serializer snapshot's class: those written before the serializer moved to
 * {@code format.typeutils} hold this class's {@link TypedChangeEventSerializerSnapshot}, which
 * restores the current serializer.
 */
@Internal
@Deprecated
public final class TypedChangeEventSerializer {

    private TypedChangeEventSerializer() {}

    /** Read from savepoints that hold the former name; restores the current serializer. */
    @Internal
    @Deprecated
    public static final class TypedChangeEventSerializerSnapshot<T>
            extends io.github.ddbstreams.flink.format.typeutils.TypedChangeEventSerializer
                            .TypedChangeEventSerializerSnapshot<
                    T> {}
}
