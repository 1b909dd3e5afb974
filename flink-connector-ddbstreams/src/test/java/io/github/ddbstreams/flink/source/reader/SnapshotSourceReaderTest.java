package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.client.SdkStreamsClient;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A source reader given Scan segments and a shard of the same table (DynamoDB Local, real HTTP):
 * each kind in its own fetcher, every item's row emitted once, a segment's progress checkpointed
 * row by row, finished segments kept as markers until confirmed, like finished shards.
 */
class SnapshotSourceReaderTest {

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final String TABLE = "snapshot-reader";
    private static final int ITEMS = 500;

    private final TestingReaderContext context = new TestingReaderContext();
    private final TestingReaderOutput<ChangeEvent> output = new IdleAwareReaderOutput<>();
    private DynamoDbStreamsSourceReader<ChangeEvent> reader;
    private static String streamArn;

    @BeforeEach
    void startReader() {
        if (streamArn == null) {
            streamArn = DYNAMODB.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
            DYNAMODB.putItems(TABLE, "k", ITEMS);
        }
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(50));
        ShardReaderSettings shardSettings = ShardReaderSettings.unbounded(config);
        SegmentReaderSettings segmentSettings = SegmentReaderSettings.of(config, 40, 0);
        reader =
                new DynamoDbStreamsSourceReader<>(
                        () ->
                                new ShardSplitReader(
                                        SdkStreamsClient.create(DYNAMODB.awsConfig()),
                                        shardSettings),
                        () ->
                                new SegmentSplitReader(
                                        SdkStreamsClient.create(DYNAMODB.awsConfig()),
                                        segmentSettings,
                                        SnapshotReaderMetrics.unregistered()),
                        new ShardRecordEmitter<>(ChangeEventDeserializer.create()),
                        config,
                        context);
        reader.start();
    }

    @AfterEach
    void closeReader() throws Exception {
        reader.close();
    }

    @Test
    void readsSegmentsAndShardsSideBySideEachItemOnce() throws Exception {
        String shardId;
        try (SdkStreamsClient client = SdkStreamsClient.create(DYNAMODB.awsConfig())) {
            shardId = client.describeStream(streamArn, null).shards().get(0).shardId();
        }
        List<DynamoDbSplit> splits = new ArrayList<>();
        for (int segment = 0; segment < 3; segment++) {
            splits.add(ScanSegmentSplit.unread(streamArn, TABLE, segment, 3));
        }
        splits.add(new ShardSplit(streamArn, shardId, null, ShardPosition.trimHorizon()));

        reader.addSplits(splits);
        // Every item once as a snapshot row, and once as its INSERT from the stream.
        pollUntil(() -> output.getEmittedRecords().size() == 2 * ITEMS);

        Map<String, Integer> rows = new HashMap<>();
        int inserts = 0;
        for (ChangeEvent event : output.getEmittedRecords()) {
            if (event.getEventName() == ChangeEvent.EventName.SNAPSHOT) {
                rows.merge(event.getKeys().get("pk").s(), 1, Integer::sum);
                assertThat(event.getShardId()).startsWith("scan-").endsWith("-of-3");
                assertThat(event.getStreamArn()).isEqualTo(streamArn);
                assertThat(event.getNewImage()).containsKey("value");
            } else {
                assertThat(event.getEventName()).isEqualTo(ChangeEvent.EventName.INSERT);
                inserts++;
            }
        }
        assertThat(rows).hasSize(ITEMS);
        assertThat(rows.values()).containsOnly(1);
        assertThat(inserts).isEqualTo(ITEMS);

        // The three segments are finished, reported, and kept as markers until confirmed; the
        // open shard stays in the checkpoint as a shard.
        pollUntil(() -> reportedFinishes().size() == 3);
        List<DynamoDbSplit> checkpoint = reader.snapshotState(1);
        assertThat(checkpoint)
                .filteredOn(s -> s instanceof ScanSegmentSplit)
                .hasSize(3)
                .allMatch(DynamoDbSplit::isFinishedMarker);
        assertThat(checkpoint).filteredOn(s -> s instanceof ShardSplit).hasSize(1);
        reader.handleSourceEvents(new FinishesConfirmedEvent(reportedFinishes()));
        assertThat(reader.snapshotState(2)).hasSize(1).allMatch(s -> s instanceof ShardSplit);
    }

    @Test
    void aRestoredSegmentGoesOnAfterTheLastRowItEmitted() throws Exception {
        reader.addSplits(List.of(ScanSegmentSplit.unread(streamArn, TABLE, 0, 1)));
        pollUntil(() -> output.getEmittedRecords().size() >= 60);
        List<DynamoDbSplit> checkpoint = reader.snapshotState(1);
        int emitted = output.getEmittedRecords().size();
        List<String> before = keys(output.getEmittedRecords());
        reader.close();

        // A new reader restored from the checkpoint reads exactly the rest.
        output.getEmittedRecords().clear();
        startReader();
        reader.addSplits(checkpoint);
        pollUntil(() -> reportedFinishes().size() == 1);

        List<String> after = keys(output.getEmittedRecords());
        assertThat(after).hasSize(ITEMS - emitted).doesNotContainAnyElementsOf(before);
    }

    private static List<String> keys(List<ChangeEvent> events) {
        List<String> keys = new ArrayList<>();
        events.forEach(e -> keys.add(e.getKeys().get("pk").s()));
        return keys;
    }

    private List<String> reportedFinishes() {
        List<String> ids = new ArrayList<>();
        for (SourceEvent event : context.getSentEvents()) {
            if (event instanceof FinishesReportedEvent reported) {
                ids.addAll(reported.splitIds());
            }
        }
        return ids;
    }

    private void pollUntil(BooleanSupplier done) throws Exception {
        ReaderPolling.pollUntil(reader, output, done, Duration.ofSeconds(30));
    }
}
