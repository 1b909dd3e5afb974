package io.github.ddbstreams.flink.table;

import org.apache.flink.annotation.Internal;

/**
 * An attribute value that does not fit its column's type. Nested converters prefix the message with
 * the path inside the attribute (a ROW field, a MAP key, an element index) as the error travels up,
 * so building the path costs nothing unless a conversion fails.
 */
@Internal
final class AttributeConversionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AttributeConversionException(String message) {
        super(message, null, false, false);
    }

    /** The same error, one level further out: {@code where} names the nested position. */
    AttributeConversionException within(String where) {
        return new AttributeConversionException(where + ": " + getMessage());
    }
}
