package io.github.ddbstreams.flink.source.enumerator.assign;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.annotation.Internal;

/**
 * The child lookups of finished shards that found no children yet, and when to repeat each.
 * DynamoDB Streams' listing can show a closed shard before its children; without a repeat, such
 * children would wait for the next periodic discovery, and the discovery interval would become the
 * rollover gap. Repeats back off (250 ms, doubling) and stop once the next one would come later
 * than the discovery interval after the shard finished: from then on the periodic listing finds the
 * children as soon as a repeat could. A shard with no children ever (its stream was disabled) thus
 * costs a few DescribeStream calls, not a steady stream of them.
 *
 * <p>Plain Java, not thread-safe: the enumerator uses it on its coordinator thread only.
 */
@Internal
public final class ChildLookupRetries {
    /** The first repeat's delay; later ones double it. */
    public static final long FIRST_DELAY_MILLIS = 250;

    /** One finished shard's repeats. */
    private static final class Pending {
        final String streamArn;
        final String shardId;
        final long firstLookupMillis;
        long delayMillis = FIRST_DELAY_MILLIS;
        long dueMillis;

        Pending(String streamArn, String shardId, long nowMillis) {
            this.streamArn = streamArn;
            this.shardId = shardId;
            this.firstLookupMillis = nowMillis;
        }
    }

    /** A lookup to run now: which stream, which finished shard. */
    static final class Due {
        final String streamArn;
        final String shardId;

        private Due(String streamArn, String shardId) {
            this.streamArn = streamArn;
            this.shardId = shardId;
        }
    }

    private final long giveUpAfterMillis;

    /** By split id ({@code STREAM_ARN/SHARD_ID}); waiting or in flight. */
    private final Map<String, Pending> pending = new LinkedHashMap<>();

    /**
     * @param giveUpAfterMillis the discovery interval: repeats end within it
     */
    ChildLookupRetries(long giveUpAfterMillis) {
        this.giveUpAfterMillis = giveUpAfterMillis;
    }

    /**
     * A lookup of {@code shardId}'s children found none (or failed): schedules the next one.
     *
     * @return whether one was scheduled; false once the repeats would outlast the interval
     */
    boolean lookupFoundNothing(String splitId, String streamArn, String shardId, long nowMillis) {
        Pending p = pending.get(splitId);
        if (p == null) {
            p = new Pending(streamArn, shardId, nowMillis);
        } else {
            p.delayMillis *= 2;
        }
        long due = nowMillis + p.delayMillis;
        if (due - p.firstLookupMillis > giveUpAfterMillis) {
            pending.remove(splitId);
            return false;
        }
        p.dueMillis = due;
        pending.put(splitId, p);
        return true;
    }

    /** The shard's children are known: no more repeats. */
    void childrenFound(String splitId) {
        pending.remove(splitId);
    }

    /** The lookups due at {@code nowMillis}; each is then in flight until its answer comes. */
    List<Due> takeDue(long nowMillis) {
        List<Due> due = new ArrayList<>();
        for (Pending p : pending.values()) {
            if (p.dueMillis != Long.MAX_VALUE && nowMillis >= p.dueMillis) {
                due.add(new Due(p.streamArn, p.shardId));
                p.dueMillis = Long.MAX_VALUE; // in flight
            }
        }
        return due;
    }

    /** Finished shards still waiting for their children, repeats scheduled or in flight. */
    int size() {
        return pending.size();
    }
}
