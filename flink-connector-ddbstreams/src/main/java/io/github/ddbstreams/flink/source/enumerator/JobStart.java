package io.github.ddbstreams.flink.source.enumerator;

import java.io.Serializable;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.annotation.Internal;

/**
 * The instant a job starts reading, fixed once when its source is built and carried with the source
 * in the job graph: the one point that LATEST means and that a bounded read ends at, for every
 * enumerator and reader of the job.
 *
 * <p>Without a completed checkpoint, Flink recovers a job (a global failover, a JobManager
 * failover) by creating a fresh enumerator from the same job graph. LATEST iterators taken then
 * would skip everything written since the job started, so only the job's first enumerator takes
 * them, and only soon after the start; any other reads from each shard's oldest record and skips
 * records created before the start (see {@link #latestCutoffMillis()}). An enumerator knows it is
 * not the first if an enumerator of the same built source was created in this JVM before (which
 * covers restarts within one JobManager process), or if the start lies more than {@link
 * #LATEST_ITERATOR_DEADLINE_MILLIS} back (which covers a new JobManager process).
 */
@Internal
public final class JobStart implements Serializable {
    private static final long serialVersionUID = 1L;

    /**
     * LATEST iterators stand for the job's start only if taken this soon after it: a JobManager
     * process that takes over a job needs longer than this (leader election and recovery), while a
     * normal submission starts its enumerator within seconds of building the source.
     */
    static final long LATEST_ITERATOR_DEADLINE_MILLIS = 10_000;

    /**
     * Records created up to this long before the start are kept when LATEST is resolved by creation
     * time: DynamoDB Local truncates ApproximateCreationDateTime to the minute (AWS to the second),
     * and a record written after the start must never be dropped for looking older.
     */
    static final long CREATION_TIME_MARGIN_MILLIS = 60_000;

    /**
     * A bounded read ends this long after the start, for records (by creation time) and for shards
     * (by the creation time in their id) alike: creation times may be truncated (to the minute on
     * DynamoDB Local), and what is written between building the source and submitting the job (a
     * test writing its data, say) still counts as there when the job starts.
     */
    public static final long BOUNDED_END_MARGIN_MILLIS = 60_000;

    /** The built sources an enumerator was created for in this JVM, by {@link #id}. */
    private static final Set<String> ENUMERATORS_CREATED = ConcurrentHashMap.newKeySet();

    /** Identifies the built source: every copy deserialized from one job graph shares it. */
    private final String id;

    private final long millis;

    /** Whether an enumerator of this job was created before (LATEST is resolved already). */
    private final boolean restarted;

    private JobStart(String id, long millis, boolean restarted) {
        this.id = id;
        this.millis = millis;
        this.restarted = restarted;
    }

    /** A job that starts now: called when a source is built. */
    public static JobStart now() {
        return new JobStart(UUID.randomUUID().toString(), System.currentTimeMillis(), false);
    }

    /** A job that started at {@code millis}, as a restored checkpoint records it. */
    public static JobStart restartedAt(long millis) {
        return new JobStart("restored", millis, true);
    }

    /** A job that started at {@code millis}; for tests. */
    static JobStart at(long millis, boolean restarted) {
        return new JobStart(UUID.randomUUID().toString(), millis, restarted);
    }

    /**
     * This start as an enumerator being created sees it: restarted if an enumerator of the same
     * built source was created in this JVM before. Call once per enumerator.
     */
    public JobStart forNewEnumerator() {
        return ENUMERATORS_CREATED.add(id) ? this : new JobStart(id, millis, true);
    }

    /** Epoch millis of the start. */
    public long millis() {
        return millis;
    }

    /**
     * Epoch millis where a bounded read ends: the start plus {@link #BOUNDED_END_MARGIN_MILLIS}.
     */
    public long boundedEndMillis() {
        return millis + BOUNDED_END_MARGIN_MILLIS;
    }

    /** Whether a LATEST iterator taken at {@code nowMillis} still stands for the job's start. */
    public boolean latestIteratorsStandForStart(long nowMillis) {
        return !restarted && nowMillis - millis <= LATEST_ITERATOR_DEADLINE_MILLIS;
    }

    /** When LATEST is resolved by creation time: records created before this are skipped. */
    public long latestCutoffMillis() {
        return millis - CREATION_TIME_MARGIN_MILLIS;
    }

    @Override
    public String toString() {
        return "JobStart{" + millis + (restarted ? ", restarted" : "") + "}";
    }
}
