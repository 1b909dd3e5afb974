package io.github.ddbstreams.flink.source.split;

import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * Where a reader (re)starts in one shard. Immutable.
 *
 * <ul>
 *   <li>{@link Kind#TRIM_HORIZON}: from the shard's first retained record.
 *   <li>{@link Kind#AFTER_SEQUENCE_NUMBER}: after the last record emitted (the checkpointed
 *       position once a record of the shard has been emitted).
 *   <li>{@link Kind#LATEST_ITERATOR}: a {@code LATEST} iterator obtained when the job started,
 *       refreshed while the shard is polled; {@code timestampMillis} is the job's start time. If
 *       the iterator has expired, reading falls back to {@link Kind#TRIM_HORIZON} and skips records
 *       created before the start time (minus the endpoint's timestamp precision), so nothing
 *       written after the start is lost.
 *   <li>{@link Kind#AT_TIMESTAMP}: from the shard's first retained record, skipping records whose
 *       {@code ApproximateCreationDateTime} (whole seconds) is before {@code timestampMillis}
 *       truncated to the second.
 * </ul>
 */
@Internal
public final class ShardPosition {

    /** Kinds of shard positions; the ordinal is part of the serialized form, append only. */
    public enum Kind {
        TRIM_HORIZON,
        AFTER_SEQUENCE_NUMBER,
        LATEST_ITERATOR,
        AT_TIMESTAMP
    }

    private static final ShardPosition TRIM_HORIZON =
            new ShardPosition(Kind.TRIM_HORIZON, null, -1);

    private final Kind kind;

    /** Sequence number (AFTER_SEQUENCE_NUMBER) or shard iterator (LATEST_ITERATOR). */
    @Nullable private final String value;

    private final long timestampMillis;

    private ShardPosition(Kind kind, @Nullable String value, long timestampMillis) {
        this.kind = kind;
        this.value = value;
        this.timestampMillis = timestampMillis;
    }

    public static ShardPosition trimHorizon() {
        return TRIM_HORIZON;
    }

    public static ShardPosition afterSequenceNumber(String sequenceNumber) {
        return new ShardPosition(
                Kind.AFTER_SEQUENCE_NUMBER, Objects.requireNonNull(sequenceNumber), -1);
    }

    public static ShardPosition latestIterator(String iterator, long jobStartMillis) {
        return new ShardPosition(
                Kind.LATEST_ITERATOR, Objects.requireNonNull(iterator), jobStartMillis);
    }

    public static ShardPosition atTimestamp(long timestampMillis) {
        return new ShardPosition(Kind.AT_TIMESTAMP, null, timestampMillis);
    }

    /** Rebuilds a position from its serialized parts. */
    public static ShardPosition of(Kind kind, @Nullable String value, long timestampMillis) {
        switch (kind) {
            case TRIM_HORIZON:
                return TRIM_HORIZON;
            case AFTER_SEQUENCE_NUMBER:
                return afterSequenceNumber(value);
            case LATEST_ITERATOR:
                return latestIterator(value, timestampMillis);
            case AT_TIMESTAMP:
                return atTimestamp(timestampMillis);
            default:
                throw new IllegalArgumentException("Unknown shard position kind " + kind);
        }
    }

    public Kind getKind() {
        return kind;
    }

    /** The sequence number or iterator, or null for kinds without one. */
    @Nullable
    public String getValue() {
        return value;
    }

    /** The timestamp of LATEST_ITERATOR / AT_TIMESTAMP positions, -1 otherwise. */
    public long getTimestampMillis() {
        return timestampMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ShardPosition)) {
            return false;
        }
        ShardPosition that = (ShardPosition) o;
        return kind == that.kind
                && timestampMillis == that.timestampMillis
                && Objects.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, value, timestampMillis);
    }

    @Override
    public String toString() {
        switch (kind) {
            case AFTER_SEQUENCE_NUMBER:
                return "AFTER_SEQUENCE_NUMBER(" + value + ")";
            case LATEST_ITERATOR:
                // Iterators are long opaque strings; the start time is what helps a reader of logs.
                return "LATEST(at " + timestampMillis + ")";
            case AT_TIMESTAMP:
                return "AT_TIMESTAMP(" + timestampMillis + ")";
            default:
                return kind.name();
        }
    }
}
