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

    /** Each key's changes in the order written (the table's contents before the job first). */
    Map<String, List<Change>> writtenByKey() {
        return writtenByKey(written);
    }

    /** Each key's rows in the order the job's sink received them. */
    Map<String, List<Change>> receivedByKey() {
        return receivedByKey(received);
    }

    private static Map<String, List<Change>> writtenByKey(List<Change> written) {
        Map<String, List<Change>> byKey = new TreeMap<>();
        for (Change change : written) {
            byKey.computeIfAbsent(change.key(), k -> new ArrayList<>()).add(change);
        }
        return byKey;
    }

    private static Map<String, List<Change>> receivedByKey(List<Received> received) {
        Map<String, List<Change>> byKey = new TreeMap<>();
        for (Received r : received) {
            byKey.computeIfAbsent(r.change().key(), k -> new ArrayList<>()).add(r.change());
        }
        return byKey;
    }

    /**
     * Every item's printed rows are one exact history: its state when the snapshot read it (a
     * SNAPSHOT row of a version written, or, for an item created after the snapshot read its place,
     * its INSERT), then every change written after that state, once, in order; an item the table no
     * longer held when read, and never wrote again, printed nothing.
     */
    boolean historiesExact() {
        return firstBrokenHistory(writtenByKey(written), receivedByKey(received)) == null;
    }

    /** {@link #historiesExact()} of what was written and received so far. */
    static boolean historiesExact(List<Change> written, List<Received> received) {
        return firstBrokenHistory(writtenByKey(written), receivedByKey(received)) == null;
    }

    /** The first item whose printed rows are not an exact history, described; null if none. */
    private static String firstBrokenHistory(
            Map<String, List<Change>> written, Map<String, List<Change>> printed) {
        Set<String> keys = new LinkedHashSet<>(written.keySet());
        keys.addAll(printed.keySet());
        for (String key : keys) {
            List<Change> w = written.getOrDefault(key, List.of());
            List<Change> p = printed.getOrDefault(key, List.of());
            if (!isExactHistory(w, p)) {
                return String.format("item %s: written %s but printed %s", key, w, p);
            }
        }
        return null;
    }

    private static boolean isExactHistory(List<Change> written, List<Change> printed) {
        if (printed.isEmpty()) {
            // Deleted before the snapshot read it and never written again.
            return written.isEmpty() || written.get(written.size() - 1).event() == EventName.REMOVE;
        }
        Change first = printed.get(0);
        int at = -1;
        for (int i = 0; i < written.size() && at < 0; i++) {
            Change w = written.get(i);
            boolean state = w.event() == EventName.INSERT || w.event() == EventName.MODIFY;
            if (state && w.version() == first.version()) {
                at = i;
            }
        }
        boolean validFirst =
                first.event() == EventName.SNAPSHOT
                        || (first.event() == EventName.INSERT
                                && at >= 0
                                && written.get(at).event() == EventName.INSERT);
        return at >= 0
                && validFirst
                && printed.subList(1, printed.size())
                        .equals(written.subList(at + 1, written.size()));
    }

    /** The shards stream records were read from, in the order first seen (no Scan segments). */
    Set<String> shardsRead() {
        Set<String> shards = new LinkedHashSet<>();
        for (Received r : received) {
            if (r.change().event() != EventName.SNAPSHOT) {
                shards.add(r.shardId());
            }
        }
        return shards;
    }

    /** Prints the run's summary; returns whether every item's printed history is exact. */
    boolean printSummary(PrintStream out) {
        boolean ok = historiesExact();
        out.println();
        out.println("=== Demo summary ===");
        out.printf(
                "ran %.1f s, %d shard rollovers, records read from %d shards%n",
                elapsed.toMillis() / 1000.0, rollovers, shardsRead().size());
        out.printf(
                "written: %d (the table's contents before the job, then changes) %s%n",
                written.size(), countByEvent(written));
        List<Change> receivedChanges = new ArrayList<>();
        received.forEach(r -> receivedChanges.add(r.change()));
        out.printf("rows printed: %d %s%n", received.size(), countByEvent(receivedChanges));
        if (ok) {
            out.println(
                    "OK: every item was printed as the snapshot read it, then every later change"
                            + " once, in order; its last printed state is the table's.");
        } else {
            out.println(
                    "MISMATCH: "
                            + firstBrokenHistory(writtenByKey(written), receivedByKey(received)));
        }
        return ok;
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
