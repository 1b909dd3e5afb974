package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSource;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.GatedStreamsClient;
import io.github.ddbstreams.flink.testutils.Splits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/**
 * How {@link ShardSplitReader#fetch()} schedules GetRecords calls: a stalled call holds back no
 * other shard, what a reader holds stays within its byte budget, and wake-up and close reach a
 * fetch that waits for calls in flight. Calls stall on latches ({@link GatedStreamsClient}), never
 * on sleeps; a fetch that blocks where it must not fails after 30 s.
 */
class ShardSplitReaderFetchTest {

    private static final long TIMEOUT_SECONDS = 30;

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private final GatedStreamsClient client = new GatedStreamsClient(fake);
    private final ExecutorService fetcher = Executors.newSingleThreadExecutor();
    private final List<String> gated = new ArrayList<>();
    private ShardSplitReader reader;

    @AfterEach
    void tearDown() {
        gated.forEach(client::open);
        if (reader != null) {
            reader.close();
        }
        fetcher.shutdownNow();
    }

    private ShardSplitReader reader(Configuration config) {
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 10);
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofHours(1));
        reader = new ShardSplitReader(client, ShardReaderSettings.unbounded(config));
        return reader;
    }

    private void assign(String... shards) {
        List<ShardSplit> splits = new ArrayList<>();
        for (String shard : shards) {
            splits.add(
                    new ShardSplit(
                            FakeStreamsClient.STREAM_ARN,
                            shard,
                            null,
                            ShardPosition.trimHorizon()));
        }
        reader.handleSplitsChanges(new SplitsAddition<>(Splits.splits(splits)));
    }

    private void gate(String shard) {
        client.gate(shard);
        gated.add(shard);
    }

    private List<String> write(String shard, int n) {
        List<String> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seqs.add(fake.put(shard, "k" + i, OperationType.INSERT, i));
        }
        return seqs;
    }

    private Future<RecordsWithSplitIds<ShardElement>> fetchAsync() {
        return fetcher.submit(() -> reader.fetch());
    }

    /** One fetch, on the fetcher thread; fails if it blocks for 30 s. */
    private Batch fetch() throws Exception {
        return Batch.of(fetchAsync().get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }

    /** What one fetch returned: sequence numbers per shard. */
    private static final class Batch {
        final Map<String, List<String>> byShard = new LinkedHashMap<>();
        long sizeBytes;

        static Batch of(RecordsWithSplitIds<ShardElement> records) {
            Batch batch = new Batch();
            String splitId;
            while ((splitId = records.nextSplit()) != null) {
                List<String> seqs =
                        batch.byShard.computeIfAbsent(
                                ShardSplit.shardIdOf(splitId), k -> new ArrayList<>());
                ShardElement element;
                while ((element = records.nextRecordFromSplit()) != null) {
                    seqs.add(element.record().dynamodb().sequenceNumber());
                    batch.sizeBytes += element.record().dynamodb().sizeBytes();
                }
            }
            return batch;
        }

        List<String> of(String shard) {
            return byShard.getOrDefault(shard, List.of());
        }
    }

    @Test
    void aStalledCallOnOneShardHoldsBackNoOtherShard() throws Exception {
        String slow = fake.addShard(null);
        String fast = fake.addShard(null);
        write(slow, 25);
        List<String> fastRecords = write(fast, 25);
        gate(slow);
        reader(new Configuration());
        assign(slow, fast);

        List<String> fastRead = new ArrayList<>();
        for (int i = 0; i < 10 && fastRead.size() < fastRecords.size(); i++) {
            Batch batch = fetch();
            assertThat(batch.of(slow)).isEmpty();
            fastRead.addAll(batch.of(fast));
        }

        assertThat(fastRead).containsExactlyElementsOf(fastRecords);
        // The stalled call stays out; its shard is not asked again meanwhile.
        assertThat(client.getRecordsCalls(slow)).isEqualTo(1);
        assertThat(fake.maxConcurrentGetRecordsPerShard()).isEqualTo(1);
    }

    @Test
    void aSlowShardsRecordsArriveOnceItsCallCompletesInOrderWithoutLossOrDuplicates()
            throws Exception {
        String slow = fake.addShard(null);
        String fast = fake.addShard(null);
        List<String> slowRecords = write(slow, 25);
        List<String> fastRecords = write(fast, 25);
        gate(slow);
        reader(new Configuration());
        assign(slow, fast);
        List<String> fastRead = new ArrayList<>();
        for (int i = 0; i < 10 && fastRead.size() < fastRecords.size(); i++) {
            fastRead.addAll(fetch().of(fast));
        }

        // This fetch polls the caught-up fast shard (empty), then waits for the slow call.
        Future<RecordsWithSplitIds<ShardElement>> waiting = fetchAsync();
        client.open(slow);
        Batch first = Batch.of(waiting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        List<String> slowRead = new ArrayList<>(first.of(slow));
        fastRead.addAll(first.of(fast));
        for (int i = 0; i < 10 && slowRead.size() < slowRecords.size(); i++) {
            Batch batch = fetch();
            slowRead.addAll(batch.of(slow));
            fastRead.addAll(batch.of(fast));
        }

        assertThat(first.of(slow)).startsWith(slowRecords.subList(0, 10).toArray(new String[0]));
        assertThat(slowRead).containsExactlyElementsOf(slowRecords);
        assertThat(fastRead).containsExactlyElementsOf(fastRecords);
        assertThat(fake.maxConcurrentGetRecordsPerShard()).isEqualTo(1);
    }

    @Test
    void whatTheReaderHoldsStaysWithinItsByteBudget() throws Exception {
        long budget = 3 * GatedStreamsClient.PAGE_BYTES;
        List<String> shards = new ArrayList<>();
        Map<String, List<String>> written = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            String shard = fake.addShard(null);
            shards.add(shard);
            written.put(shard, write(shard, 30));
        }
        // 10 records per call of 1/10 MB each: every call returns a full page.
        client.setRecordSizeBytes(GatedStreamsClient.PAGE_BYTES / 10);
        Configuration config = new Configuration();
        config.setString("source.reader.max-buffered-bytes", budget + "b");
        reader(config);
        assign(shards.toArray(new String[0]));

        // As in Flink: the fetcher thread hands batches over through a queue of 2, the task
        // thread emits them one by one and recycles each once emitted.
        BlockingQueue<RecordsWithSplitIds<ShardElement>> queue = new ArrayBlockingQueue<>(2);
        Future<?> fetching =
                fetcher.submit(
                        () -> {
                            while (!Thread.currentThread().isInterrupted()) {
                                queue.put(reader.fetch());
                            }
                            return null;
                        });
        Map<String, List<String>> read = new LinkedHashMap<>();
        int count = 0;
        while (count < 180) {
            RecordsWithSplitIds<ShardElement> records =
                    queue.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(records).as("a batch within 30 s, %d records read", count).isNotNull();
            Batch batch = Batch.of(records);
            client.emitted(batch.sizeBytes);
            records.recycle();
            for (Map.Entry<String, List<String>> e : batch.byShard.entrySet()) {
                read.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).addAll(e.getValue());
                count += e.getValue().size();
            }
        }
        fetching.cancel(true);
        reader.wakeUp();

        assertThat(read).isEqualTo(written);
        assertThat(client.peakHeldBytes()).isLessThanOrEqualTo(budget);
        assertThat(reader.peakBufferedBytes()).isLessThanOrEqualTo(budget);
        // The budget was used: more than one call in flight, or records waiting, at some point.
        assertThat(client.peakHeldBytes()).isGreaterThan(GatedStreamsClient.PAGE_BYTES);
    }

    /** Flink's source reader recycles each emitted batch: that is what frees the budget. */
    @Test
    void aReaderInFlinkReadsFarMoreThanItsBudgetAsEmittedBatchesFreeIt() throws Exception {
        List<String> written = new ArrayList<>();
        List<ShardSplit> splits = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String shard = fake.addShard(null);
            written.addAll(write(shard, 50));
            splits.add(
                    new ShardSplit(
                            FakeStreamsClient.STREAM_ARN,
                            shard,
                            null,
                            ShardPosition.trimHorizon()));
        }
        client.setRecordSizeBytes(GatedStreamsClient.PAGE_BYTES / 10); // 20 MB in all
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 10);
        config.set(DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES, MemorySize.parse("1mb"));
        ShardReaderSettings settings = ShardReaderSettings.unbounded(config);
        List<ShardSplitReader> splitReaders = new ArrayList<>();
        TestingReaderOutput<ChangeEvent> output = new IdleAwareReaderOutput<>();
        try (DynamoDbStreamsSourceReader<ChangeEvent> sourceReader =
                new DynamoDbStreamsSourceReader<>(
                        () -> {
                            ShardSplitReader splitReader = new ShardSplitReader(client, settings);
                            splitReaders.add(splitReader);
                            return splitReader;
                        },
                        new ShardRecordEmitter<>(ChangeEventDeserializer.create()),
                        config,
                        new TestingReaderContext())) {
            sourceReader.start();
            sourceReader.addSplits(Splits.splits(splits));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
            while (output.getEmittedRecords().size() < written.size()
                    || splitReaders.get(0).bufferedBytes() > 0) {
                assertThat(System.nanoTime())
                        .as("read within 30 s; %d records", output.getEmittedRecords().size())
                        .isLessThan(deadline);
                if (sourceReader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                    try {
                        sourceReader.isAvailable().get(50, TimeUnit.MILLISECONDS);
                    } catch (TimeoutException e) {
                        // poll again; the deadline bounds the wait
                    }
                }
            }
        }

        assertThat(output.getEmittedRecords())
                .extracting(ChangeEvent::getSequenceNumber)
                .containsExactlyInAnyOrderElementsOf(written);
        assertThat(splitReaders).hasSize(1);
        assertThat(splitReaders.get(0).peakBufferedBytes())
                .isLessThanOrEqualTo(GatedStreamsClient.PAGE_BYTES);
    }

    @Test
    void wakeUpReturnsAFetchThatWaitsForACallInFlight() throws Exception {
        String shard = fake.addShard(null);
        List<String> records = write(shard, 5);
        gate(shard);
        reader(new Configuration());
        assign(shard);

        Future<RecordsWithSplitIds<ShardElement>> waiting = fetchAsync();
        client.awaitEntered(shard);
        reader.wakeUp();
        Batch woken = Batch.of(waiting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
        int callsWhileOut = client.getRecordsCalls(shard);
        client.open(shard);
        Batch after = fetch();

        assertThat(woken.byShard).isEmpty();
        // The call stayed out across the wake-up; its records come once, from that call.
        assertThat(callsWhileOut).isEqualTo(1);
        assertThat(after.of(shard)).containsExactlyElementsOf(records);
    }

    @Test
    void closeInterruptsCallsInFlightAndEndsAWaitingFetch() throws Exception {
        String shard = fake.addShard(null);
        write(shard, 5);
        gate(shard);
        reader(new Configuration());
        assign(shard);

        Future<RecordsWithSplitIds<ShardElement>> waiting = fetchAsync();
        client.awaitEntered(shard);
        reader.close();

        assertThat(client.awaitInterrupted()).as("the call in flight was interrupted").isTrue();
        assertThat(Batch.of(waiting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)).byShard).isEmpty();
    }

    @Test
    void aFailingShardFailsTheFetchWhileAnotherCallIsStalled() throws Exception {
        String slow = fake.addShard(null);
        String failing = fake.addShard(null);
        write(slow, 5);
        write(failing, 5);
        gate(slow);
        client.failNextGetRecords(
                failing,
                () ->
                        DynamoDbException.builder()
                                .statusCode(400)
                                .message("AccessDenied (fake)")
                                .build());
        reader(new Configuration());
        assign(slow, failing);

        assertThatThrownBy(() -> fetchAsync().get(TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IOException.class)
                .hasMessageContaining(failing)
                .hasMessageContaining("non-retryable");
    }

    @Test
    void aBudgetBelowOneGetRecordsPageIsRejectedNamingTheOption() {
        assertThatThrownBy(
                        () ->
                                DynamoDbStreamsSource.builder()
                                        .streamArn(FakeStreamsClient.STREAM_ARN)
                                        .setConfig(
                                                DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES,
                                                MemorySize.parse("512kb"))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("source.reader.max-buffered-bytes")
                .hasMessageContaining("512 kb")
                .hasMessageContaining("at least 1 mb");
    }
}
