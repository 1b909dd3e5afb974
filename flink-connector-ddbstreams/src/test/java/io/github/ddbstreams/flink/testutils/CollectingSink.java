package io.github.ddbstreams.flink.testutils;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.api.connector.sink2.SinkWriter;

/**
 * A sink that appends every record to a list in this JVM, named by a test-chosen id, so a test can
 * read what several runs of a job (e.g. before and after a savepoint) emitted. Only for MiniCluster
 * tests; it is not fault tolerant, so use it where no failure is injected.
 */
public final class CollectingSink<T> extends ContextFreeSink<T> {
    private static final long serialVersionUID = 1L;
    private static final Map<String, List<Object>> RESULTS = new ConcurrentHashMap<>();

    private final String id;

    public CollectingSink(String id) {
        this.id = id;
        RESULTS.computeIfAbsent(id, k -> new ArrayList<>());
    }

    /** A copy of everything collected under {@code id} so far. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> results(String id) {
        List<Object> list = RESULTS.getOrDefault(id, List.of());
        synchronized (list) {
            return (List<T>) new ArrayList<>(list);
        }
    }

    @Override
    protected SinkWriter<T> createWriter() {
        List<Object> list = RESULTS.computeIfAbsent(id, k -> new ArrayList<>());
        return new SinkWriter<>() {
            @Override
            public void write(T element, Context ctx) {
                synchronized (list) {
                    list.add(element);
                }
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
