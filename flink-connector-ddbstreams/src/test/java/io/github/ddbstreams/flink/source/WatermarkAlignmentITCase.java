package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.TwoSpeedTables;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Split-level watermark alignment on DynamoDB Local: one source over the two tables of {@link
 * TwoSpeedTables} (a fast one with a backlog five minutes behind, a slow one). With an alignment
 * group of 1 s drift the slow table's shard is paused while the fast one reads its backlog, so the
 * slow table runs seconds ahead at most (see {@link TwoSpeedTables#ALIGNED_BOUND_MILLIS}); without
 * alignment it runs minutes ahead. Nothing is lost and each table's items come in write order
 * either way.
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
                aligned.maxDriftMillis(),
                TwoSpeedTables.ALIGNED_BOUND_MILLIS,
                unaligned.maxDriftMillis());
        assertThat(aligned.maxDriftMillis())
                .as("drift with alignment")
                .isLessThanOrEqualTo(TwoSpeedTables.ALIGNED_BOUND_MILLIS);
        assertThat(unaligned.maxDriftMillis())
                .as("drift without alignment: the test can tell")
                .isGreaterThan(TwoSpeedTables.UNALIGNED_MIN_MILLIS);
        aligned.checkComplete();
        unaligned.checkComplete();
    }

    private static TwoSpeedTables run(String fast, String slow, boolean align) throws Exception {
        TwoSpeedTables tables = new TwoSpeedTables(DYNAMODB, fast, slow);
        WatermarkStrategy<ChangeEvent> events =
                WatermarkStrategy.<ChangeEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> ts(e));
        if (align) {
            events =
                    events.withWatermarkAlignment(
                            "tables", TwoSpeedTables.MAX_DRIFT, TwoSpeedTables.UPDATE_INTERVAL);
        }
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .tableNames(fast, slow)
                        .startingPosition(StartingPosition.trimHorizon())
                        .deserializer(ChangeEventDeserializer.create())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(TwoSpeedTables.POLL_MILLIS))
                        .setConfig(
                                DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS,
                                TwoSpeedTables.PAGE)
                        .build();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (CloseableIterator<ChangeEvent> emitted =
                env.fromSource(source, events, "two-tables").executeAndCollect("align-" + align)) {
            tables.startWriting();
            boolean done = false;
            while (!done && System.nanoTime() < deadline) {
                ChangeEvent event = emitted.next();
                done = tables.emitted(event.getTableName(), ts(event));
            }
            tables.stopWriting();
            while (!tables.allEmitted() && System.nanoTime() < deadline) {
                ChangeEvent event = emitted.next();
                tables.emitted(event.getTableName(), ts(event));
            }
        } finally {
            tables.stopWriting();
        }
        return tables;
    }

    private static long ts(ChangeEvent event) {
        return Long.parseLong(event.getNewImage().get("ts").n());
    }
}
