package io.github.ddbstreams.flink.format;

import java.util.Objects;
import org.apache.flink.annotation.PublicEvolving;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * Emits one JSON document (a {@code String}) per stream record, in one of the {@link JsonStyle}s;
 * the documents are those of {@link ChangeEventJson}. For example, to write a table's changes to
 * Kafka for Flink's {@code debezium-json} format: {@code JsonChangeDeserializer.debezium()}.
 *
 * <p>A record that cannot be converted (no {@code dynamodb} part, an unknown event name, a number
 * that is not a number) fails with an {@link IllegalArgumentException}, handled by the source's
 * deserialization error policy.
 */
@PublicEvolving
public final class JsonChangeDeserializer implements DynamoDbStreamsDeserializer<String> {

    private static final long serialVersionUID = 1L;

    private final JsonStyle style;

    private JsonChangeDeserializer(JsonStyle style) {
        this.style = Objects.requireNonNull(style, "style");
    }

    /** Documents of the given style. */
    public static JsonChangeDeserializer of(JsonStyle style) {
        return new JsonChangeDeserializer(style);
    }

    /** Plain JSON: attribute types unwrapped ({@link JsonStyle#PLAIN}). */
    public static JsonChangeDeserializer plain() {
        return of(JsonStyle.PLAIN);
    }

    /** DynamoDB JSON: attribute values wrapped in their types ({@link JsonStyle#DYNAMODB_JSON}). */
    public static JsonChangeDeserializer dynamoDbJson() {
        return of(JsonStyle.DYNAMODB_JSON);
    }

    /** Debezium change envelopes ({@link JsonStyle#DEBEZIUM}). */
    public static JsonChangeDeserializer debezium() {
        return of(JsonStyle.DEBEZIUM);
    }

    /** The style of the documents this deserializer writes. */
    public JsonStyle getStyle() {
        return style;
    }

    @Override
    public void deserialize(
            Record record, String streamArn, String shardId, Collector<String> out) {
        out.collect(
                ChangeEventJson.toJson(ChangeEvent.fromRecord(record, streamArn, shardId), style));
    }

    @Override
    public TypeInformation<String> getProducedType() {
        return Types.STRING;
    }
}
