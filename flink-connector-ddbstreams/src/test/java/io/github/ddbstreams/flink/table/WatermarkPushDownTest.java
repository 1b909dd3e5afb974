package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.eventtime.NoWatermarksGenerator;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.dag.Transformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.transformations.SourceTransformation;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.util.clock.RelativeClock;
import org.apache.flink.util.clock.SystemClock;
import org.junit.jupiter.api.Test;

/**
 * Watermark push-down: the planner hands the {@code WATERMARK} clause (or {@code
 * SOURCE_WATERMARK()}) to the source instead of adding a WatermarkAssigner after it, and the
 * strategy reaches the source operator, where Flink's reader applies it per shard.
 */
class WatermarkPushDownTest {

    private static final String WINDOW_QUERY =
            "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(op_ts),"
                    + " INTERVAL '1' MINUTE)) GROUP BY window_start, window_end";

    private static StreamTableEnvironment tableEnv(StreamExecutionEnvironment env) {
        return StreamTableEnvironment.create(env);
    }

    private static StreamTableEnvironment tableEnv() {
        return tableEnv(StreamExecutionEnvironment.getExecutionEnvironment(new Configuration()));
    }

    private static void createEvents(StreamTableEnvironment tEnv, String watermark, String extra) {
        tEnv.executeSql(
                "CREATE TABLE events (order_id STRING, amount INT,"
                        + " op_ts TIMESTAMP_LTZ(3) METADATA FROM 'approximate_creation_time'"
                        + " VIRTUAL, WATERMARK FOR op_ts AS "
                        + watermark
                        + ") WITH ('connector' = 'dynamodb-streams', 'table-name' = 'orders',"
                        + " 'aws.region' = 'eu-west-1', 'changelog.mode' = 'append'"
                        + extra
                        + ")");
    }

    /** The optimized physical plan, the second section of EXPLAIN's output. */
    private static String optimizedPlan(StreamTableEnvironment tEnv, String query) {
        String explain = tEnv.explainSql(query);
        int start = explain.indexOf("== Optimized Physical Plan ==");
        int end = explain.indexOf("== Optimized Execution Plan ==");
        assertThat(start).as(explain).isNotNegative();
        return explain.substring(start, end);
    }

    private static String scanLine(String plan) {
        return plan.lines().filter(l -> l.contains("TableSourceScan")).findFirst().orElseThrow();
    }

    @Test
    void plannerPushesTheWatermarkClauseIntoTheScan() {
        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "op_ts - INTERVAL '5' SECOND", "");

        String plan = optimizedPlan(tEnv, WINDOW_QUERY);

        assertThat(scanLine(plan))
                .contains("metadata=[approximate_creation_time]")
                .containsPattern("watermark=\\[-\\(.*op_ts.*, 5000:INTERVAL SECOND\\)\\]");
        assertThat(plan).doesNotContain("WatermarkAssigner");
    }

    @Test
    void idleTimeoutOfTheTableTravelsWithThePushedClause() {
        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "op_ts", ", 'scan.watermark.idle-timeout' = '1 min'");

        assertThat(scanLine(optimizedPlan(tEnv, WINDOW_QUERY))).contains("idletimeout=[60000]");
    }

    @Test
    void plannerHandsSourceWatermarkToTheSource() {
        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "SOURCE_WATERMARK()", "");

        String plan = optimizedPlan(tEnv, WINDOW_QUERY);

        assertThat(scanLine(plan)).contains("watermark=[SOURCE_WATERMARK()]");
        assertThat(plan).doesNotContain("WatermarkAssigner");
    }

    @Test
    void translatedJobGivesTheStrategyToTheSourceOperatorWithNameAndParallelism() {
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
        env.setParallelism(2);
        StreamTableEnvironment tEnv = tableEnv(env);
        createEvents(tEnv, "op_ts", ", 'scan.parallelism' = '3'");

        Transformation<?> last =
                tEnv.toDataStream(tEnv.sqlQuery("SELECT order_id, op_ts FROM events"))
                        .getTransformation();
        SourceTransformation<?, ?, ?> scan = findSource(last);

        assertThat(scan.getSource()).isInstanceOf(DynamoDbStreamsSource.class);
        assertThat(scan.getParallelism()).isEqualTo(3);
        assertThat(scan.getName()).contains("events");
        assertThat(generator(scan.getWatermarkStrategy()))
                .isNotInstanceOf(NoWatermarksGenerator.class);
    }

    @Test
    void withoutAWatermarkTheSourceGeneratesNone() {
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                "CREATE TABLE events (order_id STRING) WITH ('connector' = 'dynamodb-streams',"
                        + " 'table-name' = 'orders', 'aws.region' = 'eu-west-1')");

        Transformation<?> last =
                tEnv.toChangelogStream(tEnv.sqlQuery("SELECT order_id FROM events"))
                        .getTransformation();

        assertThat(generator(findSource(last).getWatermarkStrategy()))
                .isInstanceOf(NoWatermarksGenerator.class);
    }

    @Test
    void providerUsesThePlannersUidKeyAndTheStrategy() {
        DynamoDbStreamsDynamicTableSource source = source();
        WatermarkStrategy<RowData> strategy = WatermarkStrategy.forMonotonousTimestamps();
        source.applyWatermark(strategy);
        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        SourceTransformation<?, ?, ?> scan =
                (SourceTransformation<?, ?, ?>)
                        provider.produceDataStream(key -> Optional.of("7_" + key), env)
                                .getTransformation();

        assertThat(scan.getWatermarkStrategy()).isSameAs(strategy);
        assertThat(scan.getUid()).isEqualTo("7_source");
        assertThat(scan.getName()).isEqualTo(source.asSummaryString());
        assertThat(provider.getParallelism()).contains(4);
    }

    @Test
    void snapshotThenStreamOperatorsTakeThePlannersUidAsTheirPrefix() {
        assertThat(snapshotThenStreamUids(key -> Optional.of("7_" + key)))
                .containsExactly(
                        "7_source/watermarks",
                        "7_source/deserializer",
                        "7_source/snapshot-merge",
                        "7_source/items",
                        "7_source/source");
        // Statements not compiled to a plan: no uids, as for the planner's own operators.
        assertThat(snapshotThenStreamUids(key -> Optional.empty())).isEmpty();
    }

    /**
     * The uids of an 'initial' table's operators along their first inputs, last first (the keyBy
     * has none; the segment ends' filter is the merge's second input).
     */
    private static List<String> snapshotThenStreamUids(ProviderContext context) {
        DynamoDbStreamsDynamicTableSource source = source(StartingPosition.initialSnapshot());
        DynamoDbStreamsScanProvider provider =
                (DynamoDbStreamsScanProvider)
                        source.getScanRuntimeProvider(ScanRuntimeProviderContext.INSTANCE);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());

        Transformation<?> last = provider.produceDataStream(context, env).getTransformation();
        List<String> uids = new ArrayList<>();
        for (Transformation<?> t = last; ; t = t.getInputs().get(0)) {
            if (t.getUid() != null) {
                uids.add(t.getUid());
            }
            if (t.getInputs().isEmpty()) {
                return uids;
            }
        }
    }

    @Test
    void sourceWatermarkFollowsTheRecordTimestampsLessAMillisecond() {
        DynamoDbStreamsDynamicTableSource source = source();
        source.applySourceWatermark();
        WatermarkGenerator<RowData> generator = generator(source.watermarkStrategy());
        Deque<Long> emitted = new ArrayDeque<>();
        WatermarkOutput output = new CollectingOutput(emitted);

        generator.onEvent(null, 120_000L, output);
        generator.onEvent(null, 60_000L, output);
        generator.onPeriodicEmit(output);

        assertThat(emitted).containsExactly(119_999L);
        assertThat(source.asSummaryString()).contains("source watermark");
    }

    @Test
    void copiesCarryTheStrategy() {
        DynamoDbStreamsDynamicTableSource source = source();
        WatermarkStrategy<RowData> strategy = WatermarkStrategy.forMonotonousTimestamps();
        source.applyWatermark(strategy);

        DynamoDbStreamsDynamicTableSource copy = (DynamoDbStreamsDynamicTableSource) source.copy();

        assertThat(copy.watermarkStrategy()).isSameAs(strategy);
        assertThat(copy).isEqualTo(source);
        assertThat(copy).isNotEqualTo(source());
        DynamoDbStreamsDynamicTableSource sourceWatermark = source();
        sourceWatermark.applySourceWatermark();
        assertThat(sourceWatermark.copy()).isEqualTo(sourceWatermark).isNotEqualTo(source());
    }

    private static DynamoDbStreamsDynamicTableSource source() {
        return source(StartingPosition.latest());
    }

    private static DynamoDbStreamsDynamicTableSource source(StartingPosition start) {
        return new DynamoDbStreamsDynamicTableSource(
                new SourceSettings(
                        null, "orders", start, AwsConfig.defaults(), false, new Configuration()),
                DataTypes.ROW(DataTypes.FIELD("order_id", DataTypes.STRING())),
                List.of("pk"),
                new int[0],
                TableChangelogMode.APPEND,
                true,
                4);
    }

    private static SourceTransformation<?, ?, ?> findSource(Transformation<?> from) {
        Deque<Transformation<?>> todo = new ArrayDeque<>(List.of(from));
        while (!todo.isEmpty()) {
            Transformation<?> t = todo.pop();
            if (t instanceof SourceTransformation) {
                return (SourceTransformation<?, ?, ?>) t;
            }
            todo.addAll(t.getInputs());
        }
        throw new AssertionError("no source transformation under " + from);
    }

    @SuppressWarnings("unchecked")
    private static <T> WatermarkGenerator<T> generator(WatermarkStrategy<?> strategy) {
        return ((WatermarkStrategy<T>) strategy).createWatermarkGenerator(new GeneratorContext());
    }

    private static final class GeneratorContext implements WatermarkGeneratorSupplier.Context {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public RelativeClock getInputActivityClock() {
            return SystemClock.getInstance();
        }
    }

    private static final class CollectingOutput implements WatermarkOutput {
        private final Deque<Long> emitted;

        CollectingOutput(Deque<Long> emitted) {
            this.emitted = emitted;
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            emitted.add(watermark.getTimestamp());
        }

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }
}
