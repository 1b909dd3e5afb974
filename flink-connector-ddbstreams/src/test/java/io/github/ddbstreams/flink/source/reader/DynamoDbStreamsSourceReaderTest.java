package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.event.FinishesConfirmedEvent;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

class DynamoDbStreamsSourceReaderTest {

    private static final String ARN = FakeStreamsClient.STREAM_ARN;

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final TestingReaderContext context = new TestingReaderContext();
    private final TestingReaderOutput<ChangeEvent> output = new IdleAwareReaderOutput<>();
    private DynamoDbStreamsSourceReader<ChangeEvent> reader;

    @BeforeEach
    void startReader() {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(10));
        ShardReaderSettings settings = ShardReaderSettings.unbounded(config);
        reader =
                new DynamoDbStreamsSourceReader<>(
                        () -> new ShardSplitReader(fake, settings),
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
    void emitsAClosedShardInOrderThenKeepsAFinishedMarkerUntilAcknowledged() throws Exception {
        String shard = fake.addShard(null);
        List<String> seqs = new ArrayList<>();
        seqs.add(fake.put(shard, "k0", OperationType.INSERT, 1));
        seqs.add(fake.put(shard, "k1", OperationType.INSERT, 1));
        seqs.add(fake.put(shard, "k0", OperationType.MODIFY, 2));
        seqs.add(fake.put(shard, "k1", OperationType.REMOVE, 2));
        fake.rollover(shard);

        reader.addSplits(List.of(split(shard, ShardPosition.trimHorizon())));
        pollUntil(() -> !finishReports().isEmpty());

        List<ChangeEvent> events = output.getEmittedRecords();
        assertThat(events).extracting(ChangeEvent::getSequenceNumber).isEqualTo(seqs);
        assertThat(events)
                .extracting(ChangeEvent::getEventName)
                .containsExactly(
                        ChangeEvent.EventName.INSERT,
                        ChangeEvent.EventName.INSERT,
                        ChangeEvent.EventName.MODIFY,
                        ChangeEvent.EventName.REMOVE);
        assertThat(events)
                .extracting(e -> e.getKeys().get("pk"))
                .containsExactly(s("k0"), s("k1"), s("k0"), s("k1"));
        assertThat(events.get(2).getNewImage().get("version")).isEqualTo(n("2"));
        assertThat(events.get(3).hasNewImage()).isFalse();
        assertThat(events).allSatisfy(e -> assertThat(e.getShardId()).isEqualTo(shard));
        assertThat(events).allSatisfy(e -> assertThat(e.getStreamArn()).isEqualTo(ARN));

        assertThat(finishReports()).containsExactly(List.of(shard));
        List<ShardSplit> snapshot = Splits.shards(reader.snapshotState(1));
        assertThat(snapshot).hasSize(1);
        assertThat(snapshot.get(0).getShardId()).isEqualTo(shard);
        assertThat(snapshot.get(0).isFinishedMarker()).isTrue();
        assertThat(snapshot.get(0).getPosition())
                .isEqualTo(ShardPosition.afterSequenceNumber(seqs.get(3)));
        assertThat(reader.snapshotState(2)).as("kept until acknowledged").hasSize(1);

        reader.handleSourceEvents(new FinishesConfirmedEvent(List.of(ShardSplit.idOf(ARN, shard))));
        assertThat(reader.snapshotState(3)).isEmpty();
    }

    @Test
    void aReaderWithoutSplitsIsIdleUntilItGetsOneAndActiveAgainAtTheEndOfInput() throws Exception {
        IdleAwareReaderOutput<ChangeEvent> out = (IdleAwareReaderOutput<ChangeEvent>) output;
        reader.pollNext(out);
        assertThat(out.isIdle()).as("no split: idle").isTrue();

        String shard = fake.addShard(null);
        fake.put(shard, "k0", OperationType.INSERT, 1);
        fake.rollover(shard);
        reader.addSplits(List.of(split(shard, ShardPosition.trimHorizon())));
        pollUntil(() -> !output.getEmittedRecords().isEmpty());
        assertThat(out.isIdle()).as("emitting").isFalse();
        pollUntil(() -> !finishReports().isEmpty()); // the shard ended: no split left
        pollUntil(out::isIdle);

        reader.notifyNoMoreSplits();
        pollUntil(() -> !out.isIdle()); // the end of input: active for the final watermark
    }

    @Test
    void aRestoredFinishedMarkerIsReportedAgainAndNeverRead() throws Exception {
        String finished = fake.addShard(null);
        String lastOfFinished = fake.put(finished, "old", OperationType.INSERT, 1);
        String child = fake.rollover(finished);
        String seqInChild = fake.put(child, "new", OperationType.INSERT, 2);

        ShardSplit marker =
                split(finished, ShardPosition.afterSequenceNumber(lastOfFinished))
                        .asFinishedMarker();
        reader.addSplits(List.of(marker));
        assertThat(finishReports()).containsExactly(List.of(finished));

        // A shard that is read, so the fetcher demonstrably ran while the marker was held.
        reader.addSplits(List.of(split(child, ShardPosition.trimHorizon())));
        pollUntil(() -> output.getEmittedRecords().size() == 1);

        assertThat(output.getEmittedRecords())
                .extracting(ChangeEvent::getSequenceNumber)
                .containsExactly(seqInChild);
        assertThat(fake.getRecordsCalls(child)).isPositive();
        assertThat(fake.getRecordsCalls(finished)).isZero();
        assertThat(reader.snapshotState(1)).contains(marker);

        reader.handleSourceEvents(
                new FinishesConfirmedEvent(List.of(ShardSplit.idOf(ARN, finished))));
        assertThat(Splits.shards(reader.snapshotState(2)))
                .extracting(ShardSplit::getShardId)
                .containsOnly(child);
        assertThat(fake.getRecordsCalls(finished)).isZero();
    }

    @Test
    void theSplitPositionFollowsTheLastEmittedRecord() throws Exception {
        String shard = fake.addShard(null);
        List<String> seqs = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seqs.add(fake.put(shard, "k" + i, OperationType.INSERT, i));
        }
        reader.addSplits(List.of(split(shard, ShardPosition.trimHorizon())));
        pollUntil(() -> output.getEmittedRecords().size() == 5);

        List<ShardSplit> snapshot = Splits.shards(reader.snapshotState(1));
        assertThat(snapshot)
                .containsExactly(split(shard, ShardPosition.afterSequenceNumber(seqs.get(4))));
        assertThat(finishReports()).as("the shard is open").isEmpty();

        String more = fake.put(shard, "k5", OperationType.INSERT, 5);
        pollUntil(() -> output.getEmittedRecords().size() == 6);
        assertThat(Splits.shards(reader.snapshotState(2)).get(0).getPosition())
                .isEqualTo(ShardPosition.afterSequenceNumber(more));
    }

    private static ShardSplit split(String shardId, ShardPosition position) {
        return new ShardSplit(ARN, shardId, null, position);
    }

    private List<List<String>> finishReports() {
        List<List<String>> reports = new ArrayList<>();
        for (SourceEvent event : context.getSentEvents()) {
            if (event instanceof FinishesReportedEvent) {
                List<String> shardIds = new ArrayList<>();
                for (String splitId : ((FinishesReportedEvent) event).splitIds()) {
                    assertThat(ShardSplit.streamArnOf(splitId)).isEqualTo(ARN);
                    shardIds.add(ShardSplit.shardIdOf(splitId));
                }
                reports.add(shardIds);
            }
        }
        return reports;
    }

    private void pollUntil(BooleanSupplier done) throws Exception {
        ReaderPolling.pollUntil(reader, output, done, Duration.ofSeconds(10));
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(String value) {
        return AttributeValue.fromN(value);
    }
}
