package io.github.ddbstreams.flink.source.reader;

import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.assign;
import static io.github.ddbstreams.flink.source.reader.SplitReaderRun.split;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;

/**
 * Caught-up ticks through the split reader, on the fake client: a quiet shard's come at the wall
 * clock less the margin, a shard reading a backlog gives none until its records are read, and with
 * the option off there are none.
 */
class ShardSplitReaderCaughtUpTest {

    private static final long MARGIN_MILLIS = 3_000;

    private final FakeStreamsClient fake = new FakeStreamsClient();

    /** Per shard, in order: "r" for a record, the watermark for a tick. */
    private final Map<String, List<Object>> elements = new HashMap<>();

    @Test
    void aQuietShardTicksAtTheWallClockLessTheMarginAndABacklogOnlyOnceRead() throws IOException {
        String quiet = fake.addShard(null);
        String backlog = fake.addShard(null);
        for (int i = 0; i < 60; i++) {
            fake.put(backlog, "k" + i, OperationType.INSERT, i);
        }
        ShardSplitReader reader = new ShardSplitReader(fake, settings(true));
        assign(reader, split(quiet, ShardPosition.trimHorizon()));
        assign(reader, split(backlog, ShardPosition.trimHorizon()));

        long before = System.currentTimeMillis();
        fetchUntilTicks(reader, quiet, backlog);
        long after = System.currentTimeMillis();

        List<Long> quietTicks = ticks(quiet);
        assertThat(quietTicks).isNotEmpty().isSorted().doesNotHaveDuplicates();
        assertThat(quietTicks)
                .allSatisfy(
                        w ->
                                assertThat(w)
                                        .isBetween(before - MARGIN_MILLIS, after - MARGIN_MILLIS));
        List<Object> backlogElements = elements.get(backlog);
        int lastRecord = backlogElements.lastIndexOf("r");
        assertThat(backlogElements.subList(0, lastRecord + 1))
                .as("the backlog shard's elements up to its last record")
                .containsOnly("r")
                .hasSize(60);
        assertThat(ticks(backlog)).isNotEmpty();
    }

    @Test
    void withTheOptionOffAQuietShardGivesNoTicks() throws IOException {
        String quiet = fake.addShard(null);
        ShardSplitReader reader = new ShardSplitReader(fake, settings(false));
        assign(reader, split(quiet, ShardPosition.trimHorizon()));

        for (int i = 0; i < 40; i++) {
            fetch(reader);
        }

        assertThat(fake.getRecordsCalls(quiet)).isGreaterThan(ShardPacing.CAUGHT_UP_EMPTY_PAGES);
        assertThat(ticks(quiet)).isEmpty();
    }

    private void fetchUntilTicks(ShardSplitReader reader, String... shards) throws IOException {
        for (int i = 0; i < 500; i++) {
            fetch(reader);
            boolean all = true;
            for (String shard : shards) {
                all &= !ticks(shard).isEmpty();
            }
            if (all) {
                return;
            }
        }
    }

    private void fetch(ShardSplitReader reader) throws IOException {
        RecordsWithSplitIds<ShardElement> batch = reader.fetch();
        String splitId;
        while ((splitId = batch.nextSplit()) != null) {
            List<Object> shard =
                    elements.computeIfAbsent(ShardSplit.shardIdOf(splitId), k -> new ArrayList<>());
            ShardElement e;
            while ((e = batch.nextRecordFromSplit()) != null) {
                if (e.isCaughtUp()) {
                    shard.add(e.caughtUpWatermark());
                } else if (e.record() != null) {
                    shard.add("r");
                }
            }
        }
        batch.recycle();
    }

    private List<Long> ticks(String shard) {
        List<Long> ticks = new ArrayList<>();
        for (Object e : elements.getOrDefault(shard, List.of())) {
            if (e instanceof Long) {
                ticks.add((Long) e);
            }
        }
        return ticks;
    }

    private static ShardReaderSettings settings(boolean caughtUp) {
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.IDLE_POLL_INTERVAL, Duration.ofMillis(10));
        config.set(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 5);
        config.set(DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_SHARDS, caughtUp);
        config.set(
                DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN,
                Duration.ofMillis(MARGIN_MILLIS));
        return ShardReaderSettings.unbounded(config);
    }
}
