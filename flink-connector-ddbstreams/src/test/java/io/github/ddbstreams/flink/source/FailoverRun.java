package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What one failover run shares between the test thread, the workload writer and the job's operators
 * (all in one JVM): the expected per-key logs, the failure plan, the verifier's per-key progress
 * and every violation it saw. Operators find it by id in a static registry, because they are
 * serialized into the job and cannot carry references.
 */
final class FailoverRun {

    private static final Map<String, FailoverRun> RUNS = new ConcurrentHashMap<>();

    /** A phase of the stream at which a planned failure fires. */
    enum Phase {
        /** Between two records of the same shard. */
        MID_SHARD,
        /** On the first record of a shard after another shard was read in the same attempt. */
        SHARD_END,
        /** Within the first records after a restore. */
        AFTER_RESTORE
    }

    /** One planned failure: fires once, the first time its phase and its threshold match. */
    private static final class Planned {
        final Phase phase;
        final long afterSeen;
        final int afterFailures;
        final AtomicBoolean fired = new AtomicBoolean();

        Planned(Phase phase, long afterSeen, int afterFailures) {
            this.phase = phase;
            this.afterSeen = afterSeen;
            this.afterFailures = afterFailures;
        }
    }

    /**
     * A key's verified position, who wrote it and when (to tell current from stale values), and how
     * many of its changes the verifier's (restorable) state skipped over.
     */
    record Progress(int next, int subtask, long nanos, int gaps) {}

    /** Where a change was emitted, per attempt: "shard seq (attempt n)"; replays included. */
    final Map<String, Queue<String>> sightings = new ConcurrentHashMap<>();

    final String id;
    final VersionedWorkload workload;
    private final List<Planned> plan = new ArrayList<>();

    /** Records that reached the failure injector, replays included. */
    final AtomicLong seen = new AtomicLong();

    final AtomicInteger failuresInjected = new AtomicInteger();
    final Map<Phase, AtomicInteger> failuresByPhase = new ConcurrentHashMap<>();
    final AtomicInteger rollovers = new AtomicInteger();

    final Map<String, Progress> progress = new ConcurrentHashMap<>();
    private final AtomicLongArray lastOpenNanos = new AtomicLongArray(64);
    final AtomicInteger verifierOpens = new AtomicInteger();

    final Queue<String> violations = new ConcurrentLinkedQueue<>();

    /** "key#index" of changes skipped over (lost unless they show up later: reordered). */
    final Set<String> skipped = ConcurrentHashMap.newKeySet();

    final AtomicInteger duplicated = new AtomicInteger();
    final AtomicInteger reordered = new AtomicInteger();
    final AtomicInteger unknown = new AtomicInteger();

    private FailoverRun(String id, VersionedWorkload workload, long plannedChanges) {
        this.id = id;
        this.workload = workload;
        // Thresholds count records through the injector, replays included, so they are reached
        // while the writer is still busy; the order gives mid-shard, shard-end and after-restore
        // failures spread over the run, each after-restore one following a different restore.
        plan.add(new Planned(Phase.MID_SHARD, plannedChanges * 15 / 100, 0));
        plan.add(new Planned(Phase.SHARD_END, plannedChanges * 25 / 100, 1));
        plan.add(new Planned(Phase.AFTER_RESTORE, 0, 2));
        plan.add(new Planned(Phase.MID_SHARD, plannedChanges * 45 / 100, 3));
        plan.add(new Planned(Phase.AFTER_RESTORE, 0, 4));
        plan.add(new Planned(Phase.SHARD_END, plannedChanges * 60 / 100, 5));
    }

    static FailoverRun register(String id, VersionedWorkload workload, long plannedChanges) {
        FailoverRun run = new FailoverRun(id, workload, plannedChanges);
        RUNS.put(id, run);
        return run;
    }

    static FailoverRun get(String id) {
        FailoverRun run = RUNS.get(id);
        if (run == null) {
            throw new IllegalStateException("no failover run registered as " + id);
        }
        return run;
    }

    static void unregister(String id) {
        RUNS.remove(id);
    }

    int plannedFailures() {
        return plan.size();
    }

    boolean allPlannedFailuresFired() {
        return plan.stream().allMatch(p -> p.fired.get());
    }

    /**
     * Decides whether the record the injector holds now must fail, and counts the failure. A
     * planned failure fires at most once, and only after the earlier ones in the plan.
     */
    Phase failureFor(long seenNow, boolean midShard, boolean shardEnd, boolean afterRestore) {
        int failures = failuresInjected.get();
        for (Planned p : plan) {
            if (p.fired.get()) {
                continue;
            }
            boolean atPhase =
                    switch (p.phase) {
                        case MID_SHARD -> midShard;
                        case SHARD_END -> shardEnd;
                        case AFTER_RESTORE -> afterRestore;
                    };
            boolean due = atPhase && seenNow >= p.afterSeen && failures >= p.afterFailures;
            if (due && p.fired.compareAndSet(false, true)) {
                failuresInjected.incrementAndGet();
                failuresByPhase
                        .computeIfAbsent(p.phase, k -> new AtomicInteger())
                        .incrementAndGet();
                return p.phase;
            }
            return null; // keep the plan's order: never skip ahead of an unfired failure
        }
        return null;
    }

    void verifierOpened(int subtask) {
        verifierOpens.incrementAndGet();
        lastOpenNanos.set(subtask, System.nanoTime());
    }

    void recordProgress(String key, int next, int subtask, int gaps) {
        progress.put(key, new Progress(next, subtask, System.nanoTime(), gaps));
    }

    /** Remembers that an attempt emitted a change, to tell later where a lost one went. */
    void sighted(String key, String change, String shard, String seq, int attempt) {
        sightings
                .computeIfAbsent(key + "#" + change, k -> new ConcurrentLinkedQueue<>())
                .add(shard + " seq " + seq + " (attempt " + attempt + ")");
    }

    /**
     * Changes skipped in the verifier state of the final attempt (each key's last progress after
     * the last restore): lost for good. {@link #skipped} also counts gaps that an attempt saw but a
     * restore rolled back.
     */
    int lostInFinalState() {
        int lost = 0;
        for (Progress p : progress.values()) {
            lost += p.gaps();
        }
        return lost;
    }

    /** Up to {@code max} skipped changes with where each was emitted, if anywhere: for reports. */
    List<String> describeSkipped(int max) {
        List<String> out = new ArrayList<>();
        for (String skip : new java.util.TreeSet<>(skipped)) {
            if (out.size() >= max) {
                break;
            }
            int hash = skip.lastIndexOf('#');
            String key = skip.substring(0, hash);
            int index = Integer.parseInt(skip.substring(hash + 1));
            String change = workload.expected(key).get(index);
            Queue<String> seen = sightings.get(key + "#" + change);
            out.add(
                    key
                            + " "
                            + change
                            + " (index "
                            + index
                            + ") emitted "
                            + (seen == null ? "by no attempt" : "at " + seen));
        }
        return out;
    }

    /**
     * Records a change that is not the next expected one for its key and returns the key's next
     * expected index from here on.
     */
    int violation(String key, int next, String got, String where, List<String> log) {
        int at = log.indexOf(got);
        got = got + " from " + where;
        if (at < 0) {
            unknown.incrementAndGet();
            violations.add(key + ": got " + got + ", never written (next " + next + ")");
            return next;
        }
        if (at > next) {
            for (int i = next; i < at; i++) {
                skipped.add(key + "#" + i);
            }
            violations.add(
                    key + ": LOST " + log.subList(next, at) + " (got " + got + " at " + next + ")");
            return at + 1;
        }
        if (skipped.remove(key + "#" + at)) {
            reordered.incrementAndGet();
            violations.add(key + ": REORDERED " + got + " arrived after index " + next);
        } else {
            duplicated.incrementAndGet();
            violations.add(key + ": DUPLICATE " + got + " (index " + at + ", next " + next + ")");
        }
        return next;
    }

    /** Sum of every key's verified position: how far the job got, for pacing the writer. */
    long verifiedChanges() {
        long sum = 0;
        for (Progress p : progress.values()) {
            sum += p.next();
        }
        return sum;
    }

    /**
     * Keys whose verified position is not the end of their log, or whose position was written
     * before its subtask's last restore (a stale value that a replay has not confirmed yet).
     */
    List<String> unfinishedKeys() {
        List<String> unfinished = new ArrayList<>();
        for (String key : workload.writtenKeys()) {
            int expected = workload.expected(key).size();
            Progress p = progress.get(key);
            if (p == null) {
                unfinished.add(key + " (nothing verified of " + expected + ")");
            } else if (p.next() != expected) {
                unfinished.add(key + " (" + p.next() + " of " + expected + ")");
            } else if (p.nanos() < lastOpenNanos.get(p.subtask())) {
                unfinished.add(key + " (complete only before the last restore)");
            }
        }
        return unfinished;
    }
}
