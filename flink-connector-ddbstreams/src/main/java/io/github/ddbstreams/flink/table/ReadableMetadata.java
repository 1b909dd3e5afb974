package io.github.ddbstreams.flink.table;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.GenericMapData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Identity;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;

/** The metadata columns of the table source: facts about the stream record, not the item. */
@Internal
enum ReadableMetadata {
    EVENT_NAME(
            "event_name",
            DataTypes.STRING().notNull(),
            (r, arn, shard) -> StringData.fromString(r.eventNameAsString())),
    EVENT_ID("event_id", DataTypes.STRING(), (r, arn, shard) -> string(r.eventID())),
    /** Null on snapshot rows. */
    SEQUENCE_NUMBER(
            "sequence_number",
            DataTypes.STRING(),
            (r, arn, shard) -> string(r.dynamodb().sequenceNumber())),
    SHARD_ID(
            "shard_id",
            DataTypes.STRING().notNull(),
            (r, arn, shard) -> StringData.fromString(shard)),
    APPROXIMATE_CREATION_TIME(
            "approximate_creation_time",
            DataTypes.TIMESTAMP_LTZ(3),
            (r, arn, shard) -> {
                Instant created = r.dynamodb().approximateCreationDateTime();
                return created == null ? null : TimestampData.fromInstant(created);
            }),
    SIZE_BYTES("size_bytes", DataTypes.BIGINT(), (r, arn, shard) -> r.dynamodb().sizeBytes()),
    IS_TTL_DELETE(
            "is_ttl_delete",
            DataTypes.BOOLEAN().notNull(),
            (r, arn, shard) -> isTtlDelete(r.userIdentity())),
    STREAM_ARN(
            "stream_arn",
            DataTypes.STRING().notNull(),
            (r, arn, shard) -> StringData.fromString(arn)),
    KEYS(
            "keys",
            DataTypes.MAP(DataTypes.STRING(), DataTypes.STRING()),
            (r, arn, shard) -> keys(r.dynamodb()));

    /** Reads one metadata value of a record, as Flink internal data. */
    @FunctionalInterface
    interface Reader {
        @Nullable
        Object read(Record record, String streamArn, String shardId);
    }

    private final String key;
    private final DataType dataType;
    private final Reader reader;

    ReadableMetadata(String key, DataType dataType, Reader reader) {
        this.key = key;
        this.dataType = dataType;
        this.reader = reader;
    }

    String key() {
        return key;
    }

    DataType dataType() {
        return dataType;
    }

    @Nullable
    Object read(Record record, String streamArn, String shardId) {
        return reader.read(record, streamArn, shardId);
    }

    /** The metadata of {@code key}; the planner passes only keys this source listed. */
    static ReadableMetadata ofKey(String key) {
        for (ReadableMetadata metadata : values()) {
            if (metadata.key.equals(key)) {
                return metadata;
            }
        }
        throw new IllegalArgumentException("Unknown metadata key: " + key);
    }

    @Nullable
    private static StringData string(@Nullable String value) {
        return value == null ? null : StringData.fromString(value);
    }

    private static boolean isTtlDelete(@Nullable Identity identity) {
        return identity != null
                && "Service".equals(identity.type())
                && "dynamodb.amazonaws.com".equals(identity.principalId());
    }

    /** Key attributes as text: S as is, N as its decimal text, B in Base64. */
    private static GenericMapData keys(StreamRecord change) {
        Map<Object, Object> keys = new LinkedHashMap<>();
        if (change.hasKeys()) {
            for (Map.Entry<String, AttributeValue> key : change.keys().entrySet()) {
                AttributeValue value = key.getValue();
                String text;
                switch (value.type()) {
                    case S:
                        text = value.s();
                        break;
                    case N:
                        text = value.n();
                        break;
                    case B:
                        text =
                                java.util.Base64.getEncoder()
                                        .encodeToString(value.b().asByteArray());
                        break;
                    default:
                        text = value.toString();
                }
                keys.put(StringData.fromString(key.getKey()), StringData.fromString(text));
            }
        }
        return new GenericMapData(keys);
    }
}
