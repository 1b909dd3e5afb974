package io.github.ddbstreams.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.Shard;

class ShardTreeTest {
    private static final long T0 = 1_700_000_000_000L;

    @Test
    void rendersASplitWithChildrenUnderTheirParentAndAnOrphanAsRoot() {
        Shard root = shard(T0, "aa", null, "100", "300");
        Shard left = shard(T0 + 1000, "bb", root.shardId(), "400", "500");
        Shard right = shard(T0 + 2000, "cc", root.shardId(), "410", null);
        Shard grandChild = shard(T0 + 180_000, "dd", left.shardId(), "600", null);
        Shard orphan = shard(T0 - 5000, "ee", "shardId-00000000000000000001-gone", "1", "2");

        List<String> lines =
                new ShardTree(List.of(grandChild, right, left, root, orphan))
                        .render(Instant.ofEpochMilli(T0 + 3_723_000), s -> null);

        assertThat(lines)
                .containsExactly(
                        orphan.shardId()
                                + " [closed] seq 1..2 age 1h02m (parent"
                                + " shardId-00000000000000000001-gone no longer listed)",
                        root.shardId() + " [closed] seq 100..300 age 1h02m",
                        "+- " + left.shardId() + " [closed] seq 400..500 age 1h02m",
                        "|  +- " + grandChild.shardId() + " [open] seq 600.. age 59m03s",
                        "+- " + right.shardId() + " [open] seq 410.. age 1h02m");
    }

    @Test
    void ageIsCompactAndUnknownForUnusualIds() {
        assertThat(ShardTree.compact(Duration.ofSeconds(12))).isEqualTo("12s");
        assertThat(ShardTree.compact(Duration.ofSeconds(252))).isEqualTo("4m12s");
        assertThat(ShardTree.compact(Duration.ofHours(76))).isEqualTo("3d4h");
        assertThat(ShardTree.age("not-a-shard-id", Instant.now())).isEqualTo("?");
    }

    private static Shard shard(
            long created, String suffix, String parent, String start, String end) {
        return Shard.builder()
                .shardId(String.format("shardId-%020d-%s", created, suffix))
                .parentShardId(parent)
                .sequenceNumberRange(r -> r.startingSequenceNumber(start).endingSequenceNumber(end))
                .build();
    }
}
