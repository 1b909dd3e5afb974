package io.github.ddbstreams.flink.table;

import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.util.List;
import java.util.Objects;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * What the table options say about the DataStream source: everything the public {@link
 * DynamoDbStreamsSourceBuilder} takes except the deserializer. The table source builds its source
 * only through {@link #build}, so SQL and DataStream jobs share one construction path and one
 * validation.
 */
@Internal
final class SourceSettings {

    /** The DataStream options reachable from SQL under their own keys. */
    static final List<ConfigOption<?>> FORWARDED_OPTIONS = DynamoDbStreamsSourceOptions.all();

    @Nullable private final String streamArn;
    @Nullable private final String tableName;
    private final StartingPosition startingPosition;
    private final AwsConfig awsConfig;
    private final boolean bounded;
    private final Configuration forwarded;

    SourceSettings(
            @Nullable String streamArn,
            @Nullable String tableName,
            StartingPosition startingPosition,
            AwsConfig awsConfig,
            boolean bounded,
            ReadableConfig tableOptions) {
        this.streamArn = streamArn;
        this.tableName = tableName;
        this.startingPosition = startingPosition;
        this.awsConfig = awsConfig;
        this.bounded = bounded;
        this.forwarded = new Configuration();
        for (ConfigOption<?> option : FORWARDED_OPTIONS) {
            copy(option, tableOptions, forwarded);
        }
    }

    /**
     * Builds the source through the public builder.
     *
     * @throws IllegalArgumentException from the builder's validation
     */
    <T> DynamoDbStreamsSource<T> build(DynamoDbStreamsDeserializer<T> deserializer) {
        DynamoDbStreamsSourceBuilder<T> builder =
                DynamoDbStreamsSource.<T>builder()
                        .startingPosition(startingPosition)
                        .awsConfig(awsConfig)
                        .deserializer(deserializer);
        if (streamArn != null) {
            builder.streamArn(streamArn);
        }
        if (tableName != null) {
            builder.tableName(tableName);
        }
        if (bounded) {
            builder.bounded();
        }
        for (ConfigOption<?> option : FORWARDED_OPTIONS) {
            forward(option, builder);
        }
        return builder.build();
    }

    private <V> void forward(ConfigOption<V> option, DynamoDbStreamsSourceBuilder<?> builder) {
        forwarded.getOptional(option).ifPresent(value -> builder.setConfig(option, value));
    }

    private static <V> void copy(ConfigOption<V> option, ReadableConfig from, Configuration to) {
        from.getOptional(option).ifPresent(value -> to.set(option, value));
    }

    AwsConfig awsConfig() {
        return awsConfig;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof SourceSettings)) {
            return false;
        }
        SourceSettings that = (SourceSettings) o;
        return bounded == that.bounded
                && Objects.equals(streamArn, that.streamArn)
                && Objects.equals(tableName, that.tableName)
                && startingPosition.equals(that.startingPosition)
                && awsConfig.equals(that.awsConfig)
                && forwarded.equals(that.forwarded);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamArn, tableName, startingPosition, bounded);
    }

    @Override
    public String toString() {
        return "SourceSettings{"
                + (streamArn != null ? "streamArn=" + streamArn : "tableName=" + tableName)
                + ", startingPosition="
                + startingPosition
                + ", bounded="
                + bounded
                + ", "
                + awsConfig
                + ", options="
                + forwarded
                + '}';
    }
}
