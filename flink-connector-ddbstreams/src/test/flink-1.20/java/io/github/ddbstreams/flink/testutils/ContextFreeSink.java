package io.github.ddbstreams.flink.testutils;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * Version shim (Flink 1.20 flavour, compiled by the {@code flink-1.20} Maven profile; the default
 * build compiles the twin in {@code src/test/flink-2}): a {@link Sink} whose writer needs no init
 * context. Flink 1.20 requires {@code createWriter(Sink.InitContext)}, a type 2.x removed; its
 * {@code createWriter(WriterInitContext)} default delegates here.
 */
public abstract class ContextFreeSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Creates one subtask's writer. */
    protected abstract SinkWriter<T> createWriter();

    @Override
    @SuppressWarnings("deprecation") // the only abstract variant in 1.20
    public final SinkWriter<T> createWriter(InitContext context) {
        return createWriter();
    }
}
