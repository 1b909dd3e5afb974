package io.github.ddbstreams.flink.source.enumerator.assign;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LineageAffinityAssignerTest {

    private final ShardAssigner assigner = new LineageAffinityAssigner();

    @Test
    void registeredPreferredSubtaskWinsEvenWhenBusiest() {
        FakeContext context = new FakeContext().reader(0, 0).reader(1, 9).reader(2, 0);
        assertThat(assigner.selectSubtask("s", 1, context)).isEqualTo(1);
    }

    @Test
    void unregisteredPreferredSubtaskFallsBackToTheLeastLoaded() {
        FakeContext context = new FakeContext().reader(0, 3).reader(1, 1).reader(2, 2);
        assertThat(assigner.selectSubtask("s", 7, context)).isEqualTo(1);
        assertThat(assigner.selectSubtask("s", -1, context)).isEqualTo(1);
    }

    @Test
    void tieGoesToTheLowestSubtaskWhateverTheRegistrationOrder() {
        FakeContext context = new FakeContext().reader(5, 2).reader(3, 2).reader(4, 2);
        assertThat(assigner.selectSubtask("s", -1, context)).isEqualTo(3);
    }

    @Test
    void noRegisteredReaderMeansNoSubtask() {
        assertThat(assigner.selectSubtask("s", 0, new FakeContext())).isEqualTo(-1);
    }

    @Test
    void spreadsRootShardsEvenlyWhenChoicesAreRecorded() {
        FakeContext context = new FakeContext().reader(0, 0).reader(1, 0).reader(2, 0);
        for (int i = 0; i < 9; i++) {
            int subtask = assigner.selectSubtask("s" + i, -1, context);
            context.counts.merge(subtask, 1, Integer::sum);
        }
        assertThat(context.counts).containsOnly(Map.entry(0, 3), Map.entry(1, 3), Map.entry(2, 3));
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(assigner);
        }
        Object copy =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray())).readObject();
        FakeContext context = new FakeContext().reader(0, 1).reader(1, 0);
        assertThat(((ShardAssigner) copy).selectSubtask("s", -1, context)).isEqualTo(1);
    }

    /** Registered readers and their current shard counts. */
    private static final class FakeContext implements ShardAssigner.AssignmentContext {
        final Map<Integer, Integer> counts = new LinkedHashMap<>();

        FakeContext reader(int subtask, int assigned) {
            counts.put(subtask, assigned);
            return this;
        }

        @Override
        public Collection<Integer> registeredSubtasks() {
            return List.copyOf(counts.keySet());
        }

        @Override
        public int assignedShardCount(int subtask) {
            return counts.getOrDefault(subtask, 0);
        }
    }
}
