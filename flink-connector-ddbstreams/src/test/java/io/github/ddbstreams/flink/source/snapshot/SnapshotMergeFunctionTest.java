package io.github.ddbstreams.flink.source.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The merge as an operator: keyed state, event-time timers driven by the source's progress clock
 * (watermarks), and its state across a snapshot and restore.
 */
class SnapshotMergeFunctionTest {

    private static final String ARN =
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
    private static final long MARGIN = 5_000;
    private static final long LATE_WINDOW = 60_000;

    private KeyedTwoInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent, ChangeEvent>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    @Test
    void aRowIsHeldUntilTheProgressClockPassesItsReadTimePlusTheMargin() throws Exception {
        element(row("a", 1, 1_000), 1_000);
        watermark(5_999);
        assertThat(harness.extractOutputValues()).isEmpty();

        watermark(6_000);

        assertThat(versions(harness.extractOutputValues())).containsExactly("SNAPSHOT a v1");
        assertThat(counter("snapshotRowsReleased")).isEqualTo(1);
        assertThat(counter("snapshotRowsHeld")).isZero();
    }

    @Test
    void aChangeToAHeldItemDropsTheRowAndEmitsTheChangesPriorStateFirst() throws Exception {
        element(row("a", 2, 1_000), 1_000); // read after the change below
        element(modify("a", 1, 2, 900), 900);
        watermark(100_000);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly("SNAPSHOT a v1", "MODIFY a v1->v2");
        assertThat(counter("snapshotRowsDroppedStreamHadItem")).isEqualTo(1);
    }

    @Test
    void aRowReadAfterTheStreamTookTheItemOverIsDropped() throws Exception {
        element(modify("a", 1, 2, 900), 900);
        element(row("a", 2, 1_000), 1_000);
        watermark(100_000);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly("SNAPSHOT a v1", "MODIFY a v1->v2");
    }

    @Test
    void aChangeAfterTheReleaseFollowsTheRowAndALateOneIsRepairedToFollowIt() throws Exception {
        element(row("a", 1, 1_000), 1_000);
        element(row("b", 2, 1_000), 1_000);
        watermark(6_000);
        element(modify("a", 1, 2, 7_000), 7_000); // starts from the row
        // b's row was read after v1->v2 was made; the change appeared past the margin.
        element(modify("b", 1, 2, 900), 900);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly(
                        "SNAPSHOT a v1", "SNAPSHOT b v2", "MODIFY a v1->v2", "MODIFY b v2->v2");
        assertThat(counter("snapshotLateChangesRepaired")).isEqualTo(1);
    }

    @Test
    void aHeldRowSurvivesASnapshotAndIsReleasedOnceAfterTheRestore() throws Exception {
        element(row("a", 1, 1_000), 1_000);
        element(modify("b", 1, 2, 900), 900);
        OperatorSubtaskState state = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness();
        harness.initializeState(state);
        harness.open();
        element(row("b", 2, 1_000), 1_000); // b is the stream's: dropped
        watermark(6_000);
        watermark(100_000);

        assertThat(versions(harness.extractOutputValues())).containsExactly("SNAPSHOT a v1");
    }

    @Test
    void onceTheClockPassesTheSnapshotsEndTheItemsKeepNoState() throws Exception {
        element(row("a", 1, 1_000), 1_000);
        element(modify("b", 1, 2, 900), 900);
        segmentEnd(0, 2, 1_500);
        segmentEnd(1, 2, 2_000); // the snapshot ended at 2,000; over at 2,000 + margin
        watermark(6_999);
        assertThat(harness.numKeyedStateEntries()).as("a released, b the stream's").isEqualTo(3);

        watermark(7_000);
        // b's status is gone; a's released row stays for its late window.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        watermark(6_000 + LATE_WINDOW);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(counter("snapshotItemStatesCleared")).isEqualTo(2);

        // Afterwards changes go out as they are, and leave nothing behind.
        element(modify("a", 1, 2, 70_000), 70_000);
        element(modify("c", 4, 5, 70_000), 70_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(versions(harness.extractOutputValues()))
                .containsExactly(
                        "SNAPSHOT b v1",
                        "MODIFY b v1->v2",
                        "SNAPSHOT a v1",
                        "MODIFY a v1->v2",
                        "MODIFY c v4->v5");
    }

    @Test
    void withASegmentEndMissingTheSnapshotIsNotOver() throws Exception {
        element(modify("b", 1, 2, 900), 900);
        segmentEnd(1, 2, 2_000);
        watermark(100_000);

        // c's first change still brings its prior state as its snapshot row.
        element(modify("c", 4, 5, 100_000), 100_000);
        assertThat(versions(harness.extractOutputValues()))
                .containsExactly(
                        "SNAPSHOT b v1", "MODIFY b v1->v2", "SNAPSHOT c v4", "MODIFY c v4->v5");
        assertThat(harness.numKeyedStateEntries()).isEqualTo(2);
        assertThat(counter("snapshotItemStatesCleared")).isZero();
    }

    @Test
    void segmentEndsAndTheSnapshotsEndSurviveARestore() throws Exception {
        element(modify("b", 1, 2, 900), 900);
        segmentEnd(0, 2, 1_500);
        OperatorSubtaskState state = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness();
        harness.initializeState(state);
        harness.open();
        segmentEnd(1, 2, 2_000);
        watermark(7_000);
        assertThat(harness.numKeyedStateEntries()).isZero();
        SnapshotMergeOperator operator = (SnapshotMergeOperator) harness.getOperator();
        assertThat(
                        operator.getOperatorStateBackend()
                                .getBroadcastState(SnapshotMergeFunction.ENDS)
                                .immutableEntries())
                .as("only the table's end is kept once it is over")
                .extracting(Map.Entry::getKey)
                .containsExactly("orders|over");
        OperatorSubtaskState over = harness.snapshot(2, 2);
        harness.close();

        harness = newHarness();
        harness.initializeState(over);
        harness.open();
        element(modify("d", 1, 2, 8_000), 8_000);
        assertThat(versions(harness.extractOutputValues())).containsExactly("MODIFY d v1->v2");
        assertThat(harness.numKeyedStateEntries()).isZero();
    }

    // ------------------------------------------------------------------ helpers

    private static KeyedTwoInputStreamOperatorTestHarness<
                    String, ChangeEvent, ChangeEvent, ChangeEvent>
            newHarness() throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new SnapshotMergeOperator(new SnapshotMergeFunction(MARGIN, LATE_WINDOW)),
                new ItemKeySelector(),
                null,
                Types.STRING);
    }

    private void element(ChangeEvent event, long timestamp) throws Exception {
        harness.processElement1(event, timestamp);
    }

    /** The progress clock, on both inputs (they come from the same source). */
    private void watermark(long millis) throws Exception {
        harness.processBothWatermarks(new Watermark(millis));
    }

    /** The segment end of segment {@code segment} of {@code total}, emitted at {@code atMillis}. */
    private void segmentEnd(int segment, int total, long atMillis) throws Exception {
        harness.processElement2(
                SegmentEnds.of(
                        ARN, "scan-" + segment + "-of-" + total, Instant.ofEpochMilli(atMillis)),
                Long.MIN_VALUE);
    }

    private long counter(String name) {
        SnapshotMergeOperator operator = (SnapshotMergeOperator) harness.getOperator();
        return ((SnapshotMergeFunction) operator.getUserFunction()).count(name);
    }

    private static Map<String, AttributeValue> item(String key, int version) {
        return Map.of("pk", AttributeValue.fromS(key), "v", AttributeValue.fromN("" + version));
    }

    private static ChangeEvent row(String key, int version, long readAtMillis) {
        return ChangeEvent.builder()
                .streamArn(ARN)
                .shardId("scan-0-of-1")
                .eventName(ChangeEvent.EventName.SNAPSHOT)
                .approximateCreationTime(Instant.ofEpochMilli(readAtMillis))
                .keys(Map.of("pk", AttributeValue.fromS(key)))
                .newImage(item(key, version))
                .build();
    }

    private static ChangeEvent modify(String key, int from, int to, long createdMillis) {
        return ChangeEvent.builder()
                .streamArn(ARN)
                .shardId("shardId-1")
                .sequenceNumber("" + createdMillis)
                .eventName(ChangeEvent.EventName.MODIFY)
                .approximateCreationTime(Instant.ofEpochMilli(createdMillis))
                .keys(Map.of("pk", AttributeValue.fromS(key)))
                .oldImage(item(key, from))
                .newImage(item(key, to))
                .build();
    }

    private static List<String> versions(List<ChangeEvent> events) {
        return events.stream()
                .map(
                        e ->
                                e.getEventName()
                                        + " "
                                        + e.getKeys().get("pk").s()
                                        + " "
                                        + (e.hasOldImage()
                                                ? "v" + e.getOldImage().get("v").n() + "->"
                                                : "")
                                        + "v"
                                        + e.getNewImage().get("v").n())
                .toList();
    }
}
