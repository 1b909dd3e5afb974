package io.github.ddbstreams.flink.table;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * Event-time windows over the records' creation time with the watermark pushed into the source, on
 * a MiniCluster against embedded DynamoDB Local. DynamoDB Local gives creation times in whole
 * minutes; its stream clock is moved forward between batches so the records span several 1-minute
 * windows, and a shard rollover puts later windows in a child shard. The expected counts come from
 * the creation times the stream itself returns, read with a plain SDK client.
 */
class WatermarkPushDownITCase {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    private static final String WINDOW_COUNTS =
            "SELECT window_start, COUNT(*) FROM TABLE(TUMBLE(TABLE events, DESCRIPTOR(op_ts),"
                    + " INTERVAL '1' MINUTE)) GROUP BY window_start, window_end";

    private static StreamTableEnvironment tableEnv() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        // Window starts of TIMESTAMP_LTZ windows are local times of the session zone.
        tEnv.getConfig().set("table.local-time-zone", "UTC");
        return tEnv;
    }

    private static void createEvents(StreamTableEnvironment tEnv, String table, String watermark) {
        tEnv.executeSql(
                String.format(
                        "CREATE TABLE events (pk STRING,"
                                + " op_ts TIMESTAMP_LTZ(3) METADATA FROM"
                                + " 'approximate_creation_time' VIRTUAL,"
                                + " WATERMARK FOR op_ts AS %s"
                                + ") WITH ('connector' = 'dynamodb-streams',"
                                + " 'table-name' = '%s', 'aws.region' = '%s',"
                                + " 'aws.endpoint' = '%s', 'aws.credentials.provider' = 'static',"
                                + " 'aws.credentials.access-key-id' = '%s',"
                                + " 'aws.credentials.secret-access-key' = '%s',"
                                + " 'scan.startup.mode' = 'trim-horizon', 'scan.bounded' = 'true',"
                                + " 'source.reader.idle-poll-interval' = '100 ms',"
                                + " 'changelog.mode' = 'append')",
                        watermark,
                        table,
                        DynamoDbLocal.REGION,
                        DYNAMODB.endpoint(),
                        DynamoDbLocal.ACCESS_KEY_ID,
                        DynamoDbLocal.SECRET_ACCESS_KEY));
    }

    /** Three batches a few stream-clock minutes apart; the later two in a child shard. */
    private static void writeBatchesMinutesApart(String table) {
        DYNAMODB.putItems(table, "a", 7);
        DYNAMODB.dilateEventTimes(Duration.ofMinutes(2).toMillis());
        DYNAMODB.triggerShardRollovers();
        DYNAMODB.putItems(table, "b", 11);
        DYNAMODB.putItems(
                table,
                List.of(
                        // A MODIFY is a record too (append mode); an unchanged put would be none.
                        Map.of(
                                DynamoDbLocal.HASH_KEY,
                                AttributeValue.fromS("a1"),
                                "value",
                                AttributeValue.fromN("100")),
                        Map.of(DynamoDbLocal.HASH_KEY, AttributeValue.fromS("d0"))));
        DYNAMODB.dilateEventTimes(Duration.ofMinutes(3).toMillis());
        DYNAMODB.putItems(table, "c", 5);
    }

    /** Records per 1-minute window of their creation time, read from the stream without Flink. */
    private static Map<LocalDateTime, Long> expectedCounts(String streamArn) {
        Map<LocalDateTime, Long> counts = new TreeMap<>();
        for (Record record : readStream(streamArn)) {
            Instant created = record.dynamodb().approximateCreationDateTime();
            LocalDateTime window =
                    LocalDateTime.ofInstant(
                            created.truncatedTo(ChronoUnit.MINUTES), ZoneOffset.UTC);
            counts.merge(window, 1L, Long::sum);
        }
        return counts;
    }

    private static List<Record> readStream(String streamArn) {
        var streams = DYNAMODB.streamsClient();
        List<Shard> shards =
                streams.describeStream(r -> r.streamArn(streamArn)).streamDescription().shards();
        List<Record> records = new ArrayList<>();
        for (Shard shard : shards) {
            String iterator =
                    streams.getShardIterator(
                                    r ->
                                            r.streamArn(streamArn)
                                                    .shardId(shard.shardId())
                                                    .shardIteratorType(
                                                            ShardIteratorType.TRIM_HORIZON))
                            .shardIterator();
            while (iterator != null) {
                String current = iterator;
                GetRecordsResponse page = streams.getRecords(r -> r.shardIterator(current));
                records.addAll(page.records());
                // An open shard never ends: an empty page means everything written is read.
                iterator = page.records().isEmpty() ? null : page.nextShardIterator();
            }
        }
        return records;
    }

    private static Map<LocalDateTime, Long> windowCounts(StreamTableEnvironment tEnv)
            throws Exception {
        Map<LocalDateTime, Long> counts = new TreeMap<>();
        try (CloseableIterator<Row> rows = tEnv.executeSql(WINDOW_COUNTS).collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                // Window aggregation on watermarks emits each window once, final: no retractions.
                assertThat(row.getKind()).isEqualTo(RowKind.INSERT);
                Long previous = counts.put((LocalDateTime) row.getField(0), (Long) row.getField(1));
                assertThat(previous).as("window %s emitted twice", row.getField(0)).isNull();
            }
        }
        return counts;
    }

    @Test
    void tumblingWindowsOverThePushedDownWatermarkCountEveryRecordOnce() throws Exception {
        String arn = DYNAMODB.createTable("clicks", StreamViewType.NEW_AND_OLD_IMAGES);
        writeBatchesMinutesApart("clicks");
        Map<LocalDateTime, Long> expected = expectedCounts(arn);
        assertThat(expected).as("the batches fall in several windows").hasSizeGreaterThan(2);
        assertThat(expected.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(25);

        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "clicks", "op_ts - INTERVAL '1' SECOND");

        String plan = tEnv.explainSql(WINDOW_COUNTS);
        assertThat(plan.substring(plan.indexOf("== Optimized Physical Plan ==")))
                .contains("watermark=[")
                .doesNotContain("WatermarkAssigner");
        assertThat(windowCounts(tEnv)).isEqualTo(expected);
    }

    @Test
    void sourceWatermarkFollowsTheCreationTimes() throws Exception {
        String arn = DYNAMODB.createTable("clicks_source_wm", StreamViewType.KEYS_ONLY);
        writeBatchesMinutesApart("clicks_source_wm");
        Map<LocalDateTime, Long> expected = expectedCounts(arn);
        assertThat(expected).hasSizeGreaterThan(2);

        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "clicks_source_wm", "SOURCE_WATERMARK()");

        assertThat(windowCounts(tEnv)).isEqualTo(expected);
    }

    @Test
    void watermarksAdvanceWhileTheShardsAreRead() throws Exception {
        DYNAMODB.createTable("clicks_progress", StreamViewType.NEW_IMAGE);
        writeBatchesMinutesApart("clicks_progress");

        StreamTableEnvironment tEnv = tableEnv();
        createEvents(tEnv, "clicks_progress", "op_ts");
        // Emitted after every record, so the row after it sees its watermark.
        tEnv.executeSql("ALTER TABLE events SET ('scan.watermark.emit.strategy' = 'on-event')");

        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tEnv.executeSql("SELECT op_ts, CURRENT_WATERMARK(op_ts) FROM events").collect()) {
            it.forEachRemaining(rows::add);
        }

        assertThat(rows).hasSize(25);
        Instant latest =
                rows.stream().map(r -> (Instant) r.getField(0)).max(Instant::compareTo).get();
        Instant earliest =
                rows.stream().map(r -> (Instant) r.getField(0)).min(Instant::compareTo).get();
        for (Row row : rows) {
            Instant watermark = (Instant) row.getField(1);
            if (watermark != null) {
                // Never ahead of a record that is still to come: nothing is late.
                assertThat(watermark).isBeforeOrEqualTo((Instant) row.getField(0));
            }
        }
        // The last batch is read after the first, in the child shard: by then the watermark has
        // moved past the first batch's minute.
        assertThat(
                        rows.stream()
                                .filter(r -> latest.equals(r.getField(0)))
                                .map(r -> (Instant) r.getField(1)))
                .allSatisfy(watermark -> assertThat(watermark).isAfter(earliest));
    }
}
