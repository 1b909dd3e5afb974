package io.github.ddbstreams.flink.source.enumerator;

import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.annotation.Internal;

/**
 * The enumerator's checkpoint: one {@link StreamEnumState} per stream the source reads, in the
 * order the streams were configured, and one {@link SnapshotEnumState} per table snapshot started.
 * Immutable.
 */
@Internal
public final class DynamoDbStreamsSourceEnumState {

    private final List<StreamEnumState> streams;
    private final List<SnapshotEnumState> snapshots;

    /** The state of a source that reads streams and no snapshot. */
    public DynamoDbStreamsSourceEnumState(List<StreamEnumState> streams) {
        this(streams, List.of());
    }

    public DynamoDbStreamsSourceEnumState(
            List<StreamEnumState> streams, List<SnapshotEnumState> snapshots) {
        this.streams = List.copyOf(streams);
        this.snapshots = List.copyOf(snapshots);
        Set<String> snapshotArns = new HashSet<>();
        for (SnapshotEnumState snapshot : this.snapshots) {
            if (!snapshotArns.add(snapshot.getStreamArn())) {
                throw new IllegalArgumentException(
                        "The snapshot of stream " + snapshot.getStreamArn() + " appears twice");
            }
        }
        Set<String> arns = new HashSet<>();
        for (StreamEnumState stream : this.streams) {
            if (!arns.add(stream.getStreamArn())) {
                throw new IllegalArgumentException(
                        "Stream " + stream.getStreamArn() + " appears twice in the state");
            }
        }
    }

    /** The state of a source that reads one stream (what version 1 of the state could hold). */
    public DynamoDbStreamsSourceEnumState(
            String streamArn,
            List<ShardNode> shards,
            Map<String, ShardPosition> startPositions,
            long jobStartMillis,
            boolean initialDiscoveryDone) {
        this(streamArn, shards, startPositions, jobStartMillis, initialDiscoveryDone, -1);
    }

    /** The state of a source that reads one stream whose graph forgot shards up to a horizon. */
    public DynamoDbStreamsSourceEnumState(
            String streamArn,
            List<ShardNode> shards,
            Map<String, ShardPosition> startPositions,
            long jobStartMillis,
            boolean initialDiscoveryDone,
            long forgottenUpToMillis) {
        this(
                List.of(
                        new StreamEnumState(
                                streamArn,
                                shards,
                                startPositions,
                                jobStartMillis,
                                initialDiscoveryDone,
                                forgottenUpToMillis)));
    }

    public List<StreamEnumState> getStreams() {
        return streams;
    }

    /** The snapshots started, each with the stream it goes with; empty before version 3. */
    public List<SnapshotEnumState> getSnapshots() {
        return snapshots;
    }

    /** The state of {@code streamArn}, if the source read it. */
    public Optional<StreamEnumState> stream(String streamArn) {
        for (StreamEnumState stream : streams) {
            if (stream.getStreamArn().equals(streamArn)) {
                return Optional.of(stream);
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DynamoDbStreamsSourceEnumState
                && streams.equals(((DynamoDbStreamsSourceEnumState) o).streams)
                && snapshots.equals(((DynamoDbStreamsSourceEnumState) o).snapshots);
    }

    @Override
    public int hashCode() {
        return 31 * streams.hashCode() + snapshots.hashCode();
    }

    @Override
    public String toString() {
        return "DynamoDbStreamsSourceEnumState" + streams + (snapshots.isEmpty() ? "" : snapshots);
    }
}
