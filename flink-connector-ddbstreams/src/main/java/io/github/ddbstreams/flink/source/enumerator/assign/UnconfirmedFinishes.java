package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Shard finishes that readers reported but no completed enumerator checkpoint holds yet, by
 * reporting subtask. Once a checkpoint that holds a finish completes, the reporter is told it may
 * drop its finished marker; if the reporter fails before that, the finish is taken back, because
 * the restored reader will read the shard again or re-report it.
 *
 * <p>Used on the coordinator thread only.
 */
final class UnconfirmedFinishes {

    /** Reported since the last snapshot: shard id to reporting subtask. */
    private Map<String, Integer> sinceSnapshot = new HashMap<>();

    /** Held by a snapshot whose checkpoint has not completed yet, by checkpoint id. */
    private final TreeMap<Long, Map<String, Integer>> byCheckpoint = new TreeMap<>();

    /**
     * Whether checkpoints are taken: a snapshot was taken, or the enumerator was restored from one.
     * Without checkpoints no finish is ever confirmed, and nothing may wait for a confirmation.
     */
    private boolean checkpointing;

    UnconfirmedFinishes(boolean restored) {
        this.checkpointing = restored;
    }

    void reported(String shardId, int subtask) {
        sinceSnapshot.put(shardId, subtask);
    }

    /**
     * Whether a finish of the shard was reported that no completed checkpoint holds yet, and
     * checkpoints are taken. Without checkpoints no confirmation ever comes: a finish then waits
     * for nothing, or a finished shard would be kept (and listed, and snapshotted) forever.
     */
    boolean contains(String shardId) {
        if (!checkpointing) {
            return false;
        }
        if (sinceSnapshot.containsKey(shardId)) {
            return true;
        }
        for (Map<String, Integer> finishes : byCheckpoint.values()) {
            if (finishes.containsKey(shardId)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a finish of a shard of {@code streamArn} may still be taken back: reported, not held
     * by a completed checkpoint, and checkpoints are taken.
     */
    boolean anyOfStream(String streamArn) {
        if (!checkpointing) {
            return false;
        }
        if (anyOfStream(sinceSnapshot, streamArn)) {
            return true;
        }
        for (Map<String, Integer> finishes : byCheckpoint.values()) {
            if (anyOfStream(finishes, streamArn)) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyOfStream(Map<String, Integer> finishes, String streamArn) {
        for (String splitId : finishes.keySet()) {
            if (!ScanSegmentSplit.isSegmentId(splitId)
                    && ShardSplit.streamArnOf(splitId).equals(streamArn)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drops the finishes of {@code streamArn}'s shards that {@code known} no longer holds: a
     * forgotten shard cannot be reopened, and without checkpoints nothing else would ever drop
     * them.
     */
    void retainKnown(String streamArn, Predicate<String> known) {
        retainKnown(sinceSnapshot, streamArn, known);
        for (Map<String, Integer> finishes : byCheckpoint.values()) {
            retainKnown(finishes, streamArn, known);
        }
    }

    private static void retainKnown(
            Map<String, Integer> finishes, String streamArn, Predicate<String> known) {
        finishes.keySet()
                .removeIf(
                        splitId ->
                                !ScanSegmentSplit.isSegmentId(splitId)
                                        && ShardSplit.streamArnOf(splitId).equals(streamArn)
                                        && !known.test(ShardSplit.shardIdOf(splitId)));
    }

    /** How many finishes are unconfirmed; for tests. */
    int size() {
        int size = sinceSnapshot.size();
        for (Map<String, Integer> finishes : byCheckpoint.values()) {
            size += finishes.size();
        }
        return size;
    }

    /** The finishes reported so far are in the snapshot of {@code checkpointId}. */
    void snapshotTaken(long checkpointId) {
        checkpointing = true;
        byCheckpoint.put(checkpointId, sinceSnapshot);
        sinceSnapshot = new HashMap<>();
    }

    /**
     * Forgets the finishes held by the snapshots of checkpoints up to {@code checkpointId}.
     *
     * @return the confirmed shard ids by reporting subtask
     */
    Map<Integer, List<String>> checkpointCompleted(long checkpointId) {
        Map<Integer, List<String>> confirmed = new HashMap<>();
        Map<Long, Map<String, Integer>> done = byCheckpoint.headMap(checkpointId, true);
        for (Map<String, Integer> finishes : done.values()) {
            finishes.forEach(
                    (shardId, subtask) ->
                            confirmed
                                    .computeIfAbsent(subtask, k -> new ArrayList<>())
                                    .add(shardId));
        }
        done.clear();
        return confirmed;
    }

    /** Removes and returns every unconfirmed finish that {@code subtask} reported. */
    List<String> takeBack(int subtask) {
        List<String> shardIds = new ArrayList<>();
        takeBack(sinceSnapshot, subtask, shardIds);
        for (Map<String, Integer> finishes : byCheckpoint.values()) {
            takeBack(finishes, subtask, shardIds);
        }
        return shardIds;
    }

    private static void takeBack(Map<String, Integer> finishes, int subtask, List<String> out) {
        for (Iterator<Map.Entry<String, Integer>> it = finishes.entrySet().iterator();
                it.hasNext(); ) {
            Map.Entry<String, Integer> finish = it.next();
            if (finish.getValue() == subtask) {
                out.add(finish.getKey());
                it.remove();
            }
        }
    }
}
