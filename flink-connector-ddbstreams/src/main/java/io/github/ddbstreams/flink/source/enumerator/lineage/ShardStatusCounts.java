package io.github.ddbstreams.flink.source.enumerator.lineage;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * How many shards of a {@link ShardGraph} are in each {@link ShardStatus}, and how many each
 * subtask holds, kept as statuses change so that the assigner and the metrics never scan the graph.
 *
 * <p>Every status change of a node in the graph must go through {@link #setStatus}, and every node
 * added or removed through {@link #add} or {@link #remove}, or the counts drift.
 */
final class ShardStatusCounts {

    private final Map<ShardStatus, Integer> byStatus = new EnumMap<>(ShardStatus.class);
    private final Map<Integer, Integer> assignedPerSubtask = new HashMap<>();

    ShardStatusCounts() {
        for (ShardStatus status : ShardStatus.values()) {
            byStatus.put(status, 0);
        }
    }

    void add(MutableShardNode node) {
        count(node, 1);
    }

    void remove(MutableShardNode node) {
        count(node, -1);
    }

    /** Moves the node to {@code status} with {@code owner}, keeping the counts right. */
    void setStatus(MutableShardNode node, ShardStatus status, int owner) {
        count(node, -1);
        node.status = status;
        node.owner = owner;
        count(node, 1);
    }

    int count(ShardStatus status) {
        return byStatus.get(status);
    }

    int assignedCount(int subtask) {
        return assignedPerSubtask.getOrDefault(subtask, 0);
    }

    @Override
    public String toString() {
        return byStatus.toString();
    }

    private void count(MutableShardNode node, int delta) {
        byStatus.merge(node.status, delta, Integer::sum);
        if (node.status == ShardStatus.ASSIGNED) {
            // Drop a subtask at zero so the map holds only subtasks that hold shards.
            assignedPerSubtask.merge(node.owner, delta, (a, b) -> a + b == 0 ? null : a + b);
        }
    }
}
