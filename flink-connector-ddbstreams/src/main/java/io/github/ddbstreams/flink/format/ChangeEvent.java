package io.github.ddbstreams.flink.format;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.format.typeutils.ChangeEventSerializer;
import io.github.ddbstreams.flink.format.typeutils.ChangeEventTypeInfo;
import io.github.ddbstreams.flink.format.typeutils.ChangeEventTypeInfoFactory;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInfo;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/**
 * One item-level change read from a DynamoDB stream: the source's default record type. Immutable.
 *
 * <p>Attribute values are the AWS SDK's own {@link AttributeValue}s, so their API is the familiar
 * one. Flink serializes the event with its own {@link ChangeEventSerializer} (never Kryo): {@code
 * TypeInformation.of(ChangeEvent.class)} returns {@link ChangeEventTypeInfo}, so jobs run with
 * {@code pipeline.generic-types: false}.
 *
 * <p>Which images are present depends on the stream's view type and on the event: an INSERT has no
 * old image, a REMOVE no new image, a {@code KEYS_ONLY} stream neither. An absent image is an
 * <b>empty map</b>, never null; {@link #hasOldImage()} and {@link #hasNewImage()} tell whether the
 * record carried one (a present image always holds at least the key attributes).
 */
@PublicEvolving
@TypeInfo(ChangeEventTypeInfoFactory.class)
public final class ChangeEvent {

    /** The kind of change, as DynamoDB Streams' {@code eventName}. */
    @PublicEvolving
    public enum EventName {
        /** A new item was added. */
        INSERT,
        /** An existing item's attributes changed. */
        MODIFY,
        /** An item was deleted (by a request, or by TTL: see {@link ChangeEvent#isTtlDelete()}). */
        REMOVE,
        /**
         * Not a change: an item as a snapshot of the table read it (its new image), before the
         * stream's changes to it. It has no sequence number; its creation time is when it was read.
         * Debezium's op {@code r}.
         */
        SNAPSHOT
    }

    private static final String TTL_IDENTITY_TYPE = "Service";
    private static final String TTL_PRINCIPAL = "dynamodb.amazonaws.com";

    private final String streamArn;
    private final String shardId;
    private final String sequenceNumber;
    @Nullable private final String eventId;
    private final EventName eventName;
    @Nullable private final Instant approximateCreationTime;
    private final long sizeBytes;
    private final boolean ttlDelete;
    private final Map<String, AttributeValue> keys;
    private final Map<String, AttributeValue> oldImage;
    private final Map<String, AttributeValue> newImage;

    private ChangeEvent(Builder b) {
        this.streamArn = Objects.requireNonNull(b.streamArn, "streamArn");
        this.shardId = Objects.requireNonNull(b.shardId, "shardId");
        this.eventName = Objects.requireNonNull(b.eventName, "eventName");
        this.sequenceNumber =
                eventName == EventName.SNAPSHOT
                        ? b.sequenceNumber
                        : Objects.requireNonNull(b.sequenceNumber, "sequenceNumber");
        this.eventId = b.eventId;
        this.approximateCreationTime = b.approximateCreationTime;
        this.sizeBytes = b.sizeBytes;
        this.ttlDelete = b.ttlDelete;
        this.keys = immutableCopy(b.keys);
        this.oldImage = immutableCopy(b.oldImage);
        this.newImage = immutableCopy(b.newImage);
    }

    /**
     * Converts a record as the AWS SDK returned it.
     *
     * @throws IllegalArgumentException if the record has no {@code dynamodb} part, or an event name
     *     other than INSERT, MODIFY, REMOVE or SNAPSHOT
     * @throws NullPointerException if a change (not a snapshot row) has no sequence number
     */
    public static ChangeEvent fromRecord(Record record, String streamArn, String shardId) {
        StreamRecord change = record.dynamodb();
        if (change == null) {
            throw new IllegalArgumentException(
                    "Stream record " + record.eventID() + " of shard " + shardId + " has no data");
        }
        return builder()
                .streamArn(streamArn)
                .shardId(shardId)
                .sequenceNumber(change.sequenceNumber())
                .eventId(record.eventID())
                .eventName(eventNameOf(record, shardId))
                .approximateCreationTime(change.approximateCreationDateTime())
                .sizeBytes(change.sizeBytes() == null ? 0L : change.sizeBytes())
                .ttlDelete(isTtlIdentity(record.userIdentity()))
                .keys(change.hasKeys() ? change.keys() : null)
                .oldImage(change.hasOldImage() ? change.oldImage() : null)
                .newImage(change.hasNewImage() ? change.newImage() : null)
                .build();
    }

    /** A builder, mostly for tests of jobs that consume change events. */
    public static Builder builder() {
        return new Builder();
    }

    /** The ARN of the stream the event was read from. */
    public String getStreamArn() {
        return streamArn;
    }

    /**
     * The table whose stream the event was read from, as named in the stream ARN; null if the ARN
     * does not have the {@code table/NAME/stream/LABEL} form. With several streams in one source,
     * this (or {@link #getStreamArn()}) tells them apart.
     */
    @Nullable
    public String getTableName() {
        return StreamArns.tableName(streamArn);
    }

    /**
     * The shard the event was read from; for a {@link EventName#SNAPSHOT} row, the snapshot's
     * segment that read it.
     */
    public String getShardId() {
        return shardId;
    }

    /**
     * The record's sequence number: ordered within its shard only, not across shards. Null on a
     * {@link EventName#SNAPSHOT} row, which no stream record carried.
     */
    @Nullable
    public String getSequenceNumber() {
        return sequenceNumber;
    }

    /** The record's unique {@code eventID}, or null if the record had none (never on AWS). */
    @Nullable
    public String getEventId() {
        return eventId;
    }

    public EventName getEventName() {
        return eventName;
    }

    /**
     * When the change was made, at the precision of the endpoint (whole seconds on AWS; DynamoDB
     * Local truncates to the minute), or null if the record had none (never on AWS).
     */
    @Nullable
    public Instant getApproximateCreationTime() {
        return approximateCreationTime;
    }

    /** The size of the stream record in bytes, as DynamoDB reports it (0 if absent). */
    public long getSizeBytes() {
        return sizeBytes;
    }

    /**
     * True if DynamoDB's Time to Live deleted the item: the record's {@code userIdentity} is of
     * type {@code Service} with principal {@code dynamodb.amazonaws.com}.
     */
    public boolean isTtlDelete() {
        return ttlDelete;
    }

    /** The item's primary key attributes; unmodifiable. */
    public Map<String, AttributeValue> getKeys() {
        return keys;
    }

    /** The item before the change; an empty unmodifiable map if the record carried none. */
    public Map<String, AttributeValue> getOldImage() {
        return oldImage;
    }

    /** The item after the change; an empty unmodifiable map if the record carried none. */
    public Map<String, AttributeValue> getNewImage() {
        return newImage;
    }

    /** Whether the record carried an old image. */
    public boolean hasOldImage() {
        return !oldImage.isEmpty();
    }

    /** Whether the record carried a new image. */
    public boolean hasNewImage() {
        return !newImage.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ChangeEvent)) {
            return false;
        }
        ChangeEvent that = (ChangeEvent) o;
        return sizeBytes == that.sizeBytes
                && ttlDelete == that.ttlDelete
                && eventName == that.eventName
                && streamArn.equals(that.streamArn)
                && shardId.equals(that.shardId)
                && Objects.equals(sequenceNumber, that.sequenceNumber)
                && Objects.equals(eventId, that.eventId)
                && Objects.equals(approximateCreationTime, that.approximateCreationTime)
                && keys.equals(that.keys)
                && oldImage.equals(that.oldImage)
                && newImage.equals(that.newImage);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                streamArn,
                shardId,
                sequenceNumber,
                eventId,
                eventName,
                approximateCreationTime,
                sizeBytes,
                ttlDelete,
                keys,
                oldImage,
                newImage);
    }

    /** Short on purpose: images can be large and end up in logs. */
    @Override
    public String toString() {
        return "ChangeEvent{"
                + eventName
                + (ttlDelete ? " (TTL)" : "")
                + ", keys="
                + keys
                + ", seq="
                + sequenceNumber
                + "}";
    }

    private static EventName eventNameOf(Record record, String shardId) {
        String name = record.eventNameAsString();
        if (name != null) {
            for (EventName candidate : EventName.values()) {
                if (candidate.name().equals(name)) {
                    return candidate;
                }
            }
        }
        throw new IllegalArgumentException(
                "Stream record "
                        + record.eventID()
                        + " of shard "
                        + shardId
                        + " has unknown event name "
                        + name);
    }

    /** Whether DynamoDB's Time to Live made this record, without converting the record. */
    static boolean isTtlDelete(Record record) {
        return isTtlIdentity(record.userIdentity());
    }

    private static boolean isTtlIdentity(@Nullable Identity identity) {
        return identity != null
                && TTL_IDENTITY_TYPE.equals(identity.type())
                && TTL_PRINCIPAL.equals(identity.principalId());
    }

    private static Map<String, AttributeValue> immutableCopy(
            @Nullable Map<String, AttributeValue> map) {
        if (map == null || map.isEmpty()) {
            return Collections.emptyMap();
        }
        // LinkedHashMap keeps the SDK's attribute order, so serialized bytes are deterministic.
        Map<String, AttributeValue> copy = new LinkedHashMap<>(map);
        copy.forEach(
                (name, value) -> {
                    Objects.requireNonNull(name, "attribute name");
                    Objects.requireNonNull(value, () -> "value of attribute " + name);
                });
        return Collections.unmodifiableMap(copy);
    }

    /**
     * Builds a {@link ChangeEvent}; stream ARN, shard id, sequence number and event name are
     * required.
     */
    @PublicEvolving
    public static final class Builder {
        private String streamArn;
        private String shardId;
        private String sequenceNumber;
        @Nullable private String eventId;
        private EventName eventName;
        @Nullable private Instant approximateCreationTime;
        private long sizeBytes;
        private boolean ttlDelete;
        @Nullable private Map<String, AttributeValue> keys;
        @Nullable private Map<String, AttributeValue> oldImage;
        @Nullable private Map<String, AttributeValue> newImage;

        private Builder() {}

        public Builder streamArn(String streamArn) {
            this.streamArn = streamArn;
            return this;
        }

        public Builder shardId(String shardId) {
            this.shardId = shardId;
            return this;
        }

        public Builder sequenceNumber(String sequenceNumber) {
            this.sequenceNumber = sequenceNumber;
            return this;
        }

        public Builder eventId(@Nullable String eventId) {
            this.eventId = eventId;
            return this;
        }

        public Builder eventName(EventName eventName) {
            this.eventName = eventName;
            return this;
        }

        public Builder approximateCreationTime(@Nullable Instant approximateCreationTime) {
            this.approximateCreationTime = approximateCreationTime;
            return this;
        }

        public Builder sizeBytes(long sizeBytes) {
            this.sizeBytes = sizeBytes;
            return this;
        }

        public Builder ttlDelete(boolean ttlDelete) {
            this.ttlDelete = ttlDelete;
            return this;
        }

        /** The key attributes; null means none. The map is copied. */
        public Builder keys(@Nullable Map<String, AttributeValue> keys) {
            this.keys = keys;
            return this;
        }

        /** The old image; null or empty means absent. The map is copied. */
        public Builder oldImage(@Nullable Map<String, AttributeValue> oldImage) {
            this.oldImage = oldImage;
            return this;
        }

        /** The new image; null or empty means absent. The map is copied. */
        public Builder newImage(@Nullable Map<String, AttributeValue> newImage) {
            this.newImage = newImage;
            return this;
        }

        /**
         * @throws NullPointerException if a required field is missing
         */
        public ChangeEvent build() {
            return new ChangeEvent(this);
        }
    }
}
