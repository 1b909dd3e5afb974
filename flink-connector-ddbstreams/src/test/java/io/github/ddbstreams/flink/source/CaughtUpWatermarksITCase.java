package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple4;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessAllWindowFunction;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Caught-up shards advance event time, on DynamoDB Local: one source over three tables, rolled over
 * before the job starts, so each is read as a parent with a few records and then a child: a busy
 * table (20 items/s), a quiet one (no writes after the rollover: its child has no records at all)
 * and a sparse one (an item every 3 s, so its shard is caught up between records and then gets
 * some). A tumbling event-time window over all three, with no idle timeout, fires within window end
 * + out-of-orderness + margin + one idle poll (+ slack for Flink's periodic watermark and
 * scheduling), and no item is late (a side output counts late ones; every item is counted once).
 * With the option off the quiet shard holds every window back. Event times come from a {@code ts}
 * attribute written with the wall clock, since DynamoDB Local truncates creation times to the
 * minute.
 */
class CaughtUpWatermarksITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    /** The enumerator's shard gauges: writing starts once every child shard is assigned. */
    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusterFixture.withSlots(1, METRICS.addToConfiguration(new Configuration()));

    private static final long WINDOW_MILLIS = 2_000;
    private static final long OUT_OF_ORDERNESS_MILLIS = 500;

    /**
     * DynamoDB Local makes an item's record visible within its PutItem call, and {@code ts} is
     * taken just before it: a record's event time lies well under this before its appearance, even
     * on a loaded two-core machine running other builds.
     */
    private static final long MARGIN_MILLIS = 2_000;

    private static final long IDLE_POLL_MILLIS = 200;

    /** Flink's periodic watermark (200 ms), hand-overs between threads, a GC pause. */
    private static final long SLACK_MILLIS = 1_000;

    private static final long BOUND_MILLIS =
            OUT_OF_ORDERNESS_MILLIS + MARGIN_MILLIS + IDLE_POLL_MILLIS + SLACK_MILLIS;

    /**
     * Windows ending this soon after the writes start are not measured: the job starts, reads the
     * parent shards, then the children; the quiet child counts as caught up after 10 empty pages.
     */
    private static final long WARM_UP_MILLIS = 6_000;

    private static final long BUSY_PERIOD_MILLIS = 50;
    private static final long SPARSE_PERIOD_MILLIS = 3_000;

    @Test
    void aWindowOverABusyAndAQuietShardFiresOnTimeWithoutIdleTimeout() throws Exception {
        Run on = new Run("on", true);
        on.execute(Duration.ofSeconds(16));
        Run off = new Run("off", false);
        off.execute(Duration.ofSeconds(8));

        List<Long> delays = on.measuredDelays();
        System.out.printf(
                "Caught-up shards: window firing delays (ms after window end) %s; all windows"
                        + " %s; bound %d ms (out-of-orderness %d + margin %d + idle poll %d +"
                        + " slack %d); late items %d; option off: %d windows fired in %d s%n",
                delays,
                on.allDelays(),
                BOUND_MILLIS,
                OUT_OF_ORDERNESS_MILLIS,
                MARGIN_MILLIS,
                IDLE_POLL_MILLIS,
                SLACK_MILLIS,
                on.late(),
                off.windows().size(),
                8);

        assertThat(delays).as("measured windows").hasSizeGreaterThanOrEqualTo(4);
        assertThat(delays).allSatisfy(d -> assertThat(d).isLessThanOrEqualTo(BOUND_MILLIS));
        assertThat(on.late()).as("late items").isZero();
        assertThat(on.counted()).as("items counted in windows").isEqualTo(on.written());
        assertThat(off.windows())
                .as("windows fired with the option off: the quiet shard holds them back")
                .isEmpty();
    }

    /** One job over three fresh tables, and what its windows reported. */
    private static final class Run {
        private final String busy;
        private final String quiet;
        private final String sparse;
        private final boolean caughtUp;
        private final String sinkId;
        private final AtomicInteger written = new AtomicInteger();
        private long writeStart;

        Run(String name, boolean caughtUp) {
            this.busy = "busy_" + name;
            this.quiet = "quiet_" + name;
            this.sparse = "sparse_" + name;
            this.caughtUp = caughtUp;
            this.sinkId = "caught-up-" + name;
        }

        void execute(Duration writing) throws Exception {
            for (String table : List.of(busy, quiet, sparse)) {
                DYNAMODB.createTable(table, StreamViewType.NEW_IMAGE);
                for (int i = 0; i < 3; i++) {
                    put(table, "p" + i);
                }
            }
            // Parents with a few records, open children without any.
            DYNAMODB.triggerShardRollovers();

            JobClient job = env().executeAsync("caught-up-" + caughtUp);
            try {
                // A table's shard not assigned yet holds no watermark back: written before the
                // three tables' parents are read and their children assigned, an item could come
                // late because of the start-up, not because of caught-up shards.
                long assignedBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while ((gauge(job, "shardsFinished") < 3 || gauge(job, "shardsAssigned") < 3)
                        && System.nanoTime() < assignedBy) {
                    Thread.sleep(50);
                }
                writeStart = System.currentTimeMillis();
                AtomicBoolean go = new AtomicBoolean(true);
                Thread busyWriter = writer(busy, BUSY_PERIOD_MILLIS, go);
                Thread sparseWriter = writer(sparse, SPARSE_PERIOD_MILLIS, go);
                busyWriter.start();
                sparseWriter.start();
                Thread.sleep(writing.toMillis());
                go.set(false);
                busyWriter.join();
                sparseWriter.join();
                // With the option on, every item ends up in a window (or late); off, none fires.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(caughtUp ? 20 : 2);
                while (System.nanoTime() < deadline && counted() + late() < written.get()) {
                    Thread.sleep(100);
                }
            } finally {
                job.cancel().get();
            }
        }

        /** The enumerator's gauge {@code name}; 0 until it is registered. */
        private long gauge(JobClient job, String name) {
            Map<String, Metric> metrics =
                    METRICS.findMetrics(job.getJobID(), ".*dynamodbStreams\\." + name);
            long sum = 0;
            for (Metric metric : metrics.values()) {
                sum += ((Number) ((Gauge<?>) metric).getValue()).longValue();
            }
            return sum;
        }

        private StreamExecutionEnvironment env() {
            DynamoDbStreamsSource<ChangeEvent> source =
                    DynamoDbStreamsSource.<ChangeEvent>builder()
                            .tableNames(busy, quiet, sparse)
                            .startingPosition(StartingPosition.trimHorizon())
                            .deserializer(ChangeEventDeserializer.create())
                            .awsConfig(DYNAMODB.awsConfig())
                            .idlePollInterval(Duration.ofMillis(IDLE_POLL_MILLIS))
                            .setConfig(
                                    DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_SHARDS,
                                    caughtUp)
                            .setConfig(
                                    DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN,
                                    Duration.ofMillis(MARGIN_MILLIS))
                            .build();
            // No withIdleness: a quiet shard must not need it.
            WatermarkStrategy<ChangeEvent> events =
                    WatermarkStrategy.<ChangeEvent>forBoundedOutOfOrderness(
                                    Duration.ofMillis(OUT_OF_ORDERNESS_MILLIS))
                            .withTimestampAssigner((e, t) -> ts(e));
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);

            OutputTag<ChangeEvent> lateTag =
                    new OutputTag<>("late", ChangeEventDeserializer.create().getProducedType());
            SingleOutputStreamOperator<Tuple4<String, Long, Long, Long>> windows =
                    env.fromSource(source, events, "busy-quiet-sparse")
                            .windowAll(
                                    TumblingEventTimeWindows.of(Duration.ofMillis(WINDOW_MILLIS)))
                            .sideOutputLateData(lateTag)
                            .process(new CountWindow(), RESULT);
            DataStream<Tuple4<String, Long, Long, Long>> late =
                    windows.getSideOutput(lateTag)
                            .map(e -> Tuple4.of("late", ts(e), 1L, System.currentTimeMillis()))
                            .returns(RESULT);
            windows.union(late).sinkTo(new CollectingSink<>(sinkId));
            return env;
        }

        private Thread writer(String table, long periodMillis, AtomicBoolean go) {
            return new Thread(
                    () -> {
                        int i = 0;
                        while (go.get()) {
                            put(table, "w" + i++);
                            try {
                                Thread.sleep(periodMillis);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                return;
                            }
                        }
                    },
                    "writer-" + table);
        }

        private void put(String table, String key) {
            DYNAMODB.putItem(
                    table,
                    Map.of(
                            DynamoDbLocal.HASH_KEY,
                            AttributeValue.fromS(key),
                            "ts",
                            AttributeValue.fromN(Long.toString(System.currentTimeMillis()))));
            written.incrementAndGet();
        }

        List<Tuple4<String, Long, Long, Long>> windows() {
            List<Tuple4<String, Long, Long, Long>> windows = new ArrayList<>();
            for (Tuple4<String, Long, Long, Long> r :
                    CollectingSink.<Tuple4<String, Long, Long, Long>>results(sinkId)) {
                if (r.f0.equals("window")) {
                    windows.add(r);
                }
            }
            return windows;
        }

        /** Firing delay of each window: wall clock at firing minus the window's end. */
        List<Long> allDelays() {
            List<Long> delays = new ArrayList<>();
            for (Tuple4<String, Long, Long, Long> w : windows()) {
                delays.add(w.f3 - w.f1);
            }
            return delays;
        }

        /** The delays of the windows that end after the warm-up. */
        List<Long> measuredDelays() {
            List<Long> delays = new ArrayList<>();
            for (Tuple4<String, Long, Long, Long> w : windows()) {
                if (w.f1 >= writeStart + WARM_UP_MILLIS) {
                    delays.add(w.f3 - w.f1);
                }
            }
            return delays;
        }

        long counted() {
            long n = 0;
            for (Tuple4<String, Long, Long, Long> w : windows()) {
                n += w.f2;
            }
            return n;
        }

        long late() {
            return CollectingSink.<Tuple4<String, Long, Long, Long>>results(sinkId).stream()
                    .filter(r -> r.f0.equals("late"))
                    .count();
        }

        int written() {
            return written.get();
        }
    }

    private static final TypeInformation<Tuple4<String, Long, Long, Long>> RESULT =
            Types.TUPLE(Types.STRING, Types.LONG, Types.LONG, Types.LONG);

    /** ("window", window end, items, wall clock at firing). */
    private static final class CountWindow
            extends ProcessAllWindowFunction<
                    ChangeEvent, Tuple4<String, Long, Long, Long>, TimeWindow> {
        private static final long serialVersionUID = 1L;

        @Override
        public void process(
                Context context,
                Iterable<ChangeEvent> events,
                Collector<Tuple4<String, Long, Long, Long>> out) {
            long firedAt = System.currentTimeMillis();
            long n = 0;
            for (ChangeEvent ignored : events) {
                n++;
            }
            out.collect(Tuple4.of("window", context.window().getEnd(), n, firedAt));
        }
    }

    private static long ts(ChangeEvent event) {
        return Long.parseLong(event.getNewImage().get("ts").n());
    }
}
