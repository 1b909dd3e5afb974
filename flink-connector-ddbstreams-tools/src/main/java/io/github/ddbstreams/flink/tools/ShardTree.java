package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.enumerator.lineage.ShardIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;

/**
 * Renders shards as their lineage tree: a root is a shard whose parent is not listed (none, or
 * trimmed away), children are indented under their parent, siblings ordered by shard id (which
 * orders them by creation time).
 *
 * <pre>
 * shardId-...-aaaa [closed] seq 100..300 age 2h10m
 * +- shardId-...-bbbb [closed] seq 400..500 age 1h
 * |  +- shardId-...-dddd [open] seq 600.. age 5m
 * +- shardId-...-cccc [open] seq 410.. age 1h
 * </pre>
 */
final class ShardTree {
    private final Map<String, Shard> byId = new LinkedHashMap<>();
    private final Map<String, List<Shard>> children = new LinkedHashMap<>();
    private final List<Shard> roots = new ArrayList<>();

    ShardTree(List<Shard> shards) {
        List<Shard> sorted = new ArrayList<>(shards);
        sorted.sort(Comparator.comparing(Shard::shardId));
        for (Shard shard : sorted) {
            byId.put(shard.shardId(), shard);
        }
        for (Shard shard : sorted) {
            String parent = shard.parentShardId();
            if (parent != null && byId.containsKey(parent)) {
                children.computeIfAbsent(parent, p -> new ArrayList<>()).add(shard);
            } else {
                roots.add(shard);
            }
        }
    }

    List<Shard> roots() {
        return roots;
    }

    /**
     * One line per shard, depth first. {@code annotation} adds text after a shard's own facts (e.g.
     * its record count), or returns null for nothing.
     */
    List<String> render(Instant now, Function<Shard, String> annotation) {
        List<String> lines = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Shard root : roots) {
            String note =
                    root.parentShardId() == null
                            ? ""
                            : " (parent " + root.parentShardId() + " no longer listed)";
            renderShard(root, "", "", note, now, annotation, seen, lines);
        }
        return lines;
    }

    private void renderShard(
            Shard shard,
            String prefix,
            String childPrefix,
            String note,
            Instant now,
            Function<Shard, String> annotation,
            Set<String> seen,
            List<String> lines) {
        if (!seen.add(shard.shardId())) {
            return; // a malformed listing could loop; DynamoDB never makes one
        }
        StringBuilder line = new StringBuilder(prefix).append(describe(shard, now));
        String extra = annotation.apply(shard);
        if (extra != null) {
            line.append(' ').append(extra);
        }
        lines.add(line.append(note).toString());
        List<Shard> kids = children.getOrDefault(shard.shardId(), List.of());
        for (int i = 0; i < kids.size(); i++) {
            boolean last = i == kids.size() - 1;
            renderShard(
                    kids.get(i),
                    childPrefix + "+- ",
                    childPrefix + (last ? "   " : "|  "),
                    "",
                    now,
                    annotation,
                    seen,
                    lines);
        }
    }

    static String describe(Shard shard, Instant now) {
        boolean open = StreamListing.isOpen(shard);
        return shard.shardId()
                + (open ? " [open]" : " [closed]")
                + " seq "
                + range(shard.sequenceNumberRange())
                + " age "
                + age(shard.shardId(), now);
    }

    private static String range(@Nullable SequenceNumberRange range) {
        if (range == null) {
            return "?..";
        }
        String start = range.startingSequenceNumber();
        String end = range.endingSequenceNumber();
        return (start == null ? "?" : start) + ".." + (end == null ? "" : end);
    }

    /** The time since the shard was created, from the timestamp in its id; "?" if it has none. */
    static String age(String shardId, Instant now) {
        long created = ShardIds.creationTimeFromShardId(shardId);
        if (created < 0) {
            return "?";
        }
        return compact(Duration.between(Instant.ofEpochMilli(created), now));
    }

    /** 3d4h, 2h05m, 4m12s, 12s: two units at most, enough to judge a shard at a glance. */
    static String compact(Duration d) {
        if (d.isNegative()) {
            // A shard id from a clock ahead of ours: say so rather than print nonsense.
            return "-" + compact(d.negated());
        }
        long s = d.getSeconds();
        if (s >= 86_400) {
            return (s / 86_400) + "d" + (s % 86_400) / 3600 + "h";
        }
        if (s >= 3600) {
            return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
        }
        if (s >= 60) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return s + "s";
    }
}
