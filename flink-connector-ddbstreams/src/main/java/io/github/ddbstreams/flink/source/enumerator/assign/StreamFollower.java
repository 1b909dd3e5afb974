package io.github.ddbstreams.flink.source.enumerator.assign;

import io.github.ddbstreams.flink.arn.StreamArns;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Orders the streams of one table, and finds the table's new stream when its stream was disabled
 * ({@code source.on-stream-disabled} = {@code FOLLOW_NEW_STREAM}).
 *
 * <p>Disabling and enabling a table's stream again makes a new stream (new ARN); the old one stays
 * readable 24 h. An item's changes in the new stream come after those in the old one, so a stream's
 * shards are assigned only once every older stream of its table read here is read to its end. The
 * order comes from the ARNs (a stream's label is its creation time), not from stored state: a
 * restored checkpoint that holds both streams orders them the same way, and the checkpoint format
 * stays as it was. It holds for every source, with or without following: two streams of one table
 * are never read side by side.
 *
 * <p>Part of the {@link SplitPlanner}'s state, coordinator thread only. It decides the look-ups of
 * a table's latest stream; the enumerator makes them and reports their answers.
 */
final class StreamFollower {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFollower.class);

    private final EnumeratorSettings settings;

    /** The planner's streams, by ARN; shared, not copied. */
    private final Map<String, TrackedStream> streams;

    private final UnconfirmedFinishes unconfirmedFinishes;

    /** Tables whose latest stream is being looked up now. */
    private final Set<String> lookingUp = new HashSet<>();

    /** When each table's latest stream may be looked up again: once per discovery interval. */
    private final Map<String, Long> nextLookupMillis = new HashMap<>();

    StreamFollower(
            EnumeratorSettings settings,
            Map<String, TrackedStream> streams,
            UnconfirmedFinishes unconfirmedFinishes) {
        this.settings = settings;
        this.streams = streams;
        this.unconfirmedFinishes = unconfirmedFinishes;
    }

    /**
     * Whether an older stream of {@code stream}'s table is read here and not read to its end, or a
     * finish of one of its shards may still be taken back by a failover (no completed checkpoint
     * holds it yet): the subtask that reported it would then read the shard's tail again.
     */
    boolean waitsForOlderStream(TrackedStream stream) {
        for (TrackedStream other : streams.values()) {
            if (StreamArns.isNewerStreamOfSameTable(stream.streamArn, other.streamArn)
                    && (!other.readToItsEnd()
                            || unconfirmedFinishes.anyOfStream(other.streamArn))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a newer stream of {@code stream}'s table is read here. */
    boolean isFollowed(TrackedStream stream) {
        return newerStreamOf(stream) != null;
    }

    /**
     * At restore: a stream whose shards are all finished and whose table's newer stream already got
     * readers was read to its end before the checkpoint (the newer one waits for that), so it is
     * retired at once rather than listed again, which would fail once it is gone (24 h after its
     * disable).
     */
    void trustRestoredEnds() {
        for (TrackedStream stream : streams.values()) {
            String newer = newerStreamOf(stream);
            if (newer != null
                    && stream.everyShardFinished()
                    && streams.get(newer).anyShardHandedOut()) {
                stream.restoredAsReadToItsEnd();
            }
        }
    }

    /**
     * Retires the streams that are read to their ends and followed by a newer one.
     *
     * @return the ARNs of the streams retired now
     */
    List<String> retireFollowedStreams() {
        List<String> retired = new ArrayList<>();
        for (TrackedStream stream : streams.values()) {
            if (!stream.isRetired() && stream.readToItsEnd()) {
                String newer = newerStreamOf(stream);
                if (newer != null) {
                    stream.retire();
                    retired.add(stream.streamArn);
                    LOG.info(
                            "Stream {} is read to its end and its table's newer stream {} is read:"
                                    + " it is no longer listed",
                            stream.streamArn,
                            newer);
                }
            }
        }
        return retired;
    }

    /**
     * After a listing of {@code stream}: if following is on and the listing showed it disabled,
     * asks for its table's latest stream, at most once per discovery interval.
     */
    void afterListing(TrackedStream stream, long now, Decisions decisions) {
        String table = stream.tableName;
        if (!settings.followNewStream()
                || !stream.isDisabled()
                || table == null
                || isFollowed(stream)
                || lookingUp.contains(table)
                || now < nextLookupMillis.getOrDefault(table, Long.MIN_VALUE)) {
            return;
        }
        lookingUp.add(table);
        nextLookupMillis.put(table, now + settings.discoveryIntervalMillis());
        decisions.lookUpLatestStream(new Decisions.LatestStreamLookup(table, stream.streamArn));
    }

    /**
     * The look-up of {@code table}'s latest stream answered.
     *
     * @param latest the table's latest stream; null if the look-up failed or found none
     * @return whether {@code latest} is the disabled stream's successor, to be read now
     */
    boolean latestStreamFound(String table, TrackedStream disabled, @Nullable String latest) {
        lookingUp.remove(table);
        return latest != null
                && !streams.containsKey(latest)
                && !isFollowed(disabled)
                && StreamArns.isNewerStreamOfSameTable(latest, disabled.streamArn);
    }

    @Nullable
    private String newerStreamOf(TrackedStream stream) {
        for (String arn : streams.keySet()) {
            if (StreamArns.isNewerStreamOfSameTable(arn, stream.streamArn)) {
                return arn;
            }
        }
        return null;
    }
}
