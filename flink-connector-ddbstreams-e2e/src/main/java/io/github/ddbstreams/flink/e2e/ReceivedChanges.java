package io.github.ddbstreams.flink.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the demo job's sink received, per run. The job runs on a local mini cluster inside this JVM,
 * so its sink writers and the code that started the job share this static registry: that is how the
 * demo counts what it printed and how the end-to-end test checks it.
 */
final class ReceivedChanges {

    /** One printed stream event: the change and where it was read. */
    record Received(Change change, String shardId, String sequenceNumber, int subtask) {}

    private static final Map<String, List<Received>> RUNS = new ConcurrentHashMap<>();

    private ReceivedChanges() {}

    static void open(String runId) {
        RUNS.put(runId, new ArrayList<>());
    }

    static void add(String runId, Received received) {
        List<Received> run = RUNS.get(runId);
        if (run == null) {
            throw new IllegalStateException("Demo run " + runId + " is not open");
        }
        synchronized (run) {
            run.add(received);
        }
    }

    static int count(String runId) {
        List<Received> run = RUNS.get(runId);
        synchronized (run) {
            return run.size();
        }
    }

    /** Everything received so far, in arrival order. */
    static List<Received> snapshot(String runId) {
        List<Received> run = RUNS.get(runId);
        synchronized (run) {
            return new ArrayList<>(run);
        }
    }

    /** Forgets the run and returns what it received. */
    static List<Received> close(String runId) {
        List<Received> run = RUNS.remove(runId);
        synchronized (run) {
            return new ArrayList<>(run);
        }
    }
}
