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
 * order the streams were configured. Immutable.
 */
@Internal
public final class DynamoDbStreamsSourceEnumState {

    private final List<StreamEnumState> streams;

    public DynamoDbStreamsSourceEnumState(List<StreamEnumState> streams) {
        this.streams = List.copyOf(streams);
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
                && streams.equals(((DynamoDbStreamsSourceEnumState) o).streams);
    }

    @Override
    public int hashCode() {
        return streams.hashCode();
    }

    @Override
    public String toString() {
        return "DynamoDbStreamsSourceEnumState" + streams;
    }
}
