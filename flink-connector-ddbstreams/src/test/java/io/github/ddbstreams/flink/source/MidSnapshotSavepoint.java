package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeTable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The table, stream and changes of the mid-snapshot savepoints ({@code savepoints/v3-snapshot/...},
 * see {@link DynamoDbStreamsSourceMigrationITCase}): what the generator's snapshot-then-stream job
 * saw before its savepoint, and what a restored job must emit. Never change any of it: the
 * committed savepoints hold its Scan keys, shard ids and sequence numbers.
 *
 * <p>Table {@code fake}: {@code item-00} .. {@code item-15} at version 1, read in {@value
 * #SEGMENTS} segments of pages of {@value #PAGE_SIZE} ({@link FakeTable#segmentOf}):
 *
 * <pre>
 *   segment 0: item-02 item-06 | item-13                  finished (2 pages)
 *   segment 1: item-03 item-07 | item-10 item-14 | (empty) finished (3 pages)
 *   segment 2: item-00 item-04 | item-08 item-11 | item-15 part-read: 1 page, resumes after item-04
 *   segment 3: item-01 item-05 | item-09 item-12          unread (throttled by the generator)
 * </pre>
 *
 * Stream: two open shards, A and B, read from where they were when the job started (LATEST). After
 * the first pages, {@link #changesBeforeSavepoint} writes item-02 v2 (its row read: the change
 * takes it over), item-05 v2 and a delete of item-09 (segment 3, unread: the stream owns them
 * before their rows are read) and inserts new-02 (of segment 3 too). So the savepoint holds, in the
 * merge, 8 rows HELD (item-06, item-13, item-03, item-07, item-10, item-14, item-00, item-04: no
 * row is released while a segment is unread, whose split holds the watermark back), and 4 items
 * STREAM_OWNED (item-02, item-05, item-09, new-02); in the source, segments 0 and 1 read, segment 2
 * after item-04, segment 3 from its start, and A and B after their last change.
 */
final class MidSnapshotSavepoint {

    static final int SEGMENTS = 4;
    static final int PAGE_SIZE = 2;

    /** The name given to {@code addTo}: the operators' uids derive from it. */
    static final String NAME = "snapshot-migration";

    /** The segment read part of the way, and the last key read of it. */
    static final int PART_READ_SEGMENT = 2;

    static final String PART_READ_AFTER = "item-04";
    static final int UNREAD_SEGMENT = 3;

    /** Pages of segments 0, 1 and 2 the generator's job read (the last of 0 and 1: no key). */
    static final int[] PAGES_READ = {2, 3, 1, 0};

    /**
     * What the generator's job emitted before the savepoint, per item ({@link #describe}): the
     * changes of {@link #changesBeforeSavepoint}, each after its prior state taken from the old
     * image.
     */
    static final Map<String, List<String>> EMITTED_BEFORE_SAVEPOINT =
            Map.of(
                    "item-02", List.of("SNAPSHOT:1", "MODIFY:1>2"),
                    "item-05", List.of("SNAPSHOT:1", "MODIFY:1>2"),
                    "item-09", List.of("SNAPSHOT:1", "REMOVE:1"),
                    "new-02", List.of("INSERT:1"));

    /**
     * Each item's whole history over the generator's run and a restored one that read the rest of
     * the table and saw {@link #changesAfterRestore}: one SNAPSHOT row or the stream's first
     * change, then every change once, in order. A held row is released once, or not at all if a
     * change took its item over; a row read after the stream took its item over is dropped.
     */
    static Map<String, List<String>> histories() {
        Map<String, List<String>> histories = new TreeMap<>();
        for (int i = 0; i < 16; i++) {
            histories.put(item(i), List.of("SNAPSHOT:1"));
        }
        histories.put("item-02", List.of("SNAPSHOT:1", "MODIFY:1>2", "MODIFY:2>3"));
        histories.put("item-04", List.of("SNAPSHOT:1", "REMOVE:1"));
        histories.put("item-05", List.of("SNAPSHOT:1", "MODIFY:1>2", "MODIFY:2>3"));
        histories.put("item-07", List.of("SNAPSHOT:1", "MODIFY:1>2"));
        histories.put("item-09", List.of("SNAPSHOT:1", "REMOVE:1"));
        histories.put("item-11", List.of("SNAPSHOT:1", "MODIFY:1>2"));
        histories.put("new-00", List.of("INSERT:1"));
        histories.put("new-02", List.of("INSERT:1"));
        return histories;
    }

    /** The fake table and its stream; see the class Javadoc. */
    record Setup(FakeTable table, FakeStreamsClient stream, String shardA, String shardB) {}

    /** The table and stream as the generator's job started on them. */
    static Setup tableAndStream() {
        FakeStreamsClient stream = new FakeStreamsClient();
        String a = stream.addShard(null);
        String b = stream.addShard(null);
        FakeTable table = new FakeTable("fake");
        for (int i = 0; i < 16; i++) {
            table.load(item(i), 1);
        }
        return new Setup(table, stream, a, b);
    }

    /** Written after the job's first Scan pages, before the savepoint. */
    static void changesBeforeSavepoint(Setup s) {
        s.table.put(s.stream, s.shardA, "item-02", 2); // segment 0, read: its held row dropped
        s.table.put(s.stream, s.shardB, "item-05", 2); // segment 3, unread
        s.table.delete(s.stream, s.shardA, "item-09"); // segment 3, unread
        s.table.put(s.stream, s.shardB, "new-02", 1); // segment 3: its row will be dropped
    }

    /**
     * Written once the restored job runs: {@code first} the changes to items whose rows are held or
     * unread, then (not first) more changes to items the stream owns and an insert.
     */
    static void changesAfterRestore(Setup s, boolean first) {
        if (first) {
            s.table.put(s.stream, s.shardA, "item-07", 2); // held (segment 1)
            s.table.delete(s.stream, s.shardB, "item-04"); // held (segment 2's first page)
            s.table.put(s.stream, s.shardA, "item-11", 2); // unread (segment 2's second page)
        } else {
            s.table.put(s.stream, s.shardA, "item-02", 3);
            s.table.put(s.stream, s.shardB, "item-05", 3);
            s.table.put(s.stream, s.shardB, "new-00", 1); // segment 1, read before the savepoint
        }
    }

    /** Emitted rows per item, {@link #describe}d, in order. */
    static Map<String, List<String>> byItem(List<ChangeEvent> emitted) {
        Map<String, List<String>> byItem = new LinkedHashMap<>();
        for (ChangeEvent event : emitted) {
            byItem.computeIfAbsent(event.getKeys().get(FakeTable.KEY).s(), k -> new ArrayList<>())
                    .add(describe(event));
        }
        return byItem;
    }

    /** {@code SNAPSHOT:v}, {@code INSERT:v}, {@code MODIFY:old>new} or {@code REMOVE:old}. */
    static String describe(ChangeEvent event) {
        switch (event.getEventName()) {
            case SNAPSHOT:
            case INSERT:
                return event.getEventName() + ":" + version(event.getNewImage());
            case MODIFY:
                return "MODIFY:"
                        + version(event.getOldImage())
                        + ">"
                        + version(event.getNewImage());
            case REMOVE:
                return "REMOVE:" + version(event.getOldImage());
            default:
                return event.toString();
        }
    }

    private static String version(Map<String, AttributeValue> image) {
        return image == null ? "none" : image.get(FakeTable.VERSION).n();
    }

    private static String item(int i) {
        return String.format("item-%02d", i);
    }

    private MidSnapshotSavepoint() {}
}
