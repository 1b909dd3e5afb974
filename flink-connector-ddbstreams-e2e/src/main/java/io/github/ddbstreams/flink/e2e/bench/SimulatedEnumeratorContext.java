package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * An enumerator context with one registered reader whose asynchronous calls run only when the
 * benchmark says so, on the benchmark's thread: a periodic discovery runs once per {@link
 * #runPeriodic()}, so an hour of discovery intervals is simulated in seconds.
 */
final class SimulatedEnumeratorContext implements SplitEnumeratorContext<DynamoDbSplit> {
    private final Deque<Runnable> pending = new ArrayDeque<>();
    private final List<Runnable> periodic = new ArrayList<>();
    long assignedSplits;

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
        return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

    @Override
    public int currentParallelism() {
        return 1;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
        return Map.of(0, new ReaderInfo(0, "localhost"));
    }

    @Override
    public void assignSplits(SplitsAssignment<DynamoDbSplit> newSplitAssignments) {
        newSplitAssignments.assignment().values().forEach(s -> assignedSplits += s.size());
    }

    @Override
    public void signalNoMoreSplits(int subtask) {}

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
        pending.add(() -> call(callable, handler));
    }

    @Override
    public <T> void callAsync(
            Callable<T> callable,
            BiConsumer<T, Throwable> handler,
            long initialDelay,
            long period) {
        periodic.add(() -> call(callable, handler));
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
        pending.add(runnable);
    }

    /** Runs every queued call, including those the handlers queue. */
    void runPending() {
        Runnable next;
        while ((next = pending.poll()) != null) {
            next.run();
        }
    }

    /** One interval: every periodic call once, then what they queued. */
    void runPeriodic() {
        for (Runnable r : periodic) {
            r.run();
        }
        runPending();
    }

    private static <T> void call(Callable<T> callable, BiConsumer<T, Throwable> handler) {
        T result = null;
        Throwable error = null;
        try {
            result = callable.call();
        } catch (Throwable t) {
            error = t;
        }
        handler.accept(result, error);
    }
}
