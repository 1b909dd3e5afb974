package io.github.ddbstreams.flink.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.ddbstreams.flink.arn.StreamArns;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.PublicEvolving;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Converts a {@link ChangeEvent} to JSON, for jobs that read the default event type and write JSON
 * further on (the {@link JsonChangeDeserializer} writes the same documents straight from the
 * source). Thread-safe. The JSON library (Jackson) stays an implementation detail: only strings
 * cross this API.
 *
 * <p>{@link JsonStyle#PLAIN} and {@link JsonStyle#DYNAMODB_JSON} documents hold, in this order:
 * {@code eventName}, {@code eventId}, {@code streamArn}, {@code tableName}, {@code shardId}, {@code
 * sequenceNumber}, {@code approximateCreationTime} (ISO-8601 UTC, or null), {@code ttlDelete},
 * {@code keys}, {@code oldImage} and {@code newImage} (null when the record carried none).
 *
 * <p>{@link JsonStyle#DEBEZIUM} documents hold {@code before}, {@code after}, {@code op} ({@code c}
 * for INSERT, {@code u} for MODIFY, {@code d} for REMOVE, {@code r} for a SNAPSHOT row, whose
 * {@code sequence_number} is null), {@code ts_ms} (the change's approximate creation time in epoch
 * milliseconds: the record's own time, so a replay writes the same bytes) and {@code source}
 * ({@code connector}, {@code table}, {@code stream_arn}, {@code shard_id}, {@code sequence_number},
 * {@code ts_ms}, {@code ttl_delete}). When the stream's view type leaves out an image that the
 * operation needs (an old image for an update or delete, a new image for an insert or update) the
 * key attributes stand in for it, as Debezium itself does for deletes of tables without a full
 * replica identity, so consumers still see which row changed.
 */
@PublicEvolving
public final class ChangeEventJson {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private ChangeEventJson() {}

    /** The event as a JSON document of the given style. */
    public static String toJson(ChangeEvent event, JsonStyle style) {
        StringWriter text = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            switch (style) {
                case PLAIN:
                    writeDocument(event, json, false);
                    break;
                case DYNAMODB_JSON:
                    writeDocument(event, json, true);
                    break;
                case DEBEZIUM:
                    writeDebezium(event, json);
                    break;
                default:
                    throw new IllegalArgumentException("Unknown JSON style " + style);
            }
        } catch (IOException e) {
            // A StringWriter never fails; Jackson declares the exception for other targets.
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    /** Shorthand for {@code toJson(event, JsonStyle.PLAIN)}. */
    public static String toPlainJson(ChangeEvent event) {
        return toJson(event, JsonStyle.PLAIN);
    }

    /** Shorthand for {@code toJson(event, JsonStyle.DYNAMODB_JSON)}. */
    public static String toDynamoDbJson(ChangeEvent event) {
        return toJson(event, JsonStyle.DYNAMODB_JSON);
    }

    /** Shorthand for {@code toJson(event, JsonStyle.DEBEZIUM)}. */
    public static String toDebeziumJson(ChangeEvent event) {
        return toJson(event, JsonStyle.DEBEZIUM);
    }

    /** An item or image (for example {@link ChangeEvent#getNewImage()}) as a plain JSON object. */
    public static String itemToPlainJson(Map<String, AttributeValue> item) {
        return itemToJson(item, false);
    }

    /** An item or image as a DynamoDB JSON object. */
    public static String itemToDynamoDbJson(Map<String, AttributeValue> item) {
        return itemToJson(item, true);
    }

    private static String itemToJson(Map<String, AttributeValue> item, boolean typed) {
        StringWriter text = new StringWriter(128);
        try (JsonGenerator json = JSON.createGenerator(text)) {
            writeItem(item, json, typed);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }

    private static void writeDocument(ChangeEvent event, JsonGenerator json, boolean typed)
            throws IOException {
        json.writeStartObject();
        json.writeStringField("eventName", event.getEventName().name());
        writeNullableString(json, "eventId", event.getEventId());
        json.writeStringField("streamArn", event.getStreamArn());
        writeNullableString(json, "tableName", StreamArns.tableName(event.getStreamArn()));
        json.writeStringField("shardId", event.getShardId());
        writeNullableString(json, "sequenceNumber", event.getSequenceNumber());
        Instant created = event.getApproximateCreationTime();
        writeNullableString(
                json, "approximateCreationTime", created == null ? null : created.toString());
        json.writeBooleanField("ttlDelete", event.isTtlDelete());
        json.writeFieldName("keys");
        writeItem(event.getKeys(), json, typed);
        json.writeFieldName("oldImage");
        writeImage(event.getOldImage(), json, typed);
        json.writeFieldName("newImage");
        writeImage(event.getNewImage(), json, typed);
        json.writeEndObject();
    }

    private static void writeDebezium(ChangeEvent event, JsonGenerator json) throws IOException {
        Map<String, AttributeValue> keys = event.getKeys();
        Map<String, AttributeValue> oldImage = event.hasOldImage() ? event.getOldImage() : keys;
        Map<String, AttributeValue> newImage = event.hasNewImage() ? event.getNewImage() : keys;
        Instant created = event.getApproximateCreationTime();
        json.writeStartObject();
        json.writeFieldName("before");
        ChangeEvent.EventName name = event.getEventName();
        boolean noBefore =
                name == ChangeEvent.EventName.INSERT || name == ChangeEvent.EventName.SNAPSHOT;
        writeImage(noBefore ? null : oldImage, json);
        json.writeFieldName("after");
        writeImage(event.getEventName() == ChangeEvent.EventName.REMOVE ? null : newImage, json);
        json.writeStringField("op", debeziumOp(event.getEventName()));
        writeNullableMillis(json, "ts_ms", created);
        json.writeObjectFieldStart("source");
        json.writeStringField("connector", "dynamodb-streams");
        writeNullableString(json, "table", StreamArns.tableName(event.getStreamArn()));
        json.writeStringField("stream_arn", event.getStreamArn());
        json.writeStringField("shard_id", event.getShardId());
        writeNullableString(json, "sequence_number", event.getSequenceNumber());
        writeNullableMillis(json, "ts_ms", created);
        json.writeBooleanField("ttl_delete", event.isTtlDelete());
        json.writeEndObject();
        json.writeEndObject();
    }

    private static String debeziumOp(ChangeEvent.EventName eventName) {
        switch (eventName) {
            case INSERT:
                return "c";
            case MODIFY:
                return "u";
            case REMOVE:
                return "d";
            case SNAPSHOT:
                return "r";
            default:
                throw new IllegalArgumentException("Unknown event name " + eventName);
        }
    }

    private static void writeImage(@Nullable Map<String, AttributeValue> image, JsonGenerator json)
            throws IOException {
        if (image == null || image.isEmpty()) {
            json.writeNull();
        } else {
            AttributeValueJson.writePlainItem(image, json);
        }
    }

    private static void writeImage(
            Map<String, AttributeValue> image, JsonGenerator json, boolean typed)
            throws IOException {
        if (image.isEmpty()) {
            json.writeNull();
        } else {
            writeItem(image, json, typed);
        }
    }

    private static void writeItem(
            Map<String, AttributeValue> item, JsonGenerator json, boolean typed)
            throws IOException {
        if (typed) {
            AttributeValueJson.writeTypedItem(item, json);
        } else {
            AttributeValueJson.writePlainItem(item, json);
        }
    }

    private static void writeNullableString(
            JsonGenerator json, String field, @Nullable String value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeStringField(field, value);
        }
    }

    private static void writeNullableMillis(
            JsonGenerator json, String field, @Nullable Instant value) throws IOException {
        if (value == null) {
            json.writeNullField(field);
        } else {
            json.writeNumberField(field, value.toEpochMilli());
        }
    }
}
