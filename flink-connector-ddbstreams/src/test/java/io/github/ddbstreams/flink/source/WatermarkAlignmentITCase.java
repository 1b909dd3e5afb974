package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Split-level watermark alignment on DynamoDB Local: one source over a table written at 200 items/s
 * that starts with a backlog (event times five minutes behind), and a table written at 5 items/s.
 * With an alignment group of 1 s drift the slow table's shard is paused while the fast one reads
 * its backlog, so the event times the two emit never drift further apart than the drift, the update
 * interval and one page; without alignment they drift by minutes. Nothing is lost and each table's
 * items come in write order either way. Event times come from the items' {@code ts} attribute:
 * DynamoDB Local truncates ApproximateCreationDateTime to the minute.
 */
class WatermarkAlignmentITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(1);

    private static final int BACKLOG = 3_000;
    private static final long BACKLOG_SPACING_MILLIS = 100;
    private static final int PAGE = 5;
    private static final Duration MAX_DRIFT = Duration.ofSeconds(1);
    private static final Duration UPDATE_INTERVAL = Duration.ofMillis(100);
    private static final long POLL_MILLIS = 100;

    @Test
    void aSlowTableWaitsForABackloggedFastOneWithinTheDrift() throws Exception {
        Run aligned = run("al_fast", "al_slow", true);
        Run unaligned = run("un_fast", "un_slow", false);

        // A page of the backlog spans PAGE x its spacing of event time.
        long bound =
                MAX_DRIFT.toMillis()
                        + UPDATE_INTERVAL.toMillis()
                        + POLL_MILLIS
                        + PAGE * BACKLOG_SPACING_MILLIS;
        System.out.printf(
                "Watermark alignment: max drift %d ms (bound %d ms); without alignment %d ms%n",
                aligned.maxDriftMillis, bound, unaligned.maxDriftMillis);
        assertThat(aligned.maxDriftMillis).as("drift with alignment").isLessThanOrEqualTo(bound);
        assertThat(unaligned.maxDriftMillis)
                .as("drift without alignment: the test can tell")
                .isGreaterThan(60_000);
        for (Run run : List.of(aligned, unaligned)) {
            assertThat(run.measured).as("slow items compared with the fast table").isGreaterThan(5);
            assertThat(run.fastEmitted).isEqualTo(BACKLOG + run.fastWritten.get());
            assertThat(run.slowEmitted).isEqualTo(run.slowWritten.get());
            assertThat(run.outOfOrder).as("per table, in write order").isZero();
        }
    }

    /** What one job emitted: the slow table's drift ahead of the fast one, counts, order. */
    private static final class Run {
        long maxDriftMillis = Long.MIN_VALUE;
        int measured;
        int fastEmitted;
        int slowEmitted;
        final AtomicInteger fastWritten = new AtomicInteger();
        final AtomicInteger slowWritten = new AtomicInteger();
        int outOfOrder;
    }

    private static Run run(String fastTable, String slowTable, boolean align) throws Exception {
        DYNAMODB.createTable(fastTable, StreamViewType.NEW_IMAGE);
        DYNAMODB.createTable(slowTable, StreamViewType.NEW_IMAGE);
        long backlogEnd = System.currentTimeMillis();
        List<Map<String, AttributeValue>> backlog = new ArrayList<>();
        for (int i = 0; i < BACKLOG; i++) {
            backlog.add(item("b" + i, backlogEnd - (BACKLOG - i) * BACKLOG_SPACING_MILLIS));
        }
        DYNAMODB.putItems(fastTable, backlog);

        WatermarkStrategy<ChangeEvent> events =
                WatermarkStrategy.<ChangeEvent>forMonotonousTimestamps()
                        .withTimestampAssigner((e, t) -> ts(e));
        if (align) {
            events = events.withWatermarkAlignment("tables", MAX_DRIFT, UPDATE_INTERVAL);
        }
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .tableNames(fastTable, slowTable)
                        .startingPosition(StartingPosition.trimHorizon())
                        .deserializer(ChangeEventDeserializer.create())
                        .awsConfig(DYNAMODB.awsConfig())
                        .idlePollInterval(Duration.ofMillis(POLL_MILLIS))
                        .setConfig(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, PAGE)
                        .build();
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        Run run = new Run();
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread fastWriter = writer(fastTable, 5, run.fastWritten, writing);
        Thread slowWriter = writer(slowTable, 200, run.slowWritten, writing);
        Map<String, Long> lastTs = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (CloseableIterator<ChangeEvent> emitted =
                env.fromSource(source, events, "two-tables").executeAndCollect("align-" + align)) {
            fastWriter.start();
            slowWriter.start();
            long firstSlowNanos = 0;
            int slowAfterBacklog = 0;
            // Until the backlog is read and the slow table went on for 2 s after it.
            while (slowAfterBacklog < 10 && System.nanoTime() < deadline) {
                ChangeEvent event = emitted.next();
                long ts = ts(event);
                Long previous = lastTs.put(event.getTableName(), ts);
                if (previous != null && ts < previous) {
                    run.outOfOrder++;
                }
                if (event.getTableName().equals(fastTable)) {
                    run.fastEmitted++;
                    continue;
                }
                run.slowEmitted++;
                if (firstSlowNanos == 0) {
                    firstSlowNanos = System.nanoTime();
                }
                Long fastTs = lastTs.get(fastTable);
                // Alignment acts on a shard's watermark, known from its first record on, after a
                // round trip to the coordinator: records of the first second are not held back.
                boolean alignmentActs =
                        System.nanoTime() - firstSlowNanos > TimeUnit.MILLISECONDS.toNanos(1000);
                if (fastTs != null && alignmentActs) {
                    run.maxDriftMillis = Math.max(run.maxDriftMillis, ts - fastTs);
                    run.measured++;
                }
                if (run.fastEmitted >= BACKLOG) {
                    slowAfterBacklog++;
                }
            }
            writing.set(false);
            fastWriter.join();
            slowWriter.join();
            while ((run.fastEmitted < BACKLOG + run.fastWritten.get()
                            || run.slowEmitted < run.slowWritten.get())
                    && System.nanoTime() < deadline) {
                ChangeEvent event = emitted.next();
                if (event.getTableName().equals(fastTable)) {
                    run.fastEmitted++;
                } else {
                    run.slowEmitted++;
                }
            }
        } finally {
            writing.set(false);
        }
        return run;
    }

    /** Writes an item with ts = now every {@code periodMillis} while {@code writing}. */
    private static Thread writer(
            String table, long periodMillis, AtomicInteger written, AtomicBoolean writing) {
        return new Thread(
                () -> {
                    while (writing.get()) {
                        int n = written.get();
                        DYNAMODB.putItem(table, item("w" + n, System.currentTimeMillis()));
                        written.incrementAndGet();
                        sleep(periodMillis);
                    }
                },
                "writer-" + table);
    }

    private static long ts(ChangeEvent event) {
        return Long.parseLong(event.getNewImage().get("ts").n());
    }

    private static Map<String, AttributeValue> item(String key, long ts) {
        return Map.of(
                "pk", AttributeValue.fromS(key), "ts", AttributeValue.fromN(Long.toString(ts)));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
