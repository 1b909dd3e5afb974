package io.github.ddbstreams.flink.table;

import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.ATTRIBUTE_MAPPING;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ACCESS_KEY_ID;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_CREDENTIALS_PROVIDER;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_ENDPOINT;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_PROFILE_NAME;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_REGION;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SECRET_ACCESS_KEY;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.AWS_SESSION_TOKEN;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.CHANGELOG_MODE;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.CONVERSION_ON_ERROR;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.SCAN_BOUNDED;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.SCAN_STARTUP_MODE;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.SCAN_STARTUP_TIMESTAMP_MILLIS;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.STREAM_ARN;
import static io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions.TABLE_NAME;

import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.source.StartingPosition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/**
 * Creates the {@code 'connector' = 'dynamodb-streams'} table source from its options ({@link
 * DynamoDbStreamsTableOptions} and the forwarded DataStream options). Every error names the option
 * and what it accepts; secret values never appear in messages.
 */
@Internal
public final class DynamoDbStreamsDynamicTableFactory implements DynamicTableSourceFactory {

    /** The value of {@code 'connector'}. */
    public static final String IDENTIFIER = "dynamodb-streams";

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return Set.of();
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> options =
                new HashSet<>(
                        List.of(
                                STREAM_ARN,
                                TABLE_NAME,
                                AWS_REGION,
                                AWS_ENDPOINT,
                                AWS_CREDENTIALS_PROVIDER,
                                AWS_ACCESS_KEY_ID,
                                AWS_SECRET_ACCESS_KEY,
                                AWS_SESSION_TOKEN,
                                AWS_PROFILE_NAME,
                                DynamoDbStreamsTableOptions.AWS_PROFILE_FILE,
                                DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_ROLE_ARN,
                                DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_TOKEN_FILE,
                                DynamoDbStreamsTableOptions.AWS_WEB_IDENTITY_SESSION_NAME,
                                DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_ARN,
                                DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_SESSION_NAME,
                                DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_EXTERNAL_ID,
                                DynamoDbStreamsTableOptions.AWS_ASSUME_ROLE_DURATION,
                                DynamoDbStreamsTableOptions.AWS_STS_ENDPOINT,
                                DynamoDbStreamsTableOptions.AWS_API_CALL_ATTEMPT_TIMEOUT,
                                SCAN_STARTUP_MODE,
                                SCAN_STARTUP_TIMESTAMP_MILLIS,
                                SCAN_BOUNDED,
                                CHANGELOG_MODE,
                                CONVERSION_ON_ERROR,
                                ATTRIBUTE_MAPPING,
                                FactoryUtil.SOURCE_PARALLELISM));
        options.addAll(SourceSettings.FORWARDED_OPTIONS);
        return options;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validate();
        ReadableConfig options = helper.getOptions();

        String streamArn = options.getOptional(STREAM_ARN).orElse(null);
        String tableName = options.getOptional(TABLE_NAME).orElse(null);
        if ((streamArn == null) == (tableName == null)) {
            throw new ValidationException(
                    String.format(
                            "Set exactly one of '%s' and '%s' for a '%s' table (%s).",
                            STREAM_ARN.key(),
                            TABLE_NAME.key(),
                            IDENTIFIER,
                            streamArn == null ? "neither is set" : "both are set"));
        }
        TableChangelogMode mode =
                choice(options, CHANGELOG_MODE, TableChangelogMode.values(), m -> m.optionValue());
        boolean failOnError =
                choice(options, CONVERSION_ON_ERROR, new String[] {"fail", "null"}, s -> s)
                        .equals("fail");

        DataType physical = context.getPhysicalRowDataType();
        RowType rowType = (RowType) physical.getLogicalType();
        List<String> attributes = attributeNames(rowType.getFieldNames(), options);
        int[] primaryKey = context.getPrimaryKeyIndexes();
        if (mode == TableChangelogMode.UPSERT && primaryKey.length == 0) {
            throw new ValidationException(
                    String.format(
                            "'%s' = 'upsert' needs a PRIMARY KEY (...) NOT ENFORCED made of the"
                                    + " DynamoDB table's key attributes; the table declares none."
                                    + " Declare one, or use '%s' = 'changelog' or 'append'.",
                            CHANGELOG_MODE.key(), CHANGELOG_MODE.key()));
        }
        checkTypes(rowType);

        String startup = startupMode(options);
        StartingPosition start = startingPosition(startup, options);
        boolean snapshot = startup.equals("snapshot");
        if (startup.equals("initial") && options.get(SCAN_BOUNDED)) {
            throw new ValidationException(
                    String.format(
                            "'%s' = 'initial' reads the table's contents and then every change,"
                                    + " but '%s' = 'true'. For the contents only, use '%s' ="
                                    + " 'snapshot'.",
                            SCAN_STARTUP_MODE.key(), SCAN_BOUNDED.key(), SCAN_STARTUP_MODE.key()));
        }
        if (snapshot && !options.getOptional(SCAN_BOUNDED).orElse(true)) {
            throw new ValidationException(
                    String.format(
                            "'%s' = 'snapshot' reads the table's contents and then finishes, but"
                                    + " '%s' = 'false'. Remove '%s'.",
                            SCAN_STARTUP_MODE.key(), SCAN_BOUNDED.key(), SCAN_BOUNDED.key()));
        }
        SourceSettings settings =
                new SourceSettings(
                        streamArn,
                        tableName,
                        start,
                        AwsOptions.awsConfig(options),
                        snapshot || options.get(SCAN_BOUNDED),
                        options);
        try {
            // One validation for SQL and DataStream: the builder checks what it will be given.
            settings.build(ChangeEventDeserializer.create());
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Invalid '" + IDENTIFIER + "' table options: " + sqlNames(e.getMessage()), e);
        }
        return new DynamoDbStreamsDynamicTableSource(
                settings,
                physical,
                attributes,
                primaryKey,
                mode,
                failOnError,
                options.getOptional(FactoryUtil.SOURCE_PARALLELISM).orElse(null));
    }

    private static String startupMode(ReadableConfig options) {
        return choice(
                options,
                SCAN_STARTUP_MODE,
                new String[] {"latest", "trim-horizon", "timestamp", "snapshot", "initial"},
                s -> s);
    }

    private static StartingPosition startingPosition(String startup, ReadableConfig options) {
        Long millis = options.getOptional(SCAN_STARTUP_TIMESTAMP_MILLIS).orElse(null);
        if (startup.equals("timestamp")) {
            if (millis == null) {
                throw new ValidationException(
                        String.format(
                                "'%s' = 'timestamp' needs '%s' (milliseconds since the epoch).",
                                SCAN_STARTUP_MODE.key(), SCAN_STARTUP_TIMESTAMP_MILLIS.key()));
            }
            return StartingPosition.atTimestamp(Instant.ofEpochMilli(millis));
        }
        if (millis != null) {
            throw new ValidationException(
                    String.format(
                            "'%s' is set but '%s' is '%s': the timestamp is used only with '%s' ="
                                    + " 'timestamp'.",
                            SCAN_STARTUP_TIMESTAMP_MILLIS.key(),
                            SCAN_STARTUP_MODE.key(),
                            startup,
                            SCAN_STARTUP_MODE.key()));
        }
        switch (startup) {
            case "latest":
                return StartingPosition.latest();
            case "snapshot":
            case "initial":
                return StartingPosition.initialSnapshot();
            default:
                return StartingPosition.trimHorizon();
        }
    }

    /** The attribute each physical column reads, from {@code 'attribute-mapping'}. */
    static List<String> attributeNames(List<String> columns, ReadableConfig options) {
        Map<String, String> mapping = new LinkedHashMap<>();
        String spec = options.getOptional(ATTRIBUTE_MAPPING).orElse("");
        for (String entry : spec.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String column = colon < 0 ? "" : entry.substring(0, colon).trim();
            String attribute = colon < 0 ? "" : entry.substring(colon + 1).trim();
            if (column.isEmpty() || attribute.isEmpty()) {
                throw new ValidationException(
                        String.format(
                                "'%s': entry '%s' is not of the form 'column:attribute'; expected"
                                        + " for example 'order_id:pk;created:createdAt'.",
                                ATTRIBUTE_MAPPING.key(), entry.trim()));
            }
            if (!columns.contains(column)) {
                throw new ValidationException(
                        String.format(
                                "'%s': '%s' is not a physical column of the table; columns: %s.",
                                ATTRIBUTE_MAPPING.key(), column, columns));
            }
            if (mapping.put(column, attribute) != null) {
                throw new ValidationException(
                        String.format(
                                "'%s': column '%s' is mapped more than once.",
                                ATTRIBUTE_MAPPING.key(), column));
            }
        }
        List<String> attributes = new ArrayList<>();
        for (String column : columns) {
            attributes.add(mapping.getOrDefault(column, column));
        }
        return attributes;
    }

    /** Fails at planning time for column types that no DynamoDB value converts to. */
    private static void checkTypes(RowType rowType) {
        for (RowType.RowField field : rowType.getFields()) {
            LogicalType type = field.getType();
            try {
                AttributeConverters.create(type);
            } catch (IllegalArgumentException e) {
                throw new ValidationException(
                        "Column '" + field.getName() + "': " + e.getMessage(), e);
            }
        }
    }

    /**
     * Reads a string option whose value must be one of {@code allowed} (compared ignoring case).
     */
    static <E> E choice(
            ReadableConfig options,
            ConfigOption<String> option,
            E[] allowed,
            java.util.function.Function<E, String> valueOf) {
        String value = options.get(option);
        List<String> names = new ArrayList<>();
        for (E candidate : allowed) {
            String name = valueOf.apply(candidate);
            if (name.equalsIgnoreCase(value.trim())) {
                return candidate;
            }
            names.add("'" + name + "'");
        }
        throw new ValidationException(
                String.format(
                        "Invalid value '%s' for option '%s': allowed values are %s.",
                        value, option.key(), String.join(", ", names)));
    }

    /** Rewrites the builder's setting names into the table options that set them. */
    private static String sqlNames(String builderMessage) {
        return builderMessage
                .replace("streamArn", "'" + STREAM_ARN.key() + "'")
                .replace("tableName", "'" + TABLE_NAME.key() + "'");
    }
}
