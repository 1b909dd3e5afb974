package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.TwoSpeedTables;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watermark alignment on DynamoDB Local with the tables of {@link TwoSpeedTables} (a fast one with
 * a backlog five minutes behind, a slow one), in an alignment group of 1 s drift: one source over
 * both tables (split-level alignment pauses the slow table's shard), and two sources, one per
 * table, unioned. The slow table waits for the fast one's backlog and runs seconds ahead at most
 * (see {@link TwoSpeedTables#alignedBoundMillis()} for why seconds and not the drift); without
 * alignment it runs minutes ahead. Nothing is lost and each table's items come in write order.
 */
class WatermarkAlignmentITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(1);

    @Test
    void aSlowTableWaitsForABackloggedFastOneWithinTheDrift() throws Exception {
        TwoSpeedTables aligned = run("al_fast", "al_slow", true);
        TwoSpeedTables unaligned = run("un_fast", "un_slow", false);

        System.out.printf(
                "Watermark alignment (one source): max drift %d ms (bound %d ms); without"
                        + " alignment %d ms%n",
                aligned.maxDriftMillis(), aligned.alignedBoundMillis(), unaligned.maxDriftMillis());
        assertThat(aligned.maxDriftMillis())
                .as("drift with alignment")
                .isLessThanOrEqualTo(aligned.alignedBoundMillis());
        assertThat(unaligned.maxDriftMillis())
                .as("drift without alignment: the test can tell")
                .isGreaterThan(TwoSpeedTables.UNALIGNED_MIN_MILLIS);
        aligned.checkComplete();
        unaligned.checkComplete();
    }

    @Test
    void twoSourcesInOneGroupStayWithinTheDrift() throws Exception {
        TwoSpeedTables tables = new TwoSpeedTables(DYNAMODB, "two_fast", "two_slow");
        StreamExecutionEnvironment env = env();
        WatermarkStrategy<ChangeEvent> events = strategy(true);
        DataStream<ChangeEvent> fast = env.fromSource(source("two_fast"), events, "fast");
        DataStream<ChangeEvent> slow = env.fromSource(source("two_slow"), events, "slow");
        try (CloseableIterator<ChangeEvent> emitted =
                fast.union(slow).executeAndCollect("two-sources")) {
            tables.readWhileWriting(
                    emitted, ChangeEvent::getTableName, WatermarkAlignmentITCase::ts);
        }

        System.out.printf(
                "Watermark alignment (two sources): max drift %d ms (bound %d ms)%n",
                tables.maxDriftMillis(), tables.alignedBoundMillis());
        assertThat(tables.maxDriftMillis())
                .as("drift across two sources of one group")
                .isLessThanOrEqualTo(tables.alignedBoundMillis());
        tables.checkComplete();
    }

    private static TwoSpeedTables run(String fast, String slow, boolean align) throws Exception {
        TwoSpeedTables tables = new TwoSpeedTables(DYNAMODB, fast, slow);
        try (CloseableIterator<ChangeEvent> emitted =
                env().fromSource(source(fast, slow), strategy(align), "two-tables")
                        .executeAndCollect("align-" + align)) {
            tables.readWhileWriting(
                    emitted, ChangeEvent::getTableName, WatermarkAlignmentITCase::ts);
        }
        return tables;
    }

    /** Event time from the items' {@code ts}; with alignment, in the group of every test here. */
    private static WatermarkStrategy<ChangeEvent> strategy(boolean align) {
        WatermarkStrategy<ChangeEvent> events =
                WatermarkStrategy.<ChangeEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> ts(e));
        return align
                ? events.withWatermarkAlignment(
                        "tables", TwoSpeedTables.MAX_DRIFT, TwoSpeedTables.UPDATE_INTERVAL)
                : events;
    }

    private static DynamoDbStreamsSource<ChangeEvent> source(String... tables) {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .tableNames(tables)
                .startingPosition(StartingPosition.trimHorizon())
                .deserializer(ChangeEventDeserializer.create())
                .awsConfig(DYNAMODB.awsConfig())
                .idlePollInterval(Duration.ofMillis(TwoSpeedTables.POLL_MILLIS))
                .setConfig(
                        DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, TwoSpeedTables.PAGE)
                .build();
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    private static long ts(ChangeEvent event) {
        return Long.parseLong(event.getNewImage().get("ts").n());
    }
}
