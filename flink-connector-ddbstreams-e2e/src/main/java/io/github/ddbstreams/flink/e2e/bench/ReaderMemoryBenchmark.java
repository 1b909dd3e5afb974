package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.reader.ShardReaderSettings;
import io.github.ddbstreams.flink.source.reader.ShardSplitReader;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Benchmark 6, reader memory: heap retained by a {@link ShardSplitReader} per shard, measured as
 * the used heap after full GCs ({@code System.gc()} and {@code MemoryMXBean}) before and after.
 * Idle: N empty shards added and each polled once (so every cursor holds its iterator); baseline:
 * the heap of the N splits alone. Busy: M shards with 1000 records each, after one fetch that holds
 * a full batch per shard (what the reader hands to Flink's element queue); the fake's records are
 * copied per call as the SDK would unmarshal them; baseline: the heap of the same record copies
 * alone. The fake's own per-shard bookkeeping is created before the first measurement.
 */
final class ReaderMemoryBenchmark {
    private ReaderMemoryBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        List<BenchResult> results = new ArrayList<>();
        int idle = mode.pick(1_000, 10_000);
        FakeStreamsClient fake = new FakeStreamsClient();
        List<String> ids = addShards(fake, idle, 0);
        long before = usedHeap();
        List<ShardSplit> splits = splits(ids);
        long splitsBytes = usedHeap() - before;
        ShardSplitReader reader =
                new ShardSplitReader(fake, ShardReaderSettings.unbounded(new Configuration()));
        reader.handleSplitsChanges(new SplitsAddition<>(splits));
        splits = null;
        long target = fake.getRecordsCalls.get() + idle;
        while (fake.getRecordsCalls.get() < target) {
            reader.fetch();
        }
        long readerBytes = usedHeap() - before;
        Reference.reachabilityFence(reader);
        reader.close();
        String name = String.format("memory/reader of %,d idle shards", idle);
        log.printf("%s: %,d bytes, of which splits %,d%n", name, readerBytes, splitsBytes);
        results.add(
                new BenchResult(
                        name,
                        "heap per idle shard",
                        (double) readerBytes / idle,
                        "bytes",
                        "the split alone",
                        (double) splitsBytes / idle,
                        "",
                        null));

        int busy = mode.pick(50, 200);
        int perShard = 1000;
        FakeStreamsClient busyFake = new FakeStreamsClient();
        List<String> busyIds = addShards(busyFake, busy, perShard);
        before = usedHeap();
        List<Record> copies = new ArrayList<>();
        for (String id : busyIds) {
            String iterator =
                    busyFake.getShardIterator(
                            FakeStreamsClient.STREAM_ARN, id, ShardIteratorType.TRIM_HORIZON, null);
            busyFake.getRecords(iterator, perShard).records().stream()
                    .map(CopyingStreamsClient::copy)
                    .forEach(copies::add);
        }
        long recordsBytes = usedHeap() - before;
        Reference.reachabilityFence(copies);
        copies = null;
        before = usedHeap();
        ShardSplitReader busyReader =
                new ShardSplitReader(
                        new CopyingStreamsClient(busyFake),
                        ShardReaderSettings.unbounded(new Configuration()));
        busyReader.handleSplitsChanges(new SplitsAddition<>(splits(busyIds)));
        RecordsWithSplitIds<?> batch = busyReader.fetch();
        long busyBytes = usedHeap() - before;
        int fetched = 0;
        while (batch.nextSplit() != null) {
            while (batch.nextRecordFromSplit() != null) {
                fetched++;
            }
        }
        busyReader.close();
        if (fetched != busy * perShard) {
            throw new IllegalStateException(
                    "one fetch held " + fetched + " records, not " + busy * perShard);
        }
        name = String.format("memory/reader of %,d busy shards", busy);
        log.printf("%s: %,d bytes, the records alone %,d%n", name, busyBytes, recordsBytes);
        results.add(
                new BenchResult(
                        name,
                        "heap per busy shard (one 1000-record batch of ~100-byte items)",
                        (double) busyBytes / busy,
                        "bytes",
                        "the batch's records alone",
                        (double) recordsBytes / busy,
                        "",
                        null));
        return results;
    }

    private static List<String> addShards(FakeStreamsClient fake, int shards, int records) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            String id = fake.addShard(null);
            for (int r = 0; r < records; r++) {
                fake.put(id, "item-" + r, OperationType.INSERT, r);
            }
            // The fake's per-shard counters exist from here on, outside the measurement.
            fake.getRecords(
                    fake.getShardIterator(
                            FakeStreamsClient.STREAM_ARN, id, ShardIteratorType.LATEST, null),
                    1);
            ids.add(id);
        }
        return ids;
    }

    /** Splits with ids of their own, as deserialized splits have. */
    private static List<ShardSplit> splits(List<String> ids) {
        List<ShardSplit> splits = new ArrayList<>();
        for (String id : ids) {
            splits.add(
                    new ShardSplit(
                            FakeStreamsClient.STREAM_ARN,
                            new String(id),
                            null,
                            ShardPosition.trimHorizon()));
        }
        return splits;
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
