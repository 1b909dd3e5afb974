package io.github.ddbstreams.flink.source.snapshot;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;

/**
 * How the merge learns that a table's snapshot is over. A reader that emitted a segment's last row
 * emits a segment end after it: a {@link ChangeEvent.EventName#SNAPSHOT} event without key
 * attributes (no row of an item lacks them), naming the segment ({@code scan-K-of-N}) as its shard
 * and the time it was emitted as its creation time, which is later than every row of the segment
 * was read. It reaches every subtask of the merge, which records it under {@code TABLE|K|N}; once
 * all N are recorded, the table's snapshot ended at the latest of their times, E. A snapshot row is
 * never late on the progress clock (it is emitted with its read time, which is ahead of every
 * shard's clock), so once the merge's clock passes E plus the maximum stream lag, every row of the
 * table's snapshot has come: the table is <b>over</b> ({@code TABLE|over}) and the merge needs no
 * state for its items any more.
 */
@Internal
public final class SegmentEnds {

    private static final Pattern SEGMENT = Pattern.compile("scan-(\\d+)-of-(\\d+)");
    private static final String OVER = "over";

    private SegmentEnds() {}

    /** The segment end of {@code shardIdOfRows} ({@code scan-K-of-N}) of a snapshot's stream. */
    public static ChangeEvent of(String streamArn, String shardIdOfRows, Instant emittedAt) {
        if (!SEGMENT.matcher(shardIdOfRows).matches()) {
            throw new IllegalArgumentException("Not a Scan segment: " + shardIdOfRows);
        }
        return ChangeEvent.builder()
                .streamArn(streamArn)
                .shardId(shardIdOfRows)
                .sequenceNumber(shardIdOfRows)
                .eventName(ChangeEvent.EventName.SNAPSHOT)
                .approximateCreationTime(emittedAt)
                .build();
    }

    /** Whether {@code event} is a segment end rather than a row or a change. */
    public static boolean isSegmentEnd(ChangeEvent event) {
        return event.getEventName() == ChangeEvent.EventName.SNAPSHOT && event.getKeys().isEmpty();
    }

    /** The key a segment end is recorded under: {@code TABLE|K|N}. */
    static String recordKey(ChangeEvent end) {
        Matcher segment = SEGMENT.matcher(end.getShardId());
        if (!isSegmentEnd(end) || !segment.matches()) {
            throw new IllegalArgumentException("Not a segment end: " + end);
        }
        return end.getTableName() + '|' + segment.group(1) + '|' + segment.group(2);
    }

    /** The key that says the snapshot of {@code table} is over: {@code TABLE|over}. */
    static String overKey(String table) {
        return table + '|' + OVER;
    }

    /** The keys of {@code table}'s recorded segment ends ({@code TABLE|K|N}). */
    static List<String> recordedKeys(Iterable<Map.Entry<String, Long>> recorded, String table) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, Long> entry : recorded) {
            String key = entry.getKey();
            if (key.startsWith(table + '|') && !key.equals(overKey(table))) {
                keys.add(key);
            }
        }
        return keys;
    }

    /** The table of an item's key ({@link ItemKeySelector}) or of a recorded key. */
    static String tableOf(String key) {
        return key.substring(0, key.indexOf('|'));
    }

    /**
     * The tables whose every segment end is recorded in {@code recorded} and whose snapshot is not
     * over yet, each with the time its snapshot ended (the latest of its segment ends).
     */
    static Map<String, Long> ended(Iterable<Map.Entry<String, Long>> recorded) {
        Map<String, Integer> segments = new HashMap<>();
        Map<String, Integer> counted = new HashMap<>();
        Map<String, Long> endedAt = new HashMap<>();
        List<String> over = new ArrayList<>();
        for (Map.Entry<String, Long> entry : recorded) {
            String[] parts = entry.getKey().split("\\|");
            if (parts.length == 2 && OVER.equals(parts[1])) {
                over.add(parts[0]);
                continue;
            }
            segments.put(parts[0], Integer.parseInt(parts[2]));
            counted.merge(parts[0], 1, Integer::sum);
            endedAt.merge(parts[0], entry.getValue(), Math::max);
        }
        Map<String, Long> ended = new HashMap<>();
        segments.forEach(
                (table, total) -> {
                    if (counted.get(table).equals(total) && !over.contains(table)) {
                        ended.put(table, endedAt.get(table));
                    }
                });
        return ended;
    }
}
