package io.github.ddbstreams.flink.format;

import org.apache.flink.annotation.Internal;

/**
 * The former name of {@link io.github.ddbstreams.flink.format.typeutils.ChangeEventSerializer},
 * kept only because savepoints name their serializer snapshot's class: those written before the
 * serializer moved to {@code format.typeutils} hold this class's {@link
 * ChangeEventSerializerSnapshot}, which restores the current serializer.
 */
@Internal
@Deprecated
public final class ChangeEventSerializer {

    private ChangeEventSerializer() {}

    /** Read from savepoints that hold the former name; restores the current serializer. */
    @Internal
    @Deprecated
    public static final class ChangeEventSerializerSnapshot
            extends io.github.ddbstreams.flink.format.typeutils.ChangeEventSerializer
                    .ChangeEventSerializerSnapshot {}
}
