package io.github.ddbstreams.flink.format;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.annotation.PublicEvolving;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Decides which stream records reach a deserializer: by event name, by whether TTL made a delete,
 * and by user predicates on the change. Wrap any deserializer with {@link #wrap}:
 *
 * <pre>{@code
 * DynamoDbStreamsDeserializer<String> json =
 *         ChangeFilter.builder()
 *                 .eventNames(ChangeEvent.EventName.INSERT, ChangeEvent.EventName.MODIFY)
 *                 .ttlDeletes(ChangeFilter.TtlDeletes.EXCLUDE)
 *                 .where(change -> change.getNewImage().containsKey("status"))
 *                 .build()
 *                 .wrap(JsonChangeDeserializer.plain());
 * }</pre>
 *
 * <p>The filter runs before the wrapped deserializer, so a dropped record costs no deserialization.
 * Event name and TTL are read from the raw record; predicates see the record as a {@link
 * ChangeEvent}, built only when the cheaper tests passed. A dropped record produces no output but
 * still moves the source's checkpointed position past it, as any record does whatever its
 * deserializer emitted: after a restore, dropped records are not read again.
 */
@PublicEvolving
public final class ChangeFilter implements Serializable {

    private static final long serialVersionUID = 1L;

    /** What to do with deletes made by DynamoDB's Time to Live. */
    @PublicEvolving
    public enum TtlDeletes {
        /** Keep them, like any other change (the default). */
        INCLUDE,
        /** Drop them: only changes made by requests pass (deletes included). */
        EXCLUDE,
        /** Keep only them: every other change is dropped. */
        ONLY
    }

    private final EnumSet<ChangeEvent.EventName> eventNames;
    private final TtlDeletes ttlDeletes;
    private final List<SerializablePredicate<ChangeEvent>> predicates;

    private ChangeFilter(Builder builder) {
        this.eventNames = EnumSet.copyOf(builder.eventNames);
        this.ttlDeletes = builder.ttlDeletes;
        this.predicates = Collections.unmodifiableList(new ArrayList<>(builder.predicates));
    }

    /** A builder that, unchanged, accepts every record. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Whether the record passes.
     *
     * @throws IllegalArgumentException if a predicate needs the record as a {@link ChangeEvent} and
     *     it cannot be converted
     */
    public boolean test(Record record, String streamArn, String shardId) {
        if (!acceptsEventName(record)) {
            return false;
        }
        if (ttlDeletes != TtlDeletes.INCLUDE) {
            boolean ttl = ChangeEvent.isTtlDelete(record);
            if (ttl != (ttlDeletes == TtlDeletes.ONLY)) {
                return false;
            }
        }
        if (predicates.isEmpty()) {
            return true;
        }
        ChangeEvent change = ChangeEvent.fromRecord(record, streamArn, shardId);
        for (SerializablePredicate<ChangeEvent> predicate : predicates) {
            if (!predicate.test(change)) {
                return false;
            }
        }
        return true;
    }

    /** A deserializer that hands {@code delegate} only the records this filter accepts. */
    public <T> DynamoDbStreamsDeserializer<T> wrap(DynamoDbStreamsDeserializer<T> delegate) {
        return new FilteringDeserializer<>(this, delegate);
    }

    private boolean acceptsEventName(Record record) {
        if (eventNames.size() == ChangeEvent.EventName.values().length) {
            // Unknown names pass on to the deserializer, which reports them instead of a silent
            // drop.
            return true;
        }
        String name = record.eventNameAsString();
        for (ChangeEvent.EventName accepted : eventNames) {
            if (accepted.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "ChangeFilter{eventNames="
                + eventNames
                + ", ttlDeletes="
                + ttlDeletes
                + ", predicates="
                + predicates.size()
                + "}";
    }

    /** Builds a {@link ChangeFilter}; every condition set must hold for a record to pass. */
    @PublicEvolving
    public static final class Builder {
        private Set<ChangeEvent.EventName> eventNames = EnumSet.allOf(ChangeEvent.EventName.class);
        private TtlDeletes ttlDeletes = TtlDeletes.INCLUDE;
        private final List<SerializablePredicate<ChangeEvent>> predicates = new ArrayList<>();

        private Builder() {}

        /** Only these kinds of change pass (default: all). */
        public Builder eventNames(ChangeEvent.EventName... names) {
            if (names.length == 0) {
                throw new IllegalArgumentException("At least one event name must pass");
            }
            this.eventNames = EnumSet.copyOf(Arrays.asList(names));
            return this;
        }

        /** What happens to deletes made by Time to Live (default: {@link TtlDeletes#INCLUDE}). */
        public Builder ttlDeletes(TtlDeletes ttlDeletes) {
            this.ttlDeletes = Objects.requireNonNull(ttlDeletes, "ttlDeletes");
            return this;
        }

        /**
         * Adds a condition on the change (its keys, images, event name...); all conditions must
         * hold. Runs on the reader for every record that passed the event name and TTL tests, so
         * keep it cheap and free of side effects.
         */
        public Builder where(SerializablePredicate<ChangeEvent> predicate) {
            predicates.add(Objects.requireNonNull(predicate, "predicate"));
            return this;
        }

        public ChangeFilter build() {
            return new ChangeFilter(this);
        }
    }
}
