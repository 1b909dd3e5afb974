package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.Savepoints;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.PlanReference;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A SQL changelog aggregation stopped with a savepoint mid-stream and resumed from it, with writes
 * and shard rollovers before, during and after the stop: the final result equals the aggregate of
 * the DynamoDB table's final contents, and the resumed job continues from the restored aggregate
 * (its first row per known customer retracts the old total) instead of starting over. Run once as a
 * plain SQL statement submitted twice and once as a compiled plan (COMPILE PLAN / EXECUTE PLAN).
 */
class DynamoDbStreamsTableSavepointITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    @TempDir Path savepoints;

    private static StreamTableEnvironment tableEnv(@Nullable String savepoint) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(500);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        return tEnv;
    }

    private static void createTables(StreamTableEnvironment tEnv, String table, String sinkId) {
        tEnv.executeSql(
                String.format(
                        "CREATE TABLE orders (order_id STRING, customer STRING,"
                                + " amount DECIMAL(10, 2)) WITH ("
                                + "'connector' = 'dynamodb-streams', 'table-name' = '%s',"
                                + " 'aws.region' = '%s', 'aws.endpoint' = '%s',"
                                + " 'aws.credentials.provider' = 'static',"
                                + " 'aws.credentials.access-key-id' = '%s',"
                                + " 'aws.credentials.secret-access-key' = '%s',"
                                + " 'scan.startup.mode' = 'trim-horizon',"
                                + " 'source.reader.idle-poll-interval' = '100 ms',"
                                + " 'attribute-mapping' = 'order_id:pk')",
                        table,
                        DynamoDbLocal.REGION,
                        DYNAMODB.endpoint(),
                        DynamoDbLocal.ACCESS_KEY_ID,
                        DynamoDbLocal.SECRET_ACCESS_KEY));
        tEnv.executeSql(
                "CREATE TABLE totals (customer STRING, total DECIMAL(38, 2)) WITH ("
                        + " 'connector' = 'ddbstreams-test-collect', 'id' = '"
                        + sinkId
                        + "')");
    }

    private static final String INSERT =
            "INSERT INTO totals SELECT customer, SUM(amount) FROM orders GROUP BY customer";

    /** Applies a changelog: the result per customer after each row in order. */
    private static Map<String, BigDecimal> apply(List<Row> rows) {
        Map<String, BigDecimal> result = new HashMap<>();
        for (Row row : rows) {
            String customer = (String) row.getField(0);
            if (row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER) {
                result.put(customer, ((BigDecimal) row.getField(1)).stripTrailingZeros());
            } else {
                result.remove(customer);
            }
        }
        return result;
    }

    private static Map<String, BigDecimal> expected(OrdersWorkload workload) {
        Map<String, BigDecimal> sums = new HashMap<>();
        workload.sumsByCustomerFromScan().forEach((k, v) -> sums.put(k, v.stripTrailingZeros()));
        return sums;
    }

    private static void await(Supplier<Boolean> condition, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.get() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
    }

    @ParameterizedTest(name = "compiled plan: {0}")
    @ValueSource(booleans = {false, true})
    void resumedSqlJobEndsWithTheAggregateOfTheFinalTable(boolean compiledPlan) throws Exception {
        String table = "orders_sp_" + compiledPlan;
        String sink = "totals_sp_" + compiledPlan;
        DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
        OrdersWorkload workload =
                new OrdersWorkload(DYNAMODB.dynamoDbClient(), table, compiledPlan ? 7 : 8);
        workload.insert(30);
        workload.update(15);
        DYNAMODB.triggerShardRollovers();
        workload.delete(5);

        StreamTableEnvironment first = tableEnv(null);
        createTables(first, table, sink);
        String plan = compiledPlan ? first.compilePlanSql(INSERT).asJsonString() : null;
        TableResult run1 =
                compiledPlan
                        ? first.executePlan(PlanReference.fromJsonString(plan))
                        : first.executeSql(INSERT);
        JobClient job1 = run1.getJobClient().orElseThrow();
        Map<String, BigDecimal> afterPart1 = expected(workload);
        await(
                () -> apply(CollectingTableSinkFactory.rows(sink)).equals(afterPart1),
                Duration.ofSeconds(60));
        assertThat(apply(CollectingTableSinkFactory.rows(sink))).isEqualTo(afterPart1);

        // Mid-stream: the job is reading these while it is stopped.
        workload.update(20);
        DYNAMODB.triggerShardRollovers();
        workload.insert(10);
        String savepoint = Savepoints.stopWithSavepoint(job1, savepoints.toString());
        int rowsOfRun1 = CollectingTableSinkFactory.rows(sink).size();
        Set<String> customersOfRun1 = apply(CollectingTableSinkFactory.rows(sink)).keySet();

        workload.update(15);
        workload.delete(8);
        DYNAMODB.triggerShardRollovers();
        workload.insert(5);
        workload.update(10);

        StreamTableEnvironment second = tableEnv(savepoint);
        createTables(second, table, sink);
        TableResult run2 =
                compiledPlan
                        ? second.executePlan(PlanReference.fromJsonString(plan))
                        : second.executeSql(INSERT);
        JobClient job2 = run2.getJobClient().orElseThrow();
        Map<String, BigDecimal> expected = expected(workload);
        await(
                () -> apply(CollectingTableSinkFactory.rows(sink)).equals(expected),
                Duration.ofSeconds(60));
        Thread.sleep(500); // a duplicate would arrive now
        job2.cancel().get();

        List<Row> rows = CollectingTableSinkFactory.rows(sink);
        assertThat(workload.removes()).isPositive();
        assertThat(apply(rows)).isEqualTo(expected);
        // A resumed aggregate retracts the totals it restored; a fresh start would insert anew.
        Set<String> seen = new HashSet<>();
        for (Row row : rows.subList(rowsOfRun1, rows.size())) {
            String customer = (String) row.getField(0);
            if (customersOfRun1.contains(customer) && seen.add(customer)) {
                assertThat(row.getKind())
                        .as("first row of %s after resume", customer)
                        .isIn(RowKind.UPDATE_BEFORE, RowKind.DELETE);
            }
        }
        assertThat(seen).isNotEmpty();
    }
}
