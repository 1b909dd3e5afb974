package io.github.ddbstreams.flink.format;

import org.apache.flink.annotation.PublicEvolving;

/**
 * The JSON documents {@link ChangeEventJson} and {@link JsonChangeDeserializer} write for a change.
 * docs/formats.md shows an example of each.
 */
@PublicEvolving
public enum JsonStyle {
    /**
     * The change's metadata with keys and images as plain JSON: {@code S} as string, {@code N} as
     * an exact number, {@code B} as base64, {@code BOOL}, {@code NULL} as null, {@code M} as
     * object, {@code L} and the sets as arrays.
     */
    PLAIN,
    /**
     * The same document with keys and images in DynamoDB JSON, each value wrapped in its type
     * ({@code {"N": "1.5"}}), as DynamoDB's API and exports write them: nothing is lost (a set
     * stays a set, a number keeps DynamoDB's spelling).
     */
    DYNAMODB_JSON,
    /**
     * A Debezium change envelope ({@code before}, {@code after}, {@code op}, {@code ts_ms}, {@code
     * source}) with plain JSON images, readable by Flink's {@code debezium-json} format.
     */
    DEBEZIUM
}
