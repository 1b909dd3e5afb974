package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The workload of the watermark alignment tests: a fast table written at 200 items/s that starts
 * with a backlog whose event times lie five minutes behind, and a slow table written at 5 items/s.
 * Every item carries its event time in a {@code ts} attribute (epoch millis), since DynamoDB Local
 * truncates ApproximateCreationDateTime to the minute. A test feeds what its job emitted to {@link
 * #emitted} and reads how far the slow table's event times ran ahead of the fast one's.
 */
public final class TwoSpeedTables {

    /** Backlog items, and the event time between two of them. */
    public static final int BACKLOG = 8_000;

    public static final long BACKLOG_SPACING_MILLIS = 40;

    /** The alignment group's settings, the reader's idle poll and page size in the tests. */
    public static final Duration MAX_DRIFT = Duration.ofSeconds(1);

    public static final Duration UPDATE_INTERVAL = Duration.ofMillis(100);
    public static final long POLL_MILLIS = 100;
    public static final int PAGE = 5;

    /** How far ahead the slow table may run when each table has a source of its own. */
    public static final long TWO_SOURCES_BOUND_MILLIS = 20_000;

    /** The least drift a run without alignment shows, for the test to tell the two apart. */
    public static final long UNALIGNED_MIN_MILLIS = 60_000;

    /**
     * Alignment acts on a shard's watermark once it is known, after a round trip to the coordinator
     * (and, since Flink 2.3, 3 sampled update intervals): the slow table's first second is not
     * measured.
     */
    private static final long UNMEASURED_START_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final DynamoDbLocalExtension dynamoDb;
    private final String fast;
    private final String slow;
    private final AtomicBoolean writing = new AtomicBoolean();
    private final AtomicInteger fastWritten = new AtomicInteger(BACKLOG);
    private final AtomicInteger slowWritten = new AtomicInteger();
    private final List<Thread> writers = new ArrayList<>();
    private final Map<String, Long> lastTs = new HashMap<>();
    private int fastEmitted;
    private int slowEmitted;
    private long firstSlowNanos;
    private int slowAfterBacklog;
    private long maxDriftMillis = Long.MIN_VALUE;
    private long writingSinceNanos;
    private long backlogReadMillis = -1;
    private int measured;
    private int outOfOrder;

    /** Creates both tables and writes the fast one's backlog. */
    public TwoSpeedTables(DynamoDbLocalExtension dynamoDb, String fast, String slow) {
        this.dynamoDb = dynamoDb;
        this.fast = fast;
        this.slow = slow;
        dynamoDb.createTable(fast, StreamViewType.NEW_IMAGE);
        dynamoDb.createTable(slow, StreamViewType.NEW_IMAGE);
        long backlogEnd = System.currentTimeMillis();
        List<Map<String, AttributeValue>> backlog = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            backlog.add(item("b" + i, backlogEnd - (BACKLOG - i) * BACKLOG_SPACING_MILLIS));
        }
        dynamoDb.putItems(fast, backlog);
    }

    /** Starts writing both tables with event time = now. */
    public void startWriting() {
        writing.set(true);
        writingSinceNanos = System.nanoTime();
        writers.add(writer(fast, 5, fastWritten));
        writers.add(writer(slow, 200, slowWritten));
        writers.forEach(Thread::start);
    }

    /**
     * Starts writing, feeds what a job emits to {@link #emitted} until the backlog is read and the
     * slow table went on for a while, stops writing, then reads until everything written was
     * emitted; at most 120 s in all.
     */
    public <T> void readWhileWriting(
            Iterator<T> emitted, Function<T, String> tableOf, ToLongFunction<T> tsOf)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try {
            startWriting();
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                T item = emitted.next();
                done = emitted(tableOf.apply(item), tsOf.applyAsLong(item));
            }
            stopWriting();
            while (!allEmitted() && System.nanoTime() < deadline) {
                T item = emitted.next();
                emitted(tableOf.apply(item), tsOf.applyAsLong(item));
            }
        } finally {
            stopWriting();
        }
    }

    /** Stops writing and waits for the writers. */
    public void stopWriting() throws InterruptedException {
        writing.set(false);
        for (Thread writer : writers) {
            writer.join();
        }
    }

    /**
     * One item the job emitted, from table {@code table} with event time {@code ts}. Returns true
     * once the backlog is read and the slow table went on for 2 s after it.
     */
    public boolean emitted(String table, long ts) {
        Long previous = lastTs.put(table, ts);
        if (previous != null && ts < previous) {
            outOfOrder++;
        }
        if (table.equals(fast)) {
            fastEmitted++;
            if (fastEmitted == BACKLOG) {
                backlogReadMillis =
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - writingSinceNanos);
            }
            return false;
        }
        slowEmitted++;
        long now = System.nanoTime();
        if (firstSlowNanos == 0) {
            firstSlowNanos = now;
        }
        Long fastTs = lastTs.get(fast);
        if (fastTs != null && now - firstSlowNanos > UNMEASURED_START_NANOS) {
            maxDriftMillis = Math.max(maxDriftMillis, ts - fastTs);
            measured++;
        }
        if (fastEmitted >= BACKLOG) {
            slowAfterBacklog++;
        }
        return slowAfterBacklog >= 10;
    }

    /** Checks that everything written was emitted, in write order per table, and drift measured. */
    public void checkComplete() {
        assertThat(measured).as("slow items compared").isGreaterThan(5);
        assertThat(fastEmitted).isEqualTo(fastWritten.get());
        assertThat(slowEmitted).isEqualTo(slowWritten.get());
        assertThat(outOfOrder).as("per table, in write order").isZero();
    }

    /** Whether every item written to either table was emitted (after {@link #stopWriting}). */
    public boolean allEmitted() {
        return fastEmitted >= fastWritten.get() && slowEmitted >= slowWritten.get();
    }

    /** How far the slow table's event times ran ahead of the fast one's at most, once measured. */
    public long maxDriftMillis() {
        return maxDriftMillis;
    }

    /**
     * How far ahead the slow table may run with alignment, with one source or two. Measured cause
     * of the overshoot (traced per poll, pause and emitted record): the slow shard, paused while
     * the fast one reads its backlog, is resumed with everything written meanwhile waiting, and
     * reads it all (1 s of event time per page of 5, one page every 5 to 20 ms) before Flink pauses
     * it again, 250 to 480 ms after the resume: Flink checks a split's watermark only when the
     * periodic generator emits it ({@code pipeline.auto-watermark-interval}, 200 ms), against a max
     * desired watermark that is a coordinator round trip old (up to 2 update intervals), and since
     * 2.3 against the oldest of {@code pipeline.watermark-alignment.buffer-size} (3) samples taken
     * each update interval. None of the records over the drift came from a call in flight at a
     * pause or from a batch queued behind one. So the overshoot is the slow table's wait, up to the
     * time the fast backlog takes to read (10 to 15 s here), not a constant.
     */
    public long alignedBoundMillis() {
        assertThat(backlogReadMillis).as("the fast backlog was read").isNotNegative();
        return MAX_DRIFT.toMillis() + backlogReadMillis + UPDATE_INTERVAL.toMillis() + POLL_MILLIS;
    }

    /** How long after the writes started the fast table's backlog was read. */
    public long backlogReadMillis() {
        return backlogReadMillis;
    }

    /** How many of the slow table's items were measured. */
    public int measured() {
        return measured;
    }

    /** Items of a table that came after an item with a later event time. */
    public int outOfOrder() {
        return outOfOrder;
    }

    public int fastEmitted() {
        return fastEmitted;
    }

    public int fastWritten() {
        return fastWritten.get();
    }

    public int slowEmitted() {
        return slowEmitted;
    }

    public int slowWritten() {
        return slowWritten.get();
    }

    private Thread writer(String table, long periodMillis, AtomicInteger written) {
        return new Thread(
                () -> {
                    while (writing.get()) {
                        dynamoDb.putItem(
                                table, item("w" + written.get(), System.currentTimeMillis()));
                        written.incrementAndGet();
                        try {
                            Thread.sleep(periodMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                },
                "writer-" + table);
    }

    private static Map<String, AttributeValue> item(String key, long ts) {
        return Map.of(
                DynamoDbLocal.HASH_KEY,
                AttributeValue.fromS(key),
                "ts",
                AttributeValue.fromN(Long.toString(ts)));
    }
}
