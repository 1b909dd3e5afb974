package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.annotation.Internal;

/**
 * The checkpointed state of one stream of a source. Immutable.
 *
 * <ul>
 *   <li>{@code streamArn}: the stream. A restored job keeps reading it even if the table has a
 *       newer stream since: its positions are sequence numbers of this one.
 *   <li>{@code shards}: the {@link ShardGraph} snapshot, every known shard with its lineage and
 *       status, so a finished shard is never read again and no child is read before its parent.
 *   <li>{@code startPositions}: positions of UNASSIGNED shards that must not start at the default,
 *       e.g. {@code LATEST} iterators resolved when the stream was first listed (resolving them
 *       again later would skip records) or the positions of splits a failed reader gave back.
 *   <li>{@code jobStartMillis}: the job's start (fixed when its source was built; an enumerator's
 *       creation time in states of older versions), the fixed point {@code LATEST} means and the
 *       end of a bounded read.
 *   <li>{@code initialDiscoveryDone}: the first listing of the stream has been applied.
 *   <li>{@code forgottenUpToMillis}: every shard the stream's graph forgot was created at or before
 *       this time, so a listing that returns such a shard again does not make it new (-1: none
 *       forgotten); see {@link ShardGraph#forgetExpired}.
 * </ul>
 */
@Internal
public final class StreamEnumState {

    private final String streamArn;
    private final List<ShardNode> shards;
    private final Map<String, ShardPosition> startPositions;
    private final long jobStartMillis;
    private final boolean initialDiscoveryDone;
    private final long forgottenUpToMillis;

    /** A stream of which no shard was forgotten yet. */
    public StreamEnumState(
            String streamArn,
            List<ShardNode> shards,
            Map<String, ShardPosition> startPositions,
            long jobStartMillis,
            boolean initialDiscoveryDone) {
        this(streamArn, shards, startPositions, jobStartMillis, initialDiscoveryDone, -1);
    }

    public StreamEnumState(
            String streamArn,
            List<ShardNode> shards,
            Map<String, ShardPosition> startPositions,
            long jobStartMillis,
            boolean initialDiscoveryDone,
            long forgottenUpToMillis) {
        this.streamArn = Objects.requireNonNull(streamArn, "streamArn");
        this.shards = List.copyOf(shards);
        // Insertion order kept so the serialized form is as deterministic as the caller's map.
        this.startPositions = Collections.unmodifiableMap(new LinkedHashMap<>(startPositions));
        this.jobStartMillis = jobStartMillis;
        this.initialDiscoveryDone = initialDiscoveryDone;
        this.forgottenUpToMillis = forgottenUpToMillis < 0 ? -1 : forgottenUpToMillis;
    }

    public String getStreamArn() {
        return streamArn;
    }

    public List<ShardNode> getShards() {
        return shards;
    }

    public Map<String, ShardPosition> getStartPositions() {
        return startPositions;
    }

    public long getJobStartMillis() {
        return jobStartMillis;
    }

    public boolean isInitialDiscoveryDone() {
        return initialDiscoveryDone;
    }

    /** See the class comment; -1 if no shard was forgotten. */
    public long getForgottenUpToMillis() {
        return forgottenUpToMillis;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof StreamEnumState)) {
            return false;
        }
        StreamEnumState that = (StreamEnumState) o;
        return jobStartMillis == that.jobStartMillis
                && initialDiscoveryDone == that.initialDiscoveryDone
                && forgottenUpToMillis == that.forgottenUpToMillis
                && streamArn.equals(that.streamArn)
                && shards.equals(that.shards)
                && startPositions.equals(that.startPositions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                streamArn,
                shards,
                startPositions,
                jobStartMillis,
                initialDiscoveryDone,
                forgottenUpToMillis);
    }

    /** A summary: a real state may hold 100,000 shards. */
    @Override
    public String toString() {
        return "StreamEnumState{streamArn="
                + streamArn
                + ", shards="
                + shards.size()
                + ", startPositions="
                + startPositions.size()
                + ", jobStartMillis="
                + jobStartMillis
                + ", initialDiscoveryDone="
                + initialDiscoveryDone
                + ", forgottenUpToMillis="
                + forgottenUpToMillis
                + "}";
    }
}
