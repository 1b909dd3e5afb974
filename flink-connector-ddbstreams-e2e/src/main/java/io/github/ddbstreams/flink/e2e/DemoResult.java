package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.e2e.ReceivedChanges.Received;
import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a local demo run wrote and what its job received, with the checks the demo reports. */
final class DemoResult {

    private final List<Change> written;
    private final List<Received> received;
    private final int rollovers;
    private final Duration elapsed;

    DemoResult(List<Change> written, List<Received> received, int rollovers, Duration elapsed) {
        this.written = List.copyOf(written);
        this.received = List.copyOf(received);
        this.rollovers = rollovers;
        this.elapsed = elapsed;
    }

    List<Change> written() {
        return written;
    }

    List<Received> received() {
        return received;
    }

    int rollovers() {
        return rollovers;
    }

    Duration elapsed() {
        return elapsed;
    }

    /** Each key's changes in the order written. */
    Map<String, List<Change>> writtenByKey() {
        Map<String, List<Change>> byKey = new TreeMap<>();
        for (Change change : written) {
            byKey.computeIfAbsent(change.key(), k -> new ArrayList<>()).add(change);
        }
        return byKey;
    }

    /** Each key's changes in the order the job's sink received them. */
    Map<String, List<Change>> receivedByKey() {
        Map<String, List<Change>> byKey = new TreeMap<>();
        for (Received r : received) {
            byKey.computeIfAbsent(r.change().key(), k -> new ArrayList<>()).add(r.change());
        }
        return byKey;
    }

    /** Every change received exactly once, and each key's changes in the order written. */
    boolean exactlyOnceInOrder() {
        return writtenByKey().equals(receivedByKey());
    }

    /** The shards records were read from, in the order first seen. */
    Set<String> shardsRead() {
        Set<String> shards = new LinkedHashSet<>();
        for (Received r : received) {
            shards.add(r.shardId());
        }
        return shards;
    }

    /**
     * Prints the run's summary; returns whether every written change was printed once, in order.
     */
    boolean printSummary(PrintStream out) {
        boolean ok = exactlyOnceInOrder();
        out.println();
        out.println("=== Demo summary ===");
        out.printf(
                "ran %.1f s, %d shard rollovers, records read from %d shards%n",
                elapsed.toMillis() / 1000.0, rollovers, shardsRead().size());
        out.printf("changes written: %d %s%n", written.size(), countByEvent(written));
        List<Change> receivedChanges = new ArrayList<>();
        received.forEach(r -> receivedChanges.add(r.change()));
        out.printf("changes printed: %d %s%n", received.size(), countByEvent(receivedChanges));
        if (ok) {
            out.println("OK: every change was printed exactly once, in per-item order.");
        } else {
            out.println("MISMATCH: " + describeMismatch());
        }
        return ok;
    }

    private String describeMismatch() {
        Map<String, List<Change>> expected = writtenByKey();
        Map<String, List<Change>> actual = receivedByKey();
        Set<String> keys = new LinkedHashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        for (String key : keys) {
            List<Change> e = expected.getOrDefault(key, List.of());
            List<Change> a = actual.getOrDefault(key, List.of());
            if (!e.equals(a)) {
                return String.format("item %s: written %s but printed %s", key, e, a);
            }
        }
        return "none";
    }

    private static Map<EventName, Integer> countByEvent(List<Change> changes) {
        Map<EventName, Integer> counts = new EnumMap<>(EventName.class);
        for (EventName name : EventName.values()) {
            counts.put(name, 0);
        }
        changes.forEach(c -> counts.merge(c.event(), 1, Integer::sum));
        return counts;
    }
}
