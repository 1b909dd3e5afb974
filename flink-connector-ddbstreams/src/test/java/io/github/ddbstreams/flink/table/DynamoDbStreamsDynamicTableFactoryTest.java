package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.catalog.UniqueConstraint;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.factories.utils.FactoryMocks;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.junit.jupiter.api.Test;

/** Options of the {@code dynamodb-streams} table factory: what each sets and every error. */
class DynamoDbStreamsDynamicTableFactoryTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2024-05-01T00:00:00.000";
    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private static final ResolvedSchema SCHEMA =
            new ResolvedSchema(
                    List.of(
                            Column.physical("order_id", DataTypes.STRING().notNull()),
                            Column.physical("customer", DataTypes.STRING()),
                            Column.physical("amount", DataTypes.DECIMAL(10, 2))),
                    List.of(),
                    UniqueConstraint.primaryKey("pk", List.of("order_id")));

    private static final ResolvedSchema SCHEMA_WITHOUT_KEY =
            ResolvedSchema.of(
                    Column.physical("order_id", DataTypes.STRING()),
                    Column.physical("amount", DataTypes.DECIMAL(10, 2)));

    private static Map<String, String> options(Consumer<Map<String, String>> changes) {
        Map<String, String> options = new HashMap<>();
        options.put("connector", "dynamodb-streams");
        options.put("table-name", "orders");
        changes.accept(options);
        return options;
    }

    private static DynamoDbStreamsDynamicTableSource create(Map<String, String> options) {
        return create(SCHEMA, options);
    }

    private static DynamoDbStreamsDynamicTableSource create(
            ResolvedSchema schema, Map<String, String> options) {
        DynamicTableSource source = FactoryMocks.createTableSource(schema, options);
        assertThat(source).isInstanceOf(DynamoDbStreamsDynamicTableSource.class);
        return (DynamoDbStreamsDynamicTableSource) source;
    }

    /** Every message along the cause chain: the planner wraps the factory's own error. */
    private static String messages(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            sb.append(t.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static String errorOf(Consumer<Map<String, String>> changes) {
        return errorOf(SCHEMA, changes);
    }

    private static String errorOf(ResolvedSchema schema, Consumer<Map<String, String>> changes) {
        Map<String, String> options = options(changes);
        Throwable error = null;
        try {
            FactoryMocks.createTableSource(schema, options);
        } catch (Throwable t) {
            error = t;
        }
        assertThat(error).as("options %s must be rejected", options).isNotNull();
        String text = messages(error);
        assertThat(text).doesNotContain(SECRET);
        return text;
    }

    @Test
    void defaultsReadTheLatestChangesAsAChangelogFailingOnConversionErrors() {
        DynamoDbStreamsDynamicTableSource source = create(options(o -> {}));

        assertThat(source.getChangelogMode()).isEqualTo(ChangelogMode.all());
        assertThat(source.failsOnConversionError()).isTrue();
        assertThat(source.parallelism()).isNull();
        assertThat(source.attributeNames()).containsExactly("order_id", "customer", "amount");
        assertThat(source.settings())
                .isEqualTo(
                        new SourceSettings(
                                null,
                                "orders",
                                StartingPosition.latest(),
                                AwsConfig.defaults(),
                                false,
                                new Configuration()));

        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        assertThat(provider.source()).isInstanceOf(DynamoDbStreamsSource.class);
        assertThat(provider.source().getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(provider.isBounded()).isFalse();
        assertThat(provider.getParallelism()).isEmpty();
    }

    @Test
    void everyOptionReachesTheDataStreamSource() {
        DynamoDbStreamsDynamicTableSource source =
                create(
                        options(
                                o -> {
                                    o.remove("table-name");
                                    o.put("stream-arn", ARN);
                                    o.put("aws.region", "eu-west-1");
                                    o.put("aws.endpoint", "http://localhost:8000");
                                    o.put("aws.credentials.provider", "static");
                                    o.put("aws.credentials.access-key-id", "AKIAEXAMPLE123");
                                    o.put("aws.credentials.secret-access-key", SECRET);
                                    o.put("scan.startup.mode", "timestamp");
                                    o.put("scan.startup.timestamp-millis", "1714521600000");
                                    o.put("scan.bounded", "true");
                                    o.put("changelog.mode", "UPSERT");
                                    o.put("conversion.on-error", "null");
                                    o.put("attribute-mapping", "order_id:pk; amount : total ;");
                                    o.put("scan.parallelism", "3");
                                    o.put("source.shard.discovery-interval", "30 s");
                                    o.put("source.reader.idle-poll-interval", "250 ms");
                                    o.put("source.reader.get-records.max-records", "500");
                                }));

        Configuration forwarded = new Configuration();
        forwarded.set(
                DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL, Duration.ofSeconds(30));
        forwarded.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(250));
        forwarded.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 500);
        assertThat(source.settings())
                .isEqualTo(
                        new SourceSettings(
                                ARN,
                                null,
                                StartingPosition.atTimestamp(Instant.ofEpochMilli(1714521600000L)),
                                AwsConfig.builder()
                                        .region("eu-west-1")
                                        .endpointOverride("http://localhost:8000")
                                        .staticCredentials("AKIAEXAMPLE123", SECRET)
                                        .build(),
                                true,
                                forwarded));
        assertThat(source.settings().toString()).doesNotContain(SECRET);
        assertThat(source.getChangelogMode()).isEqualTo(ChangelogMode.upsert());
        assertThat(source.failsOnConversionError()).isFalse();
        assertThat(source.attributeNames()).containsExactly("pk", "customer", "total");
        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        assertThat(provider.getParallelism()).contains(3);
        assertThat(provider.isBounded()).isTrue();
    }

    @Test
    void profileCredentialsAndTrimHorizon() {
        DynamoDbStreamsDynamicTableSource source =
                create(
                        options(
                                o -> {
                                    o.put("aws.credentials.provider", "profile");
                                    o.put("aws.credentials.profile-name", "reader");
                                    o.put("scan.startup.mode", "trim-horizon");
                                    o.put("changelog.mode", "append");
                                }));
        assertThat(source.settings())
                .isEqualTo(
                        new SourceSettings(
                                null,
                                "orders",
                                StartingPosition.trimHorizon(),
                                AwsConfig.builder().profileCredentials("reader").build(),
                                false,
                                new Configuration()));
        assertThat(source.getChangelogMode()).isEqualTo(ChangelogMode.insertOnly());
    }

    @Test
    void everyDataStreamOptionIsReachableFromSql() throws IllegalAccessException {
        List<ConfigOption<?>> forwarded = SourceSettings.FORWARDED_OPTIONS;
        int count = 0;
        for (Field field : DynamoDbStreamsSourceOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                assertThat(forwarded).contains((ConfigOption<?>) field.get(null));
                count++;
            }
        }
        assertThat(count).isEqualTo(forwarded.size());
        assertThat(new DynamoDbStreamsDynamicTableFactory().optionalOptions())
                .containsAll(forwarded)
                .contains(FactoryUtil.SOURCE_PARALLELISM);
    }

    @Test
    void everyTableOptionHasADescription() throws IllegalAccessException {
        for (Field field : DynamoDbStreamsTableOptions.class.getFields()) {
            ConfigOption<?> option = (ConfigOption<?>) field.get(null);
            assertThat(option.description().toString()).as(option.key()).isNotBlank();
            assertThat(new DynamoDbStreamsDynamicTableFactory().optionalOptions()).contains(option);
        }
    }

    @Test
    void streamChoiceErrors() {
        assertThat(errorOf(o -> o.remove("table-name")))
                .contains("'stream-arn'", "'table-name'", "neither is set");
        assertThat(errorOf(o -> o.put("stream-arn", ARN)))
                .contains("'stream-arn'", "'table-name'", "both are set");
        assertThat(
                        errorOf(
                                o -> {
                                    o.remove("table-name");
                                    o.put("stream-arn", "arn:aws:kinesis:nope");
                                }))
                .contains("'stream-arn'", "arn:aws:kinesis:nope", "not a DynamoDB stream ARN");
        assertThat(errorOf(o -> o.put("table-name", "x")))
                .contains("'table-name'", "not a valid DynamoDB table name");
    }

    @Test
    void enumeratedOptionsNameTheirAllowedValues() {
        assertThat(errorOf(o -> o.put("changelog.mode", "retract")))
                .contains("'retract'", "'changelog.mode'", "'changelog', 'upsert', 'append'");
        assertThat(errorOf(o -> o.put("conversion.on-error", "skip")))
                .contains("'conversion.on-error'", "'fail', 'null'");
        assertThat(errorOf(o -> o.put("scan.startup.mode", "earliest")))
                .contains("'scan.startup.mode'", "'latest', 'trim-horizon', 'timestamp'");
        assertThat(errorOf(o -> o.put("aws.credentials.provider", "env")))
                .contains("'aws.credentials.provider'", "'default', 'static', 'profile'");
    }

    @Test
    void startupTimestampErrors() {
        assertThat(errorOf(o -> o.put("scan.startup.mode", "timestamp")))
                .contains("'scan.startup.timestamp-millis'");
        assertThat(errorOf(o -> o.put("scan.startup.timestamp-millis", "1714521600000")))
                .contains("'scan.startup.timestamp-millis'", "'latest'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("scan.startup.mode", "timestamp");
                                    o.put("scan.startup.timestamp-millis", "yesterday");
                                }))
                .contains("scan.startup.timestamp-millis");
    }

    @Test
    void awsErrorsNameTheOptionAndNeverTheSecret() {
        assertThat(errorOf(o -> o.put("aws.region", "EU-WEST-1")))
                .contains("'aws.region'", "EU-WEST-1");
        assertThat(errorOf(o -> o.put("aws.endpoint", "localhost:8000")))
                .contains("'aws.endpoint'", "localhost:8000");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.credentials.provider", "static");
                                    o.put("aws.credentials.access-key-id", "AKIAEXAMPLE123");
                                }))
                .contains("'aws.credentials.secret-access-key'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.credentials.provider", "static");
                                    o.put("aws.credentials.secret-access-key", SECRET);
                                }))
                .contains("'aws.credentials.access-key-id'");
        assertThat(errorOf(o -> o.put("aws.credentials.secret-access-key", SECRET)))
                .contains("'aws.credentials.secret-access-key'", "'default'", "'static'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.credentials.provider", "profile");
                                    o.put("aws.credentials.secret-access-key", SECRET);
                                    o.put("aws.credentials.profile-name", "p");
                                }))
                .contains("'aws.credentials.secret-access-key'", "'profile'");
        assertThat(errorOf(o -> o.put("aws.credentials.provider", "profile")))
                .contains("'aws.credentials.profile-name'");
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("aws.region", "not a region");
                                    o.put("aws.credentials.provider", "static");
                                    o.put("aws.credentials.access-key-id", "AKIAEXAMPLE123");
                                    o.put("aws.credentials.secret-access-key", SECRET);
                                }))
                .contains("'aws.region'");
    }

    @Test
    void forwardedOptionsAreValidatedByTheBuilder() {
        assertThat(errorOf(o -> o.put("source.reader.get-records.max-records", "5000")))
                .contains("source.reader.get-records.max-records", "5000", "1 and 1000");
        assertThat(errorOf(o -> o.put("source.shard.discovery-interval", "0 s")))
                .contains("source.shard.discovery-interval", "positive");
        assertThat(errorOf(o -> o.put("scan.parallelism", "many"))).contains("scan.parallelism");
    }

    @Test
    void followingANewStreamNeedsTheTableName() {
        assertThat(
                        errorOf(
                                o -> {
                                    o.remove("table-name");
                                    o.put("stream-arn", ARN);
                                    o.put("source.on-stream-disabled", "FOLLOW_NEW_STREAM");
                                }))
                .contains("source.on-stream-disabled", "FOLLOW_NEW_STREAM", "'table-name'", ARN);
        assertThat(create(options(o -> o.put("source.on-stream-disabled", "FOLLOW_NEW_STREAM"))))
                .isNotNull();
    }

    @Test
    void unknownOptionsAreRejected() {
        assertThat(errorOf(o -> o.put("scan.startup.offset", "0"))).contains("scan.startup.offset");
    }

    @Test
    void upsertNeedsAPrimaryKey() {
        assertThat(errorOf(SCHEMA_WITHOUT_KEY, o -> o.put("changelog.mode", "upsert")))
                .contains("'changelog.mode' = 'upsert'", "PRIMARY KEY");
        assertThat(create(SCHEMA_WITHOUT_KEY, options(o -> {})).getChangelogMode())
                .isEqualTo(ChangelogMode.all());
    }

    @Test
    void attributeMappingErrors() {
        assertThat(errorOf(o -> o.put("attribute-mapping", "order_id=pk")))
                .contains("'attribute-mapping'", "order_id=pk", "column:attribute");
        assertThat(errorOf(o -> o.put("attribute-mapping", "orderId:pk")))
                .contains("'attribute-mapping'", "'orderId'", "[order_id, customer, amount]");
        assertThat(errorOf(o -> o.put("attribute-mapping", "order_id:pk;order_id:id")))
                .contains("'attribute-mapping'", "'order_id'", "more than once");
        assertThat(errorOf(o -> o.put("attribute-mapping", ":pk"))).contains("':pk'");
    }

    @Test
    void columnTypesWithoutADynamoDbCounterpartFailAtPlanning() {
        ResolvedSchema intKeyedMap =
                ResolvedSchema.of(
                        Column.physical(
                                "counts", DataTypes.MAP(DataTypes.INT(), DataTypes.STRING())));
        assertThat(errorOf(intKeyedMap, o -> {})).contains("Column 'counts'", "MAP<STRING, ...>");
        ResolvedSchema interval =
                ResolvedSchema.of(Column.physical("ttl", DataTypes.INTERVAL(DataTypes.SECOND(3))));
        assertThat(errorOf(interval, o -> {})).contains("Column 'ttl'", "no DynamoDB counterpart");
    }

    @Test
    void theFactoryIsFoundByItsIdentifier() {
        assertThat(
                        FactoryUtil.discoverFactory(
                                getClass().getClassLoader(),
                                org.apache.flink.table.factories.DynamicTableSourceFactory.class,
                                "dynamodb-streams"))
                .isInstanceOf(DynamoDbStreamsDynamicTableFactory.class);
    }

    @Test
    void snapshotStartupModeReadsTheTablesContentsBounded() {
        DynamoDbStreamsDynamicTableSource source =
                create(options(o -> o.put("scan.startup.mode", "snapshot")));

        assertThat(source.settings().toString()).contains("INITIAL_SNAPSHOT");
        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        assertThat(provider.isBounded()).isTrue();
    }

    @Test
    void snapshotStartupModeRefusesAnUnboundedScan() {
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("scan.startup.mode", "snapshot");
                                    o.put("scan.bounded", "false");
                                }))
                .contains("'scan.startup.mode' = 'snapshot'")
                .contains("'scan.bounded' = 'false'");
    }

    @Test
    void initialStartupModeReadsTheContentsThenTheChangesUnbounded() {
        DynamoDbStreamsDynamicTableSource source =
                create(options(o -> o.put("scan.startup.mode", "INITIAL")));

        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        assertThat(provider.isBounded()).isFalse();
        assertThat(provider.source().snapshotThenStream()).isTrue();
    }

    @Test
    void initialStartupModeRefusesABoundedScan() {
        assertThat(
                        errorOf(
                                o -> {
                                    o.put("scan.startup.mode", "initial");
                                    o.put("scan.bounded", "true");
                                }))
                .contains("'scan.startup.mode' = 'initial'")
                .contains("'snapshot'");
    }
}
