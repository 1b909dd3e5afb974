package io.github.ddbstreams.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/** Lineage order, fault handling and the end of a disabled stream, on the fake stream. */
class LineageFollowerTest {
    private final FakeStreamsClient stream = new FakeStreamsClient();
    private final StringWriter err = new StringWriter();
    private final List<ChangeEvent> events = new ArrayList<>();
    private int sleeps;

    @Test
    void readsParentsBeforeChildrenAcrossASplitAndEndsOnADisabledStream() throws Exception {
        stream.ignoreShardFilter(); // children must be found by listing, as on DynamoDB Local
        String root = stream.addShard(null);
        for (int v = 1; v <= 3; v++) {
            stream.put(root, "a", OperationType.MODIFY, v);
            stream.put(root, "b", OperationType.MODIFY, v);
        }
        List<String> children = stream.split(root);
        stream.put(children.get(0), "a", OperationType.MODIFY, 4);
        stream.put(children.get(1), "b", OperationType.MODIFY, 4);
        String grandChild = stream.rollover(children.get(1));
        stream.put(grandChild, "b", OperationType.MODIFY, 5);
        stream.put(grandChild, "b", OperationType.REMOVE, 6);
        // Disabling a stream closes its open shards without children.
        stream.removeShard(stream.rollover(grandChild));
        stream.removeShard(stream.rollover(children.get(0)));
        stream.setStatus(StreamStatus.DISABLED);

        follower(StartFrom.TRIM_HORIZON).run(events::add, () -> false);

        assertThat(versionsByKey())
                .containsExactly(
                        Map.entry("a", List.of(1L, 2L, 3L, 4L)),
                        Map.entry("b", List.of(1L, 2L, 3L, 4L, 5L, -1L)));
        assertThat(err.toString()).contains("disabled and every shard has been read");
    }

    @Test
    void latestSkipsWhatWasWrittenBeforeAndFollowsNewChildren() throws Exception {
        String root = stream.addShard(null);
        stream.put(root, "old", OperationType.INSERT, 1);
        String child = stream.rollover(root);
        stream.put(child, "old", OperationType.MODIFY, 2);
        int[] rounds = {0};

        follower(StartFrom.LATEST)
                .run(
                        events::add,
                        () -> {
                            // The stop check runs once per round: write between rounds.
                            rounds[0]++;
                            if (rounds[0] == 2) {
                                stream.put(child, "new", OperationType.INSERT, 1);
                                String grandChild = stream.rollover(child);
                                stream.put(grandChild, "new", OperationType.MODIFY, 2);
                            }
                            return events.size() >= 2 || rounds[0] > 20;
                        });

        assertThat(versionsByKey()).containsExactly(Map.entry("new", List.of(1L, 2L)));
    }

    @Test
    void retriesThrottledListingAndReads() throws Exception {
        String root = stream.addShard(null);
        stream.put(root, "k", OperationType.INSERT, 1);
        stream.put(root, "k", OperationType.MODIFY, 2);
        stream.throttleNextCalls(3);

        follower(StartFrom.TRIM_HORIZON).run(events::add, () -> events.size() >= 2);

        assertThat(versionsByKey()).containsExactly(Map.entry("k", List.of(1L, 2L)));
        assertThat(err.toString()).contains("retrying after");
        assertThat(sleeps).isPositive();
    }

    private LineageFollower follower(StartFrom from) {
        return new LineageFollower(
                stream,
                FakeStreamsClient.STREAM_ARN,
                from,
                new PrintWriter(err, true),
                ms -> sleeps++,
                // One record per call: shards polled in turn would interleave if a child were read
                // before its parent's end.
                1);
    }

    /** Each key's versions in emitted order; -1 for a REMOVE. */
    private Map<String, List<Long>> versionsByKey() {
        Map<String, List<Long>> byKey = new LinkedHashMap<>();
        for (ChangeEvent e : events) {
            long version =
                    e.hasNewImage() ? Long.parseLong(e.getNewImage().get("version").n()) : -1L;
            byKey.computeIfAbsent(e.getKeys().get("pk").s(), k -> new ArrayList<>()).add(version);
        }
        return byKey;
    }
}
