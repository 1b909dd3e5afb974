package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;

/**
 * Where a job that starts without a checkpoint begins reading a stream. A job restored from a
 * checkpoint or savepoint always continues from its checkpointed sequence numbers instead.
 *
 * <ul>
 *   <li>{@link #trimHorizon()}: every record still retained by the stream (up to 24 h old).
 *   <li>{@link #latest()}: only records written after the job started. The point is fixed once,
 *       when the source is built, so records written while readers are still being scheduled, or
 *       before a failover that finds no checkpoint, are not skipped.
 *   <li>{@link #atTimestamp(Instant)}: every record whose {@code ApproximateCreationDateTime} is at
 *       or after the given instant (DynamoDB Streams reports it in whole seconds).
 *   <li>{@link #initialSnapshot()}: the table's contents when the job starts, read by a parallel
 *       {@code Scan}, as {@link ChangeEvent.EventName#SNAPSHOT SNAPSHOT} rows, then every change
 *       after; with the builder's {@code bounded()}, the contents only.
 * </ul>
 */
@PublicEvolving
public final class StartingPosition implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The kind of a starting position. */
    @PublicEvolving
    public enum Kind {
        TRIM_HORIZON,
        LATEST,
        AT_TIMESTAMP,
        INITIAL_SNAPSHOT
    }

    private final Kind kind;
    private final long timestampMillis;

    private StartingPosition(Kind kind, long timestampMillis) {
        this.kind = kind;
        this.timestampMillis = timestampMillis;
    }

    /** Starts at the oldest record the stream retains. */
    public static StartingPosition trimHorizon() {
        return new StartingPosition(Kind.TRIM_HORIZON, -1);
    }

    /**
     * Starts after the newest record at the moment the job starts: when the source is built (see
     * the usage guide for a job submitted long after that).
     */
    public static StartingPosition latest() {
        return new StartingPosition(Kind.LATEST, -1);
    }

    /**
     * Reads the table's current contents first: a parallel {@code Scan} of the table (the one a
     * stream ARN names, or the configured table), strongly consistent, checkpointed page by page,
     * each item as one {@link ChangeEvent.EventName#SNAPSHOT SNAPSHOT} row. The stream's positions
     * are fixed (as for {@link #latest()}) before the first page is read.
     *
     * <p>With the builder's {@code bounded()}, the source reads the contents and finishes. Without,
     * every change after the snapshot's start follows, and each item's rows form one valid history
     * (no state twice, never an older state after a newer one): add such a source with {@link
     * DynamoDbStreamsSource#addTo}, which merges the contents with the changes per item. Options:
     * {@code source.snapshot.*} in {@link DynamoDbStreamsSourceOptions}.
     */
    public static StartingPosition initialSnapshot() {
        return new StartingPosition(Kind.INITIAL_SNAPSHOT, -1);
    }

    /** Starts at the first record created at or after {@code timestamp}. */
    public static StartingPosition atTimestamp(Instant timestamp) {
        Objects.requireNonNull(
                timestamp, "startingPosition atTimestamp: timestamp must not be null");
        return new StartingPosition(Kind.AT_TIMESTAMP, timestamp.toEpochMilli());
    }

    public Kind getKind() {
        return kind;
    }

    /** The timestamp of an {@link Kind#AT_TIMESTAMP} position; empty otherwise. */
    public Instant getTimestamp() {
        if (kind != Kind.AT_TIMESTAMP) {
            throw new IllegalStateException(
                    "Only AT_TIMESTAMP positions have a timestamp: " + this);
        }
        return Instant.ofEpochMilli(timestampMillis);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StartingPosition)) {
            return false;
        }
        StartingPosition that = (StartingPosition) o;
        return kind == that.kind && timestampMillis == that.timestampMillis;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, timestampMillis);
    }

    @Override
    public String toString() {
        return kind == Kind.AT_TIMESTAMP
                ? "AT_TIMESTAMP(" + Instant.ofEpochMilli(timestampMillis) + ")"
                : kind.name();
    }
}
