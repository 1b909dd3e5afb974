package io.github.ddbstreams.examples;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.aws.AwsConfigBuilder;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.StartingPosition;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * README's DataStream job: prints the key of every deleted order.
 *
 * <p>Without options it reads an embedded DynamoDB Local's {@code orders} table from its first
 * change to what it holds when the job starts (bounded), prints order-2 and order-5, and ends. With
 * {@code --table} or {@code --stream-arn} it follows that real stream until you stop it (Ctrl-C).
 */
public final class DataStreamJob {

    public static void main(String[] args) throws Exception {
        QuickstartOptions options = QuickstartOptions.parse(args);
        if (options.local()) {
            try (LocalOrders local = LocalOrders.startWithSampleOrders()) {
                run(
                        DynamoDbStreamsSource.<ChangeEvent>builder()
                                .tableName(LocalOrders.TABLE)
                                .startingPosition(StartingPosition.trimHorizon())
                                .awsConfig(local.awsConfig())
                                .bounded());
            }
            // DynamoDB Local leaves a non-daemon thread behind.
            System.exit(0);
        }
        DynamoDbStreamsSourceBuilder<ChangeEvent> builder = DynamoDbStreamsSource.builder();
        options.table().ifPresent(builder::tableName);
        options.streamArn().ifPresent(builder::streamArn);
        AwsConfigBuilder aws = AwsConfig.builder();
        options.region().ifPresent(aws::region);
        run(
                builder.awsConfig(aws.build())
                        .startingPosition(
                                options.from().equals("trim-horizon")
                                        ? StartingPosition.trimHorizon()
                                        : StartingPosition.latest()));
    }

    static void run(DynamoDbStreamsSourceBuilder<ChangeEvent> source) throws Exception {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        Configuration.fromMap(QuickstartOptions.RESTARTS));
        env.enableCheckpointing(10_000); // exactly-once needs checkpoints

        env.fromSource(source.build(), WatermarkStrategy.noWatermarks(), "orders-changes")
                .filter(change -> change.getEventName() == ChangeEvent.EventName.REMOVE)
                .map(change -> change.getKeys().get("order_id").s())
                .print();

        env.execute("deleted-orders");
    }
}
