package io.github.ddbstreams.flink.source.reader;

import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;

/** What a split reader handed on over some fetches: records per shard, finished shards. */
final class SplitReaderRun {
    final List<String> sequenceNumbers = new ArrayList<>();
    final Set<String> finished = new HashSet<>();

    /** How many fetch() calls returned (each polls every due shard once, or waits). */
    int fetches;

    static ShardSplit split(String shardId, ShardPosition position) {
        return new ShardSplit(FakeStreamsClient.STREAM_ARN, shardId, null, position);
    }

    static void assign(ShardSplitReader reader, ShardSplit split) {
        reader.handleSplitsChanges(new SplitsAddition<>(List.of(split)));
    }

    /** Fetches {@code fetches} times. */
    static SplitReaderRun drain(ShardSplitReader reader, int fetches) throws IOException {
        SplitReaderRun run = new SplitReaderRun();
        for (int i = 0; i < fetches; i++) {
            run.fetchOnce(reader);
        }
        return run;
    }

    /** Fetches until the shard is finished, at most {@code maxFetches} times. */
    static SplitReaderRun drainUntilFinished(
            ShardSplitReader reader, String shardId, int maxFetches) throws IOException {
        SplitReaderRun run = new SplitReaderRun();
        while (!run.finished.contains(shardId) && run.fetches < maxFetches) {
            run.fetchOnce(reader);
        }
        return run;
    }

    void fetchOnce(ShardSplitReader reader) throws IOException {
        RecordsWithSplitIds<ShardElement> batch = reader.fetch();
        fetches++;
        while (batch.nextSplit() != null) {
            ShardElement e;
            while ((e = batch.nextRecordFromSplit()) != null) {
                if (e.record() != null) {
                    sequenceNumbers.add(e.record().dynamodb().sequenceNumber());
                }
            }
        }
        for (String splitId : batch.finishedSplits()) {
            finished.add(ShardSplit.shardIdOf(splitId));
        }
    }
}
