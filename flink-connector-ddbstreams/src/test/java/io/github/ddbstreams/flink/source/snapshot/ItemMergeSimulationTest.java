package io.github.ddbstreams.flink.source.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.snapshot.ItemMerge.Effect;
import io.github.ddbstreams.flink.source.snapshot.ItemMerge.Outcome;
import io.github.ddbstreams.flink.source.snapshot.ItemMerge.State;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import javax.annotation.Nullable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ItemMerge} in a simulated snapshot of a table that is written while it is read: items with
 * versioned states, a stream whose records appear up to a lag after their write and carry
 * whole-second creation times, a Scan that reads each item once at its own moment, and a progress
 * clock that releases held rows. Every key's emitted rows are then checked the way the snapshot
 * promises: a consistent changelog (each change follows the row last emitted), a valid history
 * (versions strictly increasing), complete after the first row, ending at the item's final state.
 * Deletes are versioned states too (an item's version grows with every write).
 */
class ItemMergeSimulationTest {

    private static final int KEYS = 2_000;
    private static final int WRITES = 3_000;
    private static final long DURATION_MILLIS = 30_000;
    private static final long POLL_MILLIS = 100;
    private static final long MAX_LAG_MILLIS = 800;
    private static final long SAFE_MARGIN = MAX_LAG_MILLIS + POLL_MILLIS + 1_000;

    /** A row of one key: a snapshot row (old null) or a change from {@code old} to {@code now}. */
    record Row(String kind, @Nullable Version old, @Nullable Version now) {}

    /** A state of an item: exists or not, after the write that made it. */
    record Version(long number, boolean exists) {}

    private static final ItemMerge.Changes<Row> NEW_AND_OLD_IMAGES =
            new ItemMerge.Changes<>() {
                @Override
                public Row priorState(Row change) {
                    return change.old() != null && change.old().exists()
                            ? new Row("SNAPSHOT", null, change.old())
                            : null;
                }

                @Override
                public boolean startsFrom(Row change, Row row) {
                    return change.old() != null && change.old().equals(row.now());
                }

                @Override
                public Row withPriorState(Row change, Row row) {
                    String kind = change.now().exists() ? "MODIFY" : "REMOVE";
                    return new Row(kind, row.now(), change.now());
                }
            };

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void withTheMarginEveryItemGetsOneValidCompleteHistory(long seed) {
        Run run = simulate(seed, MAX_LAG_MILLIS, SAFE_MARGIN);

        assertThat(run.violations).isEmpty();
        assertThat(run.effects.get(Effect.LATE_CHANGE_REPAIRED)).isNull();
        // The run exercised every path: held rows released and dropped.
        assertThat(run.effects.get(Effect.RELEASED)).isGreaterThan(KEYS / 10);
        assertThat(run.effects.get(Effect.DROPPED_STREAM_HAD_ITEM)).isGreaterThan(KEYS / 10);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void withoutAMarginHistoriesGoBackwards(long seed) {
        // The same simulation without holding rows: it must find what the margin prevents, or it
        // would prove nothing.
        Run run = simulate(seed, MAX_LAG_MILLIS, 0);

        assertThat(run.violations).anyMatch(v -> v.contains("goes back"));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void changesLaterThanTheMarginStillGiveAConsistentChangelogEndingRight(long seed) {
        // Records appear up to 6 s late while the margin allows 1.9 s.
        Run run = simulate(seed, 6_000, SAFE_MARGIN);

        assertThat(run.effects.get(Effect.LATE_CHANGE_REPAIRED)).isPositive();
        assertThat(run.violations)
                .allMatch(v -> v.contains("goes back"))
                .noneMatch(v -> v.contains("inconsistent") || v.contains("final"));
    }

    private static final class Run {
        final List<String> violations = new ArrayList<>();
        final Map<Effect, Integer> effects = new EnumMap<>(Effect.class);
    }

    /** An event at a processing time; ties keep their creation order. */
    private record Event(long at, long order, int key, @Nullable Row row, long readAt) {}

    private static Run simulate(long seed, long maxLagMillis, long marginMillis) {
        Random random = new Random(seed);
        Version[] state = new Version[KEYS];
        List<List<Version>> histories = new ArrayList<>();
        List<List<Long>> changedAt = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            state[k] = new Version(0, random.nextDouble() < 0.8);
            histories.add(new ArrayList<>(List.of(state[k])));
            changedAt.add(new ArrayList<>(List.of(Long.MIN_VALUE)));
        }
        long order = 0;
        PriorityQueue<Event> events =
                new PriorityQueue<>(
                        (a, b) ->
                                a.at != b.at
                                        ? Long.compare(a.at, b.at)
                                        : Long.compare(a.order, b.order));

        // Writes, and their stream records: each appears up to the lag after its write, in order
        // per key, and is read at the next poll.
        long[] writeTimes = random.longs(WRITES, 0, DURATION_MILLIS).sorted().toArray();
        long[] lastAppearance = new long[KEYS];
        for (long w : writeTimes) {
            int k = random.nextInt(KEYS);
            Version old = state[k];
            boolean exists = old.exists() ? random.nextDouble() < 0.7 : true;
            Version now = new Version(old.number() + 1, exists);
            state[k] = now;
            histories.get(k).add(now);
            changedAt.get(k).add(w);
            String kind = !old.exists() ? "INSERT" : exists ? "MODIFY" : "REMOVE";
            long appears =
                    Math.max(w + (long) (random.nextDouble() * maxLagMillis), lastAppearance[k]);
            lastAppearance[k] = appears;
            long delivered = (appears / POLL_MILLIS + 1) * POLL_MILLIS;
            events.add(new Event(delivered, order++, k, new Row(kind, old, now), -1));
        }

        // The Scan reads each item once, at its own moment, and delivers the row on return.
        for (int k = 0; k < KEYS; k++) {
            long readMoment = random.nextInt((int) DURATION_MILLIS);
            Version seen = stateAt(histories.get(k), changedAt.get(k), readMoment);
            if (seen.exists()) {
                long returned = readMoment + random.nextInt(30);
                events.add(
                        new Event(returned, order++, k, new Row("SNAPSHOT", null, seen), returned));
            }
        }

        // The progress clock: every shard is caught up as of the last poll.
        ItemMerge<Row> merge = new ItemMerge<>(NEW_AND_OLD_IMAGES, marginMillis, 10_000);
        List<State<Row>> states = new ArrayList<>();
        List<Long> timers = new ArrayList<>();
        List<List<Row>> emitted = new ArrayList<>();
        for (int k = 0; k < KEYS; k++) {
            states.add(State.unseen());
            timers.add(-1L);
            emitted.add(new ArrayList<>());
        }
        Run run = new Run();
        long end = DURATION_MILLIS + maxLagMillis + marginMillis + 30_000;
        for (long now = 0; now <= end; now += POLL_MILLIS / 2) {
            while (!events.isEmpty() && events.peek().at() <= now) {
                Event e = events.poll();
                Outcome<Row> outcome =
                        e.row().old() == null
                                ? merge.onScanRow(states.get(e.key()), e.row(), e.readAt())
                                : merge.onChange(states.get(e.key()), e.row());
                apply(run, e.key(), outcome, states, timers, emitted);
            }
            long progress = now - POLL_MILLIS;
            for (int k = 0; k < KEYS; k++) {
                long timer = timers.get(k);
                if (timer >= 0 && timer <= progress) {
                    timers.set(k, -1L);
                    apply(run, k, merge.onTimer(states.get(k), progress), states, timers, emitted);
                }
            }
        }

        for (int k = 0; k < KEYS; k++) {
            check(k, emitted.get(k), histories.get(k), run.violations);
        }
        return run;
    }

    private static void apply(
            Run run,
            int key,
            Outcome<Row> outcome,
            List<State<Row>> states,
            List<Long> timers,
            List<List<Row>> emitted) {
        states.set(key, outcome.next());
        emitted.get(key).addAll(outcome.emit());
        if (outcome.timerAtMillis() >= 0) {
            timers.set(key, outcome.timerAtMillis());
        }
        if (outcome.effect() != null) {
            run.effects.merge(outcome.effect(), 1, Integer::sum);
        }
    }

    private static void check(int key, List<Row> rows, List<Version> history, List<String> out) {
        Version last = null;
        Version first = null;
        for (Row row : rows) {
            boolean consistent =
                    row.old() == null
                            ? last == null || !last.exists()
                            : row.kind().equals("INSERT")
                                    ? last == null || !last.exists()
                                    : row.old().equals(last);
            if (!consistent) {
                out.add("key " + key + ": inconsistent " + row + " after " + last);
            }
            if (last != null && row.now().number() <= last.number()) {
                out.add("key " + key + ": goes back from " + last + " to " + row.now());
            }
            if (first == null) {
                first = row.now();
            }
            last = row.now();
        }
        Version finalState = history.get(history.size() - 1);
        boolean endsRight =
                last == null
                        ? !finalState.exists()
                        : last.equals(finalState) || (!last.exists() && !finalState.exists());
        if (!endsRight) {
            out.add("key " + key + ": final " + last + " but the table holds " + finalState);
        }
        if (first != null) {
            for (Version v : history) {
                boolean emitted = false;
                for (Row row : rows) {
                    emitted |= row.now().equals(v);
                }
                if (v.number() > first.number() && !emitted) {
                    out.add("key " + key + ": change to " + v + " missing");
                }
            }
        }
    }

    /** The item's state at {@code moment}: after every write made at or before it. */
    private static Version stateAt(List<Version> history, List<Long> changedAt, long moment) {
        Version seen = history.get(0);
        for (int i = 1; i < history.size() && changedAt.get(i) <= moment; i++) {
            seen = history.get(i);
        }
        return seen;
    }
}
