package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * SQL on a MiniCluster against embedded DynamoDB Local: a changelog and an upsert aggregation whose
 * final result equals the aggregate of the table's final contents after inserts, updates and
 * deletes across shard rollovers; append mode with every metadata column; the event name filter
 * push-down; the view type error.
 */
class DynamoDbStreamsTableITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    private static StreamTableEnvironment tableEnv() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        return StreamTableEnvironment.create(env);
    }

    /** The WITH clause for a bounded read of {@code table}'s whole stream. */
    private static String with(String table, String changelogMode) {
        return String.format(
                "'connector' = 'dynamodb-streams', 'table-name' = '%s', 'aws.region' = '%s',"
                        + " 'aws.endpoint' = '%s', 'aws.credentials.provider' = 'static',"
                        + " 'aws.credentials.access-key-id' = '%s',"
                        + " 'aws.credentials.secret-access-key' = '%s',"
                        + " 'scan.startup.mode' = 'trim-horizon', 'scan.bounded' = 'true',"
                        + " 'source.reader.idle-poll-interval' = '100 ms',"
                        + " 'attribute-mapping' = 'order_id:pk', 'changelog.mode' = '%s'",
                table,
                DynamoDbLocal.REGION,
                DYNAMODB.endpoint(),
                DynamoDbLocal.ACCESS_KEY_ID,
                DynamoDbLocal.SECRET_ACCESS_KEY,
                changelogMode);
    }

    /** Inserts, updates and deletes on both sides of two rollovers. */
    private static OrdersWorkload writeAcrossRollovers(String table, long seed) {
        OrdersWorkload workload = new OrdersWorkload(DYNAMODB.dynamoDbClient(), table, seed);
        workload.insert(40);
        workload.update(20);
        DYNAMODB.triggerShardRollovers();
        workload.update(25);
        workload.delete(10);
        workload.insert(10);
        DYNAMODB.triggerShardRollovers();
        workload.update(15);
        workload.delete(8);
        return workload;
    }

    /** Runs a bounded query to its end and applies its changelog: the final result per key. */
    private static Map<String, BigDecimal> finalSums(StreamTableEnvironment tEnv, String query)
            throws Exception {
        Map<String, BigDecimal> sums = new HashMap<>();
        try (CloseableIterator<Row> rows = tEnv.executeSql(query).collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                String customer = (String) row.getField(0);
                if (row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER) {
                    sums.put(customer, ((BigDecimal) row.getField(1)).stripTrailingZeros());
                } else {
                    sums.remove(customer);
                }
            }
        }
        return sums;
    }

    private static Map<String, BigDecimal> normalized(Map<String, BigDecimal> sums) {
        Map<String, BigDecimal> result = new HashMap<>();
        sums.forEach((k, v) -> result.put(k, v.stripTrailingZeros()));
        return result;
    }

    @Test
    void changelogAggregateEqualsTheAggregateOfTheFinalTable() throws Exception {
        DYNAMODB.createTable("orders", StreamViewType.NEW_AND_OLD_IMAGES);
        OrdersWorkload workload = writeAcrossRollovers("orders", 1);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE orders (order_id STRING, customer STRING, amount DECIMAL(10, 2),"
                        + " PRIMARY KEY (order_id) NOT ENFORCED) WITH ("
                        + with("orders", "changelog")
                        + ")");

        Map<String, BigDecimal> result =
                finalSums(tEnv, "SELECT customer, SUM(amount) FROM orders GROUP BY customer");

        assertThat(workload.removes()).isPositive();
        assertThat(result).isEqualTo(normalized(workload.sumsByCustomerFromScan()));
    }

    @Test
    void snapshotModeGivesExactlyTheTablesContentsAsInsertRowsAndFinishes() throws Exception {
        // KEYS_ONLY: a snapshot reads the table, not the stream's images.
        DYNAMODB.createTable("orders_snapshot", StreamViewType.KEYS_ONLY);
        OrdersWorkload workload = writeAcrossRollovers("orders_snapshot", 3);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE orders (order_id STRING, customer STRING, amount DECIMAL(10, 2),"
                        + " event_name STRING METADATA VIRTUAL,"
                        + " PRIMARY KEY (order_id) NOT ENFORCED) WITH ("
                        + with("orders_snapshot", "changelog")
                                .replace(
                                        "'scan.startup.mode' = 'trim-horizon', 'scan.bounded' ="
                                                + " 'true'",
                                        "'scan.startup.mode' = 'snapshot',"
                                                + " 'source.snapshot.segments' = '3',"
                                                + " 'source.snapshot.page-size' = '7'")
                        + ")");

        Map<String, BigDecimal> sums = new HashMap<>();
        Set<String> orderIds = new HashSet<>();
        int rows = 0;
        // Ends by itself: 'snapshot' is bounded.
        try (CloseableIterator<Row> it =
                tEnv.executeSql("SELECT order_id, customer, amount, event_name FROM orders")
                        .collect()) {
            while (it.hasNext()) {
                Row row = it.next();
                rows++;
                assertThat(row.getKind()).isEqualTo(RowKind.INSERT);
                assertThat(row.getField(3)).isEqualTo("SNAPSHOT");
                orderIds.add((String) row.getField(0));
                sums.merge((String) row.getField(1), (BigDecimal) row.getField(2), BigDecimal::add);
            }
        }

        Map<String, BigDecimal> fromScan = normalized(workload.sumsByCustomerFromScan());
        assertThat(normalized(sums)).isEqualTo(fromScan);
        assertThat(rows).isEqualTo(orderIds.size()); // each item once
        assertThat(rows).isEqualTo(workload.inserts() - workload.removes());
    }

    /**
     * 'initial': the table's contents (60 orders, read slowly), changed while they are read and
     * after, then the changes; the unbounded aggregate reaches the aggregate of the final table.
     */
    @ParameterizedTest
    @CsvSource({"NEW_AND_OLD_IMAGES, changelog", "NEW_IMAGE, upsert"})
    void initialModeAggregateReachesTheAggregateOfTheFinalTable(
            StreamViewType viewType, String changelogMode) throws Exception {
        String table = "orders_initial_" + changelogMode;
        DYNAMODB.createTable(table, viewType);
        OrdersWorkload workload = new OrdersWorkload(DYNAMODB.dynamoDbClient(), table, 4);
        workload.insert(60);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE orders (order_id STRING, customer STRING, amount DECIMAL(10, 2),"
                        + " PRIMARY KEY (order_id) NOT ENFORCED) WITH ("
                        + with(table, changelogMode)
                                .replace(
                                        "'scan.startup.mode' = 'trim-horizon', 'scan.bounded' ="
                                                + " 'true'",
                                        "'scan.startup.mode' = 'initial',"
                                                + " 'source.snapshot.segments' = '4',"
                                                + " 'source.snapshot.page-size' = '3',"
                                                + " 'source.snapshot.read-units-per-second' = '4'")
                        + ")");

        Map<String, BigDecimal> sums = new ConcurrentHashMap<>();
        try (CloseableIterator<Row> rows =
                tEnv.executeSql("SELECT customer, SUM(amount) FROM orders GROUP BY customer")
                        .collect()) {
            CompletableFuture<Void> applying =
                    CompletableFuture.runAsync(
                            () -> {
                                while (rows.hasNext()) {
                                    apply(rows.next(), sums);
                                }
                            });
            // While the snapshot runs (20 pages at 4 per second) and after it.
            workload.update(20);
            workload.delete(6);
            workload.insert(8);
            DYNAMODB.triggerShardRollovers();
            workload.update(15);
            workload.delete(4);
            Map<String, BigDecimal> expected = normalized(workload.sumsByCustomerFromScan());
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(90).toNanos();
            while (!normalized(sums).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(applying).isNotDone(); // unbounded: still running
            assertThat(normalized(sums)).isEqualTo(expected);
        }
    }

    private static void apply(Row row, Map<String, BigDecimal> sums) {
        String customer = (String) row.getField(0);
        if (row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER) {
            sums.put(customer, (BigDecimal) row.getField(1));
        } else {
            sums.remove(customer);
        }
    }

    @Test
    void upsertAggregateOnANewImageStreamEqualsTheAggregateOfTheFinalTable() throws Exception {
        DYNAMODB.createTable("orders_upsert", StreamViewType.NEW_IMAGE);
        OrdersWorkload workload = writeAcrossRollovers("orders_upsert", 2);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE orders (order_id STRING, customer STRING, amount DECIMAL(10, 2),"
                        + " PRIMARY KEY (order_id) NOT ENFORCED) WITH ("
                        + with("orders_upsert", "upsert")
                        + ")");

        Map<String, BigDecimal> result =
                finalSums(tEnv, "SELECT customer, SUM(amount) FROM orders GROUP BY customer");

        assertThat(result).isEqualTo(normalized(workload.sumsByCustomerFromScan()));
    }

    @Test
    void appendModeGivesOneRowPerRecordWithEveryMetadataColumn() throws Exception {
        String arn = DYNAMODB.createTable("orders_events", StreamViewType.NEW_AND_OLD_IMAGES);
        Instant before = Instant.now().minusSeconds(120);
        OrdersWorkload workload = writeAcrossRollovers("orders_events", 3);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE events (order_id STRING, amount DECIMAL(10, 2),"
                        + " event_name STRING METADATA VIRTUAL,"
                        + " event_id STRING METADATA VIRTUAL,"
                        + " seq STRING METADATA FROM 'sequence_number' VIRTUAL,"
                        + " shard STRING METADATA FROM 'shard_id' VIRTUAL,"
                        + " op_ts TIMESTAMP_LTZ(3) METADATA FROM 'approximate_creation_time'"
                        + " VIRTUAL,"
                        + " size_bytes BIGINT METADATA VIRTUAL,"
                        + " is_ttl BOOLEAN METADATA FROM 'is_ttl_delete' VIRTUAL,"
                        + " stream_arn STRING METADATA VIRTUAL,"
                        + " `keys` MAP<STRING, STRING> METADATA VIRTUAL,"
                        + " WATERMARK FOR op_ts AS op_ts - INTERVAL '5' SECOND"
                        + ") WITH ("
                        + with("orders_events", "append")
                        + ")");

        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tEnv.executeSql(
                                "SELECT order_id, event_name, event_id, seq, shard, op_ts,"
                                        + " size_bytes, is_ttl, stream_arn, `keys` FROM events")
                        .collect()) {
            it.forEachRemaining(rows::add);
        }

        assertThat(rows).hasSize(workload.records());
        Map<String, Integer> events = new HashMap<>();
        Set<String> eventIds = new HashSet<>();
        Set<String> sequenceNumbers = new HashSet<>();
        Set<String> shards = new HashSet<>();
        for (Row row : rows) {
            assertThat(row.getKind()).isEqualTo(RowKind.INSERT);
            events.merge((String) row.getField(1), 1, Integer::sum);
            eventIds.add((String) row.getField(2));
            sequenceNumbers.add((String) row.getField(3));
            shards.add((String) row.getField(4));
            assertThat((Instant) row.getField(5)).isAfter(before);
            assertThat((Long) row.getField(6)).isPositive();
            assertThat(row.getField(7)).isEqualTo(false);
            assertThat(row.getField(8)).isEqualTo(arn);
            assertThat(row.getField(9)).isEqualTo(Map.of("pk", row.getField(0)));
        }
        assertThat(events)
                .containsEntry("INSERT", workload.inserts())
                .containsEntry("MODIFY", workload.modifies())
                .containsEntry("REMOVE", workload.removes());
        assertThat(eventIds).hasSize(rows.size());
        assertThat(sequenceNumbers).hasSize(rows.size());
        assertThat(shards).hasSize(3);
    }

    @Test
    void anEventNameFilterIsPushedIntoTheSourceAndDropsTheOtherEvents() throws Exception {
        DYNAMODB.createTable("orders_filtered", StreamViewType.NEW_AND_OLD_IMAGES);
        OrdersWorkload workload = writeAcrossRollovers("orders_filtered", 5);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE events (order_id STRING, amount DECIMAL(10, 2),"
                        + " ev STRING METADATA FROM 'event_name' VIRTUAL) WITH ("
                        + with("orders_filtered", "append")
                        + ")");
        String query = "SELECT order_id, ev FROM events WHERE ev <> 'MODIFY' AND amount > 0";

        String plan = tEnv.explainSql(query);
        String scan = plan.substring(plan.lastIndexOf("TableSourceScan"));
        assertThat(scan).contains("filter=[<>(ev, _UTF-16LE'MODIFY'");
        assertThat(plan).containsPattern("Calc\\(.*where=\\[.*amount"); // left to the planner

        Map<String, Integer> events = new HashMap<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
            it.forEachRemaining(row -> events.merge((String) row.getField(1), 1, Integer::sum));
        }
        assertThat(events)
                .containsOnlyKeys("INSERT", "REMOVE")
                .containsEntry("INSERT", workload.inserts())
                .containsEntry("REMOVE", workload.removes());
    }

    @Test
    void changelogModeOnANewImageStreamFailsNamingTheViewTypeItNeeds() {
        DYNAMODB.createTable("orders_new_image", StreamViewType.NEW_IMAGE);
        OrdersWorkload workload =
                new OrdersWorkload(DYNAMODB.dynamoDbClient(), "orders_new_image", 4);
        workload.insert(3);
        workload.update(3);

        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE orders (order_id STRING, customer STRING, amount DECIMAL(10, 2))"
                        + " WITH ("
                        + with("orders_new_image", "changelog")
                        + ")");

        assertThatThrownBy(
                        () -> {
                            try (CloseableIterator<Row> it =
                                    tEnv.executeSql("SELECT * FROM orders").collect()) {
                                it.forEachRemaining(row -> {});
                            }
                        })
                // Caught when the job starts, before any record: the enumerator checks the view
                // type the deserializer supports against the stream's.
                .rootCause()
                .hasMessageContaining("'changelog.mode'")
                .hasMessageContaining("NEW_AND_OLD_IMAGES")
                .hasMessageContaining("has view type NEW_IMAGE");
    }
}
