package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.e2e.ReceivedChanges.Received;
import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the demo's local mode end to end (DynamoDB Local, the writer, shard rollovers, a Flink job
 * with parallelism 2 and checkpoints) for 10 s of writing, and checks what its sink received.
 */
class DemoJobITCase {

    private static DemoResult result;

    @BeforeAll
    static void runDemo() throws Exception {
        DemoSettings settings =
                DemoSettings.defaults()
                        .withDuration(Duration.ofSeconds(10))
                        .withRolloverEvery(Duration.ofSeconds(3))
                        .withoutPrinting();
        result = LocalDemo.run(settings, System.out);
    }

    @Test
    void wroteAMixOfInsertsUpdatesAndDeletesAcrossRollovers() {
        // 200 writes and 3 rollovers on an idle machine; a loaded one writes fewer. Rollovers
        // share the writer's thread, so each comes after 60 writes whatever the load.
        assertThat(result.written()).hasSizeGreaterThanOrEqualTo(70);
        assertThat(result.written())
                .extracting(Change::event)
                .contains(EventName.INSERT, EventName.MODIFY, EventName.REMOVE);
        assertThat(result.rollovers()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void everyItemIsPrintedAsTheSnapshotReadItThenEveryLaterChangeOnce() {
        // Per item: a SNAPSHOT row of a state written (or the INSERT of an item created after
        // the snapshot's start), then exactly the changes written after that state, in order;
        // so its last printed state is the table's.
        assertThat(result.historiesExact()).isTrue();
        // Every item was in the table before the job: nearly all come first as snapshot rows (a
        // write between the job's submission and the snapshot's start may delete one first).
        long snapshotFirst =
                result.receivedByKey().values().stream()
                        .filter(rows -> rows.get(0).event() == EventName.SNAPSHOT)
                        .count();
        assertThat(snapshotFirst).isGreaterThanOrEqualTo(40);
    }

    @Test
    void orderHoldsAcrossShardRollovers() {
        // The first rollover comes after about 60 of the 70 or more writes: the rest are in its
        // child shard.
        assertThat(result.shardsRead()).hasSizeGreaterThanOrEqualTo(2);
        Map<String, Set<String>> shardsByKey = new HashMap<>();
        for (Received r : result.received()) {
            if (r.change().event() != EventName.SNAPSHOT) {
                shardsByKey
                        .computeIfAbsent(r.change().key(), k -> new HashSet<>())
                        .add(r.shardId());
            }
        }
        // So the per-item order checked above spans parent and child shards for these items.
        assertThat(shardsByKey.values()).anyMatch(shards -> shards.size() >= 2);
    }

    @Test
    void eachItemsChangesArriveInSequenceOrderAcrossItsShards() {
        Map<String, BigInteger> lastSequenceByItem = new HashMap<>();
        for (Received r : result.received()) {
            if (r.change().event() == EventName.SNAPSHOT) {
                continue; // a Scan row has no sequence number
            }
            // DynamoDB Local numbers records across a stream's shards, children after parents.
            BigInteger sequence = new BigInteger(r.sequenceNumber());
            BigInteger previous = lastSequenceByItem.put(r.change().key(), sequence);
            if (previous != null) {
                assertThat(sequence).as("sequence of %s", r.change().key()).isGreaterThan(previous);
            }
        }
    }
}
