package io.github.ddbstreams.flink.testutils;

import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Version shim (Flink 2.x flavour; the {@code flink-1.20} Maven profile compiles the twin in {@code
 * src/test/flink-1.20} instead): a {@link Sink} whose writer needs no init context. The abstract
 * method a sink must implement differs: 2.x has only {@code createWriter(WriterInitContext)}, 1.20
 * requires {@code createWriter(Sink.InitContext)}, a type 2.x removed, so no single source file
 * implements {@link Sink} for both.
 */
public abstract class ContextFreeSink<T> implements Sink<T> {
    private static final long serialVersionUID = 1L;

    /** Creates one subtask's writer. */
    protected abstract SinkWriter<T> createWriter();

    @Override
    public final SinkWriter<T> createWriter(WriterInitContext context) {
        return createWriter();
    }
}
