package io.github.ddbstreams.flink.tools;

import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/** Where {@code tail} starts reading. */
enum StartFrom {
    /** The oldest retained record of every lineage (up to 24 h back). */
    TRIM_HORIZON(ShardIteratorType.TRIM_HORIZON),
    /** Only changes made after the tool started, at the open shards' tips. */
    LATEST(ShardIteratorType.LATEST);

    final ShardIteratorType iteratorType;

    StartFrom(ShardIteratorType iteratorType) {
        this.iteratorType = iteratorType;
    }

    String optionValue() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Accepts {@code trim-horizon} and {@code latest}, in any case, with - or _. */
    static final class Converter implements ITypeConverter<StartFrom> {
        @Override
        public StartFrom convert(String value) {
            String normalized = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            for (StartFrom from : values()) {
                if (from.name().equals(normalized)) {
                    return from;
                }
            }
            throw new TypeConversionException(
                    "'" + value + "' is not a starting position; use trim-horizon or latest");
        }
    }
}
