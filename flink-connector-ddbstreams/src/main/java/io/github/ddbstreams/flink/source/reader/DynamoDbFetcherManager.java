package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcher;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcherManager;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

/**
 * Gives each kind of split a fetcher thread of its own: shards to one running a {@link
 * ShardSplitReader}, Scan segments to one running a {@link SegmentSplitReader}. A snapshot's Scan
 * pages then never delay the shards' polls, and both hand their elements to the same queue.
 */
@Internal
public final class DynamoDbFetcherManager extends SplitFetcherManager<ShardElement, DynamoDbSplit> {

    /** Which reader the next fetcher gets: set just before {@link #createSplitFetcher()}. */
    private static final class ReaderFactories {
        final Supplier<SplitReader<ShardElement, DynamoDbSplit>> shards;
        final Supplier<SplitReader<ShardElement, DynamoDbSplit>> segments;
        boolean nextForSegments;

        ReaderFactories(
                Supplier<SplitReader<ShardElement, DynamoDbSplit>> shards,
                Supplier<SplitReader<ShardElement, DynamoDbSplit>> segments) {
            this.shards = shards;
            this.segments = segments;
        }

        SplitReader<ShardElement, DynamoDbSplit> next() {
            return nextForSegments ? segments.get() : shards.get();
        }
    }

    private final ReaderFactories factories;

    public DynamoDbFetcherManager(
            Supplier<SplitReader<ShardElement, DynamoDbSplit>> shardReaders,
            Supplier<SplitReader<ShardElement, DynamoDbSplit>> segmentReaders,
            Configuration config) {
        this(new ReaderFactories(shardReaders, segmentReaders), config);
    }

    private DynamoDbFetcherManager(ReaderFactories factories, Configuration config) {
        super(factories::next, config);
        this.factories = factories;
    }

    @Override
    public void addSplits(List<DynamoDbSplit> splits) {
        List<DynamoDbSplit> shards = new ArrayList<>();
        List<DynamoDbSplit> segments = new ArrayList<>();
        for (DynamoDbSplit split : splits) {
            (split instanceof ShardSplit ? shards : segments).add(split);
        }
        if (!shards.isEmpty()) {
            fetcherFor(false, true).addSplits(shards);
        }
        if (!segments.isEmpty()) {
            fetcherFor(true, true).addSplits(segments);
        }
    }

    @Override
    public void removeSplits(List<DynamoDbSplit> splits) {
        List<DynamoDbSplit> shards = new ArrayList<>();
        List<DynamoDbSplit> segments = new ArrayList<>();
        for (DynamoDbSplit split : splits) {
            (split instanceof ShardSplit ? shards : segments).add(split);
        }
        SplitFetcher<ShardElement, DynamoDbSplit> shardFetcher = fetcherFor(false, false);
        if (shardFetcher != null && !shards.isEmpty()) {
            shardFetcher.removeSplits(shards);
        }
        SplitFetcher<ShardElement, DynamoDbSplit> segmentFetcher = fetcherFor(true, false);
        if (segmentFetcher != null && !segments.isEmpty()) {
            segmentFetcher.removeSplits(segments);
        }
    }

    /** The running fetcher of one kind; a new one if there is none and {@code create}. */
    @Nullable
    private SplitFetcher<ShardElement, DynamoDbSplit> fetcherFor(
            boolean forSegments, boolean create) {
        for (SplitFetcher<ShardElement, DynamoDbSplit> fetcher : fetchers.values()) {
            if ((fetcher.getSplitReader() instanceof SegmentSplitReader) == forSegments) {
                return fetcher;
            }
        }
        if (!create) {
            return null;
        }
        // Splits are added on the task thread only, so nothing else creates a fetcher meanwhile.
        factories.nextForSegments = forSegments;
        SplitFetcher<ShardElement, DynamoDbSplit> fetcher = createSplitFetcher();
        startFetcher(fetcher);
        return fetcher;
    }
}
