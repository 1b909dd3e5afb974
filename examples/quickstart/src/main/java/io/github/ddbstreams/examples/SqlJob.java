package io.github.ddbstreams.examples;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;

import java.util.ArrayList;
import java.util.List;

/**
 * The SQL job of docs/sql.md: a changelog table over the {@code orders} table's stream, and each
 * customer's total, updated as orders change.
 *
 * <p>Without options it reads an embedded DynamoDB Local's sample orders (bounded), prints the
 * totals' changelog and ends. With {@code --table} or {@code --stream-arn} it follows that real
 * stream until you stop it (Ctrl-C).
 */
public final class SqlJob {

    public static void main(String[] args) throws Exception {
        QuickstartOptions options = QuickstartOptions.parse(args);
        if (options.local()) {
            try (LocalOrders local = LocalOrders.startWithSampleOrders()) {
                run(
                        List.of(
                                option("table-name", LocalOrders.TABLE),
                                option("aws.region", LocalOrders.REGION),
                                option("aws.endpoint", local.endpoint().toString()),
                                option("aws.credentials.provider", "static"),
                                option("aws.credentials.access-key-id", LocalOrders.ACCESS_KEY_ID),
                                option(
                                        "aws.credentials.secret-access-key",
                                        LocalOrders.SECRET_ACCESS_KEY),
                                option("scan.startup.mode", "trim-horizon"),
                                option("scan.bounded", "true")));
            }
            // DynamoDB Local leaves a non-daemon thread behind.
            System.exit(0);
        }
        List<String> with = new ArrayList<>();
        options.table().ifPresent(table -> with.add(option("table-name", table)));
        options.streamArn().ifPresent(arn -> with.add(option("stream-arn", arn)));
        options.region().ifPresent(region -> with.add(option("aws.region", region)));
        with.add(option("scan.startup.mode", options.from()));
        run(with);
    }

    static void run(List<String> withOptions) {
        TableEnvironment tableEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tableEnv.getConfig().set("execution.checkpointing.interval", "10 s");
        QuickstartOptions.RESTARTS.forEach(tableEnv.getConfig()::set);

        tableEnv.executeSql(
                "CREATE TABLE orders (\n"
                        + "  order_id    STRING,\n"
                        + "  customer    STRING,\n"
                        + "  amount      DECIMAL(10, 2),\n"
                        + "  items       ARRAY<ROW<sku STRING, qty INT>>,\n"
                        + "  op_ts       TIMESTAMP_LTZ(3)"
                        + " METADATA FROM 'approximate_creation_time' VIRTUAL,\n"
                        + "  is_ttl      BOOLEAN METADATA FROM 'is_ttl_delete' VIRTUAL,\n"
                        + "  PRIMARY KEY (order_id) NOT ENFORCED,\n"
                        + "  WATERMARK FOR op_ts AS op_ts - INTERVAL '5' SECOND\n"
                        + ") WITH (\n"
                        + "  'connector' = 'dynamodb-streams',\n  "
                        + String.join(",\n  ", withOptions)
                        + "\n)");

        // Prints the result's changelog: +I a new total, -U/+U a total that changed, -D one gone.
        tableEnv.executeSql("SELECT customer, SUM(amount) FROM orders GROUP BY customer").print();
    }

    private static String option(String key, String value) {
        return "'" + key + "' = '" + value.replace("'", "''") + "'";
    }
}
