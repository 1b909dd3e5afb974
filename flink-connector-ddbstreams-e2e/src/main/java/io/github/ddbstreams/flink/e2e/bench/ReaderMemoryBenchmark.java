package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.reader.ShardElement;
import io.github.ddbstreams.flink.source.reader.ShardReaderSettings;
import io.github.ddbstreams.flink.source.reader.ShardSplitReader;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Benchmark 6, reader memory: heap retained by a {@link ShardSplitReader}, measured as the used
 * heap after full GCs ({@code System.gc()} and {@code MemoryMXBean}) before and after. Idle: N
 * empty shards added and each polled once (so every cursor holds its iterator); baseline: the heap
 * of the N splits alone. Busy: 64 shards of records padded to about 1 KB (pages of about 1 MB),
 * read with the downstream stalled until the reader stops calling GetRecords (see {@link
 * #heldWhileStalled}): the most the reader holds, with the default byte budget and with an
 * unbounded one; baseline: the heap of one page per shard, what one fetch held before a fetch
 * returned with the first poll that finished. The fake's own per-shard bookkeeping is created
 * before the first measurement.
 */
final class ReaderMemoryBenchmark {
    /** Characters added to each record: 1,000 records make a page of about 1 MB. */
    private static final int PADDING = 1_000;

    private ReaderMemoryBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        List<BenchResult> results = new ArrayList<>();
        int idle = mode.pick(1_000, 10_000);
        FakeStreamsClient fake = new FakeStreamsClient();
        List<String> ids = addShards(fake, idle, 0);
        long before = usedHeap();
        List<DynamoDbSplit> splits = splits(ids);
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

        int busy = 64;
        int perShard = mode.pick(1_000, 3_000);
        FakeStreamsClient busyFake = new FakeStreamsClient();
        List<String> busyIds = addShards(busyFake, busy, perShard);
        StreamsClient padded = new PaddingStreamsClient(busyFake, PADDING);

        // Baseline: one full page per shard, what one fetch of 64 due shards held before a fetch
        // returned with the first poll that finished.
        before = usedHeap();
        List<Record> pages = new ArrayList<>();
        for (String id : busyIds) {
            String iterator =
                    padded.getShardIterator(
                            FakeStreamsClient.STREAM_ARN, id, ShardIteratorType.TRIM_HORIZON, null);
            pages.addAll(padded.getRecords(iterator, 1000).records());
        }
        long pagesHeap = usedHeap() - before;
        long pagesSizeBytes = pages.stream().mapToLong(r -> r.dynamodb().sizeBytes()).sum();
        Reference.reachabilityFence(pages);
        pages = null;

        Configuration defaults = new Configuration();
        long budget = defaults.get(DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES).getBytes();
        Held bounded = heldWhileStalled(busyFake, padded, busyIds, defaults);
        Configuration unboundedConfig = new Configuration();
        unboundedConfig.set(DynamoDbStreamsSourceOptions.MAX_BUFFERED_BYTES, MemorySize.MAX_VALUE);
        Held unbounded = heldWhileStalled(busyFake, padded, busyIds, unboundedConfig);

        name = String.format("memory/reader of %d busy shards, downstream stalled", busy);
        log.printf(
                "%s: heap held %,d bytes (budget %,d), unbounded budget %,d; one page per shard"
                        + " %,d bytes of heap for %,d SizeBytes (%.1f heap bytes per SizeByte);"
                        + " peak buffered %,d / %,d%n",
                name,
                bounded.heapBytes,
                budget,
                unbounded.heapBytes,
                pagesHeap,
                pagesSizeBytes,
                (double) pagesHeap / pagesSizeBytes,
                bounded.peakBufferedBytes,
                unbounded.peakBufferedBytes);
        results.add(
                new BenchResult(
                        name,
                        "peak heap held, default budget (16 mb)",
                        bounded.heapBytes / 1e6,
                        "MB",
                        "one 1 MB page per shard (one fetch before)",
                        pagesHeap / 1e6,
                        "",
                        null));
        results.add(
                new BenchResult(
                        name,
                        "peak heap held, default budget (16 mb)",
                        bounded.heapBytes / 1e6,
                        "MB",
                        "the same, unbounded budget",
                        unbounded.heapBytes / 1e6,
                        "",
                        null));
        results.add(
                new BenchResult(
                        name,
                        "peak buffered SizeBytes + 1 MB per call out, default budget",
                        bounded.peakBufferedBytes / 1e6,
                        "MB",
                        "the budget",
                        budget / 1e6,
                        "<= budget",
                        bounded.peakBufferedBytes <= budget));
        return results;
    }

    /** What a reader held once it stopped fetching; heap after full GCs. */
    private record Held(long heapBytes, long peakBufferedBytes) {}

    /**
     * Reads the busy shards as Flink would with its task thread stalled (backpressure): a fetcher
     * thread hands batches over through a queue of 2 (Flink's default element queue capacity) that
     * nobody takes from, until the reader makes no more GetRecords calls. What the reader holds
     * then (the queued batches, the one being handed over, finished polls) is the most it holds.
     */
    private static Held heldWhileStalled(
            FakeStreamsClient fake, StreamsClient client, List<String> ids, Configuration config)
            throws Exception {
        long before = usedHeap();
        ShardSplitReader reader =
                new ShardSplitReader(client, ShardReaderSettings.unbounded(config));
        reader.handleSplitsChanges(new SplitsAddition<>(splits(ids)));
        BlockingQueue<RecordsWithSplitIds<ShardElement>> queue = new ArrayBlockingQueue<>(2);
        Thread fetcher =
                new Thread(
                        () -> {
                            try {
                                while (true) {
                                    queue.put(reader.fetch());
                                }
                            } catch (InterruptedException e) {
                                // stopped
                            } catch (IOException e) {
                                throw new UncheckedIOException(e);
                            }
                        },
                        "bench-fetcher");
        fetcher.start();
        int last = -1;
        for (int stable = 0; stable < 5; ) {
            Thread.sleep(200);
            int calls = fake.getRecordsCalls.get();
            stable = calls == last ? stable + 1 : 0;
            last = calls;
        }
        long heap = usedHeap() - before;
        Held held = new Held(heap, reader.peakBufferedBytes());
        fetcher.interrupt();
        reader.wakeUp();
        fetcher.join();
        Reference.reachabilityFence(queue);
        reader.close();
        return held;
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
    private static List<DynamoDbSplit> splits(List<String> ids) {
        List<DynamoDbSplit> splits = new ArrayList<>();
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
