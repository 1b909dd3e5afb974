package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.JobStart;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.annotation.Nullable;
import org.apache.flink.annotation.Internal;

/**
 * What a {@link SplitPlanner} decided in answer to one event: plain data that the enumerator
 * carries out through Flink's context and the AWS client, in the order of the accessors below. The
 * planner has already changed its state as if each decision were carried out.
 *
 * <p>Assignments carry the split itself, not a shard id, so that a second kind of split can travel
 * the same way; everything else names streams and shards, which only the stream kind has.
 */
@Internal
public final class Decisions {

    /** A stream to start listing: one the planner added, or (at start) one it restored. */
    public record NewStream(
            String streamArn,
            StartingPosition startingPosition,
            JobStart jobStart,
            boolean initialListingDone,
            boolean followed) {}

    /** Where a stream's next periodic listing continues, after a listing was applied. */
    public record NextListing(
            @Nullable String listAfterShardId,
            long lastCompleteListingMillis,
            long completeListingDueNanos) {}

    /**
     * Look up the children of a shard a reader finished, listing after {@code listAfterShardId}.
     */
    public record ChildLookup(
            String streamArn, String parentShardId, @Nullable String listAfterShardId) {}

    /**
     * Look up the latest stream of {@code table}, whose stream {@code disabledStreamArn} is off.
     */
    public record LatestStreamLookup(String table, String disabledStreamArn) {}

    private final List<NewStream> newStreams = new ArrayList<>();
    private final Map<String, NextListing> nextListings = new LinkedHashMap<>();
    private final List<String> retiredStreams = new ArrayList<>();
    private final List<LatestStreamLookup> latestStreamLookups = new ArrayList<>();
    private final List<ChildLookup> childLookups = new ArrayList<>();
    private boolean startChildLookupTick;
    // HashMaps, as Flink's SplitsAssignment and the acks always were: same order of subtasks.
    private final Map<Integer, List<DynamoDbSplit>> assignments = new HashMap<>();
    private final List<Integer> noMoreSplits = new ArrayList<>();
    private final Map<Integer, List<String>> acks = new HashMap<>();

    Decisions() {}

    /** Streams to create a discovery for and list (first listing unless done, then periodic). */
    public List<NewStream> newStreams() {
        return newStreams;
    }

    /** By stream ARN: where its next periodic listing continues. */
    public Map<String, NextListing> nextListings() {
        return nextListings;
    }

    /** Streams no longer to list: read to their ends and followed by a newer stream. */
    public List<String> retiredStreams() {
        return retiredStreams;
    }

    public List<LatestStreamLookup> latestStreamLookups() {
        return latestStreamLookups;
    }

    public List<ChildLookup> childLookups() {
        return childLookups;
    }

    /**
     * Whether to start the periodic tick ({@link SplitPlanner#childLookupTick}) that repeats child
     * lookups which found nothing; asked for once.
     */
    public boolean startChildLookupTick() {
        return startChildLookupTick;
    }

    /** Splits to send, by subtask. */
    public Map<Integer, List<DynamoDbSplit>> assignments() {
        return assignments;
    }

    /** Registered subtasks to tell that no more splits come. */
    public List<Integer> noMoreSplits() {
        return noMoreSplits;
    }

    /** Split ids of finishes a completed checkpoint holds, by registered reporting subtask. */
    public Map<Integer, List<String>> acks() {
        return acks;
    }

    void startStream(NewStream stream) {
        newStreams.add(stream);
    }

    void nextListing(String streamArn, NextListing next) {
        nextListings.put(streamArn, next);
    }

    void retire(String streamArn) {
        retiredStreams.add(streamArn);
    }

    void lookUpLatestStream(LatestStreamLookup lookup) {
        latestStreamLookups.add(lookup);
    }

    void lookUpChildren(ChildLookup lookup) {
        childLookups.add(lookup);
    }

    void startChildLookupTickNow() {
        startChildLookupTick = true;
    }

    void assign(int subtask, DynamoDbSplit split) {
        assignments.computeIfAbsent(subtask, k -> new ArrayList<>()).add(split);
    }

    void signalNoMoreSplits(int subtask) {
        noMoreSplits.add(subtask);
    }

    void ack(int subtask, List<String> splitIds) {
        acks.put(subtask, splitIds);
    }

    @Override
    public String toString() {
        return "Decisions{newStreams="
                + newStreams
                + ", retired="
                + retiredStreams
                + ", latestStreamLookups="
                + latestStreamLookups
                + ", childLookups="
                + childLookups
                + ", assignments="
                + assignments
                + ", noMoreSplits="
                + noMoreSplits
                + ", acks="
                + acks
                + "}";
    }
}
