package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.e2e.ReceivedChanges.Received;
import io.github.ddbstreams.flink.format.ChangeEvent.EventName;
import java.math.BigInteger;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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
    void everyChangeIsReceivedExactlyOnceInPerItemOrder() {
        assertThat(result.received()).hasSameSizeAs(result.written());
        Map<String, List<Change>> received = result.receivedByKey();
        result.writtenByKey()
                .forEach(
                        (key, written) ->
                                assertThat(received.get(key))
                                        .as("changes of %s", key)
                                        .containsExactlyElementsOf(written));
        assertThat(received.keySet()).isEqualTo(result.writtenByKey().keySet());
        assertThat(result.exactlyOnceInOrder()).isTrue();
    }

    @Test
    void orderHoldsAcrossShardRollovers() {
        // The first rollover comes after about 60 of the 70 or more writes: the rest are in its
        // child shard.
        assertThat(result.shardsRead()).hasSizeGreaterThanOrEqualTo(2);
        Map<String, Set<String>> shardsByKey = new HashMap<>();
        for (Received r : result.received()) {
            shardsByKey.computeIfAbsent(r.change().key(), k -> new HashSet<>()).add(r.shardId());
        }
        // So the per-item order checked above spans parent and child shards for these items.
        assertThat(shardsByKey.values()).anyMatch(shards -> shards.size() >= 2);
    }

    @Test
    void eachShardIsReadInSequenceOrderAndTheLineageStaysOnOneSubtask() {
        Map<String, BigInteger> lastSequenceByShard = new HashMap<>();
        Set<Integer> subtasks = new HashSet<>();
        for (Received r : result.received()) {
            BigInteger sequence = new BigInteger(r.sequenceNumber());
            BigInteger previous = lastSequenceByShard.put(r.shardId(), sequence);
            if (previous != null) {
                assertThat(sequence).as("sequence in %s", r.shardId()).isGreaterThan(previous);
            }
            subtasks.add(r.subtask());
        }
        // One table partition means one lineage of shards; children go where the parent was read.
        assertThat(subtasks).hasSize(1);
    }
}
