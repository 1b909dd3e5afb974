package io.github.ddbstreams.flink.source.enumerator.lineage;

import org.apache.flink.annotation.Internal;

/**
 * Where a shard stands in the enumerator's {@link ShardGraph}. The ordinal is part of the
 * enumerator's checkpoint format: append only.
 *
 * <pre>
 *                 markAssigned (only when ready:
 *                 parent finished or trimmed)
 *   UNASSIGNED ------------------------------&gt; ASSIGNED
 *       |      &lt;------------------------------    |
 *       |        markUnassigned (partial          |
 *       |        failover, addSplitsBack)         |
 *       |                                       | ^
 *       |          markFinished (reader read it | | reopenFinished (the reporting reader
 *       |          to its end)                  | | failed before a checkpoint held it)
 *       | markFinished (a reader re-reports     v |
 *       | a shard after a restore)            FINISHED
 *       +---------------------------------------&gt;
 * </pre>
 *
 * <p>A finish held by a completed checkpoint is final: a closed shard never reopens, and a shard
 * read to its end must never be read again, or its records would be emitted twice. Only a finish
 * that no completed checkpoint holds is taken back, when the reader that reported it fails and
 * rolls back to a checkpoint in which it still reads the shard.
 */
@Internal
public enum ShardStatus {
    /** Known, not held by any reader; it may be assigned once its parent is finished or gone. */
    UNASSIGNED,
    /** Held by one reader subtask, which is reading it. */
    ASSIGNED,
    /** Read to its end (or reported so); its children may be read. */
    FINISHED
}
