package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.TwoSpeedTables;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watermark alignment in SQL, across two sources: the tables of {@link TwoSpeedTables} declared
 * with {@code 'scan.watermark.alignment.*'} in one group and read by one UNION ALL. The slow
 * table's source waits for the fast one's backlog, as in the DataStream test with one source.
 */
class WatermarkAlignmentSqlITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(2);

    @Test
    void twoTablesInOneAlignmentGroupStayWithinTheDrift() throws Exception {
        TwoSpeedTables tables = new TwoSpeedTables(DYNAMODB, "sql_fast", "sql_slow");
        StreamTableEnvironment tEnv = tableEnv();
        createTable(tEnv, "fast_items", "sql_fast");
        createTable(tEnv, "slow_items", "sql_slow");

        try (CloseableIterator<Row> rows =
                tEnv.executeSql(
                                "SELECT 'sql_fast', ts FROM fast_items"
                                        + " UNION ALL SELECT 'sql_slow', ts FROM slow_items")
                        .collect()) {
            tables.readWhileWriting(
                    rows, row -> (String) row.getField(0), row -> (Long) row.getField(1));
        }

        System.out.printf(
                "Watermark alignment (SQL, two sources): max drift %d ms (bound %d ms)%n",
                tables.maxDriftMillis(), tables.alignedBoundMillis());
        assertThat(tables.maxDriftMillis()).isLessThanOrEqualTo(tables.alignedBoundMillis());
        tables.checkComplete();
    }

    private static StreamTableEnvironment tableEnv() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return StreamTableEnvironment.create(env);
    }

    private static void createTable(StreamTableEnvironment tEnv, String name, String table) {
        tEnv.executeSql(
                String.format(
                        "CREATE TABLE %s (pk STRING, ts BIGINT,"
                                + " et AS TO_TIMESTAMP_LTZ(ts, 3),"
                                + " WATERMARK FOR et AS et"
                                + ") WITH ('connector' = 'dynamodb-streams',"
                                + " 'table-name' = '%s', 'aws.region' = '%s',"
                                + " 'aws.endpoint' = '%s', 'aws.credentials.provider' = 'static',"
                                + " 'aws.credentials.access-key-id' = '%s',"
                                + " 'aws.credentials.secret-access-key' = '%s',"
                                + " 'scan.startup.mode' = 'trim-horizon',"
                                + " 'changelog.mode' = 'append',"
                                + " 'source.reader.idle-poll-interval' = '%d ms',"
                                + " 'source.reader.get-records.max-records' = '%d',"
                                + " 'scan.watermark.alignment.group' = 'tables',"
                                + " 'scan.watermark.alignment.max-drift' = '%d ms',"
                                + " 'scan.watermark.alignment.update-interval' = '%d ms')",
                        name,
                        table,
                        DynamoDbLocal.REGION,
                        DYNAMODB.endpoint(),
                        DynamoDbLocal.ACCESS_KEY_ID,
                        DynamoDbLocal.SECRET_ACCESS_KEY,
                        TwoSpeedTables.POLL_MILLIS,
                        TwoSpeedTables.PAGE,
                        TwoSpeedTables.MAX_DRIFT.toMillis(),
                        TwoSpeedTables.UPDATE_INTERVAL.toMillis()));
    }
}
