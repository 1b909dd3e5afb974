package io.github.ddbstreams.flink.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A user's first session: Flink's SQL Client (embedded mode, own JVM) given only the shaded jar,
 * reads a DynamoDB Local stream with {@code 'connector' = 'dynamodb-streams'} and writes a
 * changelog aggregate to a {@code print} table. The AWS SDK then runs relocated, from the shaded
 * jar, with Flink's user-code class loading: what breaks there (service files, resources loaded by
 * name, serialized lambdas) breaks this test.
 */
class SqlClientIT {

    private static final Duration TIMEOUT = Duration.ofMinutes(4);

    /** {@code sums> +U[c2, 17.50]}, or {@code sums:1> ...} when the sink runs in parallel. */
    private static final Pattern PRINTED =
            Pattern.compile("^sums(?::\\d+)?> ([+-][IUD])\\[(.*), (-?[0-9.]+)]$");

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @TempDir static Path workDir;

    @Test
    void theSqlClientReadsAStreamThroughTheShadedJar() throws Exception {
        String arn = DYNAMODB.createTable("orders", StreamViewType.NEW_AND_OLD_IMAGES);
        writeOrders("orders");

        SqlClientProcess.Result result =
                new SqlClientProcess(workDir).run(script(arn), ShadedJar.path(), TIMEOUT);

        assertThat(result.exitCode()).as(result.describe()).isZero();
        assertThat(result.stdout()).as(result.describe()).doesNotContain("[ERROR]");
        assertThat(finalSums(result.stdout()))
                .as(result.describe())
                .isNotEmpty()
                .isEqualTo(sumsFromScan("orders"));
    }

    @Test
    void withoutTheJarTheSqlClientDoesNotKnowTheConnector() throws Exception {
        // The premise of the test above: nothing of ours on the SQL Client's own classpath.
        assertThat(Files.readString(ShadedJar.sqlClientClasspathFile()))
                .doesNotContain("ddbstreams", "awssdk", "httpclient5");
        String arn = DYNAMODB.createTable("orders_nojar", StreamViewType.NEW_AND_OLD_IMAGES);

        SqlClientProcess.Result result =
                new SqlClientProcess(workDir).run(script(arn), null, TIMEOUT);

        assertThat(result.stdout() + result.log())
                .as(result.describe())
                .contains("'dynamodb-streams'")
                .containsIgnoringCase("could not find any factory");
    }

    private static String script(String streamArn) {
        return String.join(
                "\n",
                // Wait for INSERT INTO to finish: the client exits (and its MiniCluster with it)
                // at the end of the script.
                "SET 'table.dml-sync' = 'true';",
                "CREATE TABLE orders (",
                "  order_id STRING,",
                "  customer STRING,",
                "  amount   DECIMAL(10, 2),",
                "  PRIMARY KEY (order_id) NOT ENFORCED",
                ") WITH (",
                "  'connector' = 'dynamodb-streams',",
                "  'stream-arn' = '" + streamArn + "',",
                "  'aws.region' = '" + DynamoDbLocal.REGION + "',",
                "  'aws.endpoint' = '" + DYNAMODB.endpoint() + "',",
                "  'aws.credentials.provider' = 'static',",
                "  'aws.credentials.access-key-id' = '" + DynamoDbLocal.ACCESS_KEY_ID + "',",
                "  'aws.credentials.secret-access-key' = '"
                        + DynamoDbLocal.SECRET_ACCESS_KEY
                        + "',",
                "  'scan.startup.mode' = 'trim-horizon',",
                "  'scan.bounded' = 'true',",
                "  'source.reader.idle-poll-interval' = '100 ms',",
                "  'attribute-mapping' = 'order_id:pk'",
                ");",
                "CREATE TABLE sums (customer STRING, total DECIMAL(38, 2))",
                "  WITH ('connector' = 'print', 'print-identifier' = 'sums');",
                "INSERT INTO sums SELECT customer, SUM(amount) FROM orders GROUP BY customer;",
                "");
    }

    /** Inserts, updates (amount, sometimes customer) and deletes, across a shard rollover. */
    private static void writeOrders(String table) {
        for (int i = 0; i < 30; i++) {
            put(table, i, "c" + (i % 4), BigDecimal.valueOf(100 + i * 7L, 2));
        }
        for (int i = 0; i < 30; i += 3) {
            put(table, i, "c" + (i % 5), BigDecimal.valueOf(2_000 + i * 11L, 2));
        }
        DYNAMODB.triggerShardRollovers();
        for (int i = 1; i < 30; i += 4) {
            Map<String, AttributeValue> key =
                    Map.of(DynamoDbLocal.HASH_KEY, AttributeValue.fromS("o" + i));
            DYNAMODB.dynamoDbClient().deleteItem(r -> r.tableName(table).key(key));
        }
        for (int i = 30; i < 36; i++) {
            put(table, i, "c" + (i % 3), BigDecimal.valueOf(500 + i, 2));
        }
        put(table, 2, "c9", new BigDecimal("1.23"));
    }

    private static void put(String table, int id, String customer, BigDecimal amount) {
        DYNAMODB.putItem(
                table,
                Map.of(
                        DynamoDbLocal.HASH_KEY,
                        AttributeValue.fromS("o" + id),
                        "customer",
                        AttributeValue.fromS(customer),
                        "amount",
                        AttributeValue.fromN(amount.toPlainString())));
    }

    /** The expected result, from the table's final contents. */
    private static Map<String, BigDecimal> sumsFromScan(String table) {
        Map<String, BigDecimal> sums = new HashMap<>();
        ScanResponse scan = DYNAMODB.dynamoDbClient().scan(r -> r.tableName(table));
        assertThat(scan.lastEvaluatedKey()).as("one page holds the whole table").isEmpty();
        for (Map<String, AttributeValue> item : scan.items()) {
            sums.merge(
                    item.get("customer").s(),
                    new BigDecimal(item.get("amount").n()),
                    BigDecimal::add);
        }
        sums.replaceAll((customer, sum) -> sum.stripTrailingZeros());
        return sums;
    }

    /** Applies the printed changelog: the last value per customer that was not retracted. */
    private static Map<String, BigDecimal> finalSums(String stdout) {
        Map<String, BigDecimal> sums = new HashMap<>();
        for (String line : stdout.split("\\R")) {
            Matcher m = PRINTED.matcher(line.trim());
            if (!m.matches()) {
                continue;
            }
            String kind = m.group(1);
            String customer = m.group(2);
            BigDecimal total = new BigDecimal(m.group(3)).stripTrailingZeros();
            if (kind.equals("+I") || kind.equals("+U")) {
                sums.put(customer, total);
            } else {
                sums.remove(customer, total);
            }
        }
        return sums;
    }
}
