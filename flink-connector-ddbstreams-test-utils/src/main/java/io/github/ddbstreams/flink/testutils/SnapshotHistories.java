package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Checks what a snapshot-then-stream job emitted for the items of a {@link VersionedWorkload}
 * table, per item: the rows form one valid history (a SNAPSHOT row only first; every MODIFY and
 * REMOVE starts from the state emitted last, an INSERT from none; versions strictly increase, so no
 * state comes twice and none goes back), the last state is the table's, and after the first emitted
 * state every change the workload made is emitted, in order.
 */
public final class SnapshotHistories {

    private SnapshotHistories() {}

    /** Every item of {@code table} by its {@code pk}, with its version attribute {@code v}. */
    public static Map<String, Long> finalVersions(DynamoDbClient client, String table) {
        Map<String, Long> versions = new HashMap<>();
        client.scanPaginator(r -> r.tableName(table).consistentRead(true))
                .items()
                .forEach(
                        item ->
                                versions.put(
                                        item.get("pk").s(), Long.parseLong(item.get("v").n())));
        return versions;
    }

    /** Each item's last emitted state: its version, or absent if deleted or never emitted. */
    public static Map<String, Long> lastStates(List<ChangeEvent> emitted) {
        Map<String, Long> states = new HashMap<>();
        for (ChangeEvent event : emitted) {
            String key = VersionedWorkload.keyOf(event);
            if (event.getEventName() == ChangeEvent.EventName.REMOVE) {
                states.remove(key);
            } else {
                states.put(key, version(event.getNewImage()));
            }
        }
        return states;
    }

    /**
     * One line per item whose emitted rows break a rule; empty if every item is right.
     *
     * @param finalVersions the table's contents at the end, as {@link #finalVersions} reads them
     */
    public static List<String> check(
            List<ChangeEvent> emitted,
            VersionedWorkload workload,
            Map<String, Long> finalVersions) {
        Map<String, List<ChangeEvent>> byKey = new LinkedHashMap<>();
        for (ChangeEvent event : emitted) {
            byKey.computeIfAbsent(VersionedWorkload.keyOf(event), k -> new ArrayList<>())
                    .add(event);
        }
        TreeSet<String> keys = new TreeSet<>(byKey.keySet());
        keys.addAll(finalVersions.keySet());
        List<String> problems = new ArrayList<>();
        for (String key : keys) {
            String problem =
                    checkItem(
                            byKey.getOrDefault(key, List.of()),
                            workload.expected(key),
                            finalVersions.get(key));
            if (problem != null) {
                problems.add(key + ": " + problem + " in " + describe(byKey.get(key)));
            }
        }
        return problems;
    }

    private static String checkItem(
            List<ChangeEvent> rows, List<String> written, Long finalVersion) {
        Long state = null; // the version emitted last; null: none, or deleted
        long lastVersion = Long.MIN_VALUE;
        List<String> changes = new ArrayList<>();
        Long firstState = null;
        boolean firstWasInsert = false;
        for (int i = 0; i < rows.size(); i++) {
            ChangeEvent row = rows.get(i);
            switch (row.getEventName()) {
                case SNAPSHOT:
                    if (i > 0) {
                        return "a SNAPSHOT row after other rows";
                    }
                    state = version(row.getNewImage());
                    firstState = state;
                    break;
                case INSERT:
                    if (state != null) {
                        return "an INSERT over state v" + state;
                    }
                    state = version(row.getNewImage());
                    if (i == 0) {
                        firstWasInsert = true;
                    }
                    changes.add(VersionedWorkload.describe(row));
                    break;
                case MODIFY:
                case REMOVE:
                    if (state == null || version(row.getOldImage()) != state) {
                        return row.getEventName()
                                + " from v"
                                + version(row.getOldImage())
                                + " but the state emitted last is "
                                + (state == null ? "none" : "v" + state);
                    }
                    changes.add(VersionedWorkload.describe(row));
                    state =
                            row.getEventName() == ChangeEvent.EventName.REMOVE
                                    ? null
                                    : version(row.getNewImage());
                    break;
                default:
                    return "unknown event " + row.getEventName();
            }
            if (state != null) {
                if (state <= lastVersion) {
                    return "version v" + state + " after v" + lastVersion;
                }
                lastVersion = state;
            }
        }
        if (!java.util.Objects.equals(state, finalVersion)) {
            return "last state " + state + " but the table holds " + finalVersion;
        }
        // Every change after the first emitted state, in order.
        List<String> expected;
        if (rows.isEmpty()) {
            return null;
        } else if (firstWasInsert) {
            int at = written.indexOf(VersionedWorkload.describe(rows.get(0)));
            expected = at < 0 ? written : written.subList(at, written.size());
        } else {
            int at = indexOfState(written, firstState);
            expected = at < 0 ? written : written.subList(at + 1, written.size());
        }
        if (!changes.equals(expected)) {
            return "changes " + changes + " but after the first state the table saw " + expected;
        }
        return null;
    }

    /** Where the written change that made version {@code version} is; -1 if none did. */
    private static int indexOfState(List<String> written, long version) {
        for (int i = 0; i < written.size(); i++) {
            String change = written.get(i);
            if ((change.startsWith("INSERT:") || change.startsWith("MODIFY:"))
                    && Long.parseLong(change.substring(change.indexOf(':') + 1)) == version) {
                return i;
            }
        }
        return -1;
    }

    private static long version(Map<String, AttributeValue> image) {
        return Long.parseLong(image.get("v").n());
    }

    private static String describe(List<ChangeEvent> rows) {
        if (rows == null) {
            return "[]";
        }
        List<String> out = new ArrayList<>();
        for (ChangeEvent row : rows) {
            out.add(
                    row.getEventName() == ChangeEvent.EventName.SNAPSHOT
                            ? "SNAPSHOT:" + row.getNewImage().get("v").n()
                            : VersionedWorkload.describe(row));
        }
        return out.toString();
    }
}
