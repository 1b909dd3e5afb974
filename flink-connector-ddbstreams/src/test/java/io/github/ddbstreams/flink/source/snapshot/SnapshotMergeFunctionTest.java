package io.github.ddbstreams.flink.source.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
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

    private KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent> harness;

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
        harness.processElement(row("a", 1, 1_000), 1_000);
        harness.processWatermark(5_999);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.processWatermark(6_000);

        assertThat(versions(harness.extractOutputValues())).containsExactly("SNAPSHOT a v1");
        assertThat(counter("snapshotRowsReleased")).isEqualTo(1);
        assertThat(counter("snapshotRowsHeld")).isZero();
    }

    @Test
    void aChangeToAHeldItemDropsTheRowAndEmitsTheChangesPriorStateFirst() throws Exception {
        harness.processElement(row("a", 2, 1_000), 1_000); // read after the change below
        harness.processElement(modify("a", 1, 2, 900), 900);
        harness.processWatermark(100_000);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly("SNAPSHOT a v1", "MODIFY a v1->v2");
        assertThat(counter("snapshotRowsDroppedStreamHadItem")).isEqualTo(1);
    }

    @Test
    void aRowReadAfterTheStreamTookTheItemOverIsDropped() throws Exception {
        harness.processElement(modify("a", 1, 2, 900), 900);
        harness.processElement(row("a", 2, 1_000), 1_000);
        harness.processWatermark(100_000);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly("SNAPSHOT a v1", "MODIFY a v1->v2");
    }

    @Test
    void aChangeAfterTheReleaseFollowsTheRowAndALateOneIsRepairedToFollowIt() throws Exception {
        harness.processElement(row("a", 1, 1_000), 1_000);
        harness.processElement(row("b", 2, 1_000), 1_000);
        harness.processWatermark(6_000);
        harness.processElement(modify("a", 1, 2, 7_000), 7_000); // starts from the row
        // b's row was read after v1->v2 was made; the change appeared past the margin.
        harness.processElement(modify("b", 1, 2, 900), 900);

        assertThat(versions(harness.extractOutputValues()))
                .containsExactly(
                        "SNAPSHOT a v1", "SNAPSHOT b v2", "MODIFY a v1->v2", "MODIFY b v2->v2");
        assertThat(counter("snapshotLateChangesRepaired")).isEqualTo(1);
    }

    @Test
    void aHeldRowSurvivesASnapshotAndIsReleasedOnceAfterTheRestore() throws Exception {
        harness.processElement(row("a", 1, 1_000), 1_000);
        harness.processElement(modify("b", 1, 2, 900), 900);
        OperatorSubtaskState state = harness.snapshot(1, 1);
        harness.close();

        harness = newHarness();
        harness.initializeState(state);
        harness.open();
        harness.processElement(row("b", 2, 1_000), 1_000); // b is the stream's: dropped
        harness.processWatermark(6_000);
        harness.processWatermark(100_000);

        assertThat(versions(harness.extractOutputValues())).containsExactly("SNAPSHOT a v1");
    }

    // ------------------------------------------------------------------ helpers

    private static KeyedOneInputStreamOperatorTestHarness<String, ChangeEvent, ChangeEvent>
            newHarness() throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new SnapshotMergeFunction(MARGIN, LATE_WINDOW)),
                new ItemKeySelector(),
                Types.STRING);
    }

    @SuppressWarnings("unchecked")
    private long counter(String name) {
        KeyedProcessOperator<String, ChangeEvent, ChangeEvent> operator =
                (KeyedProcessOperator<String, ChangeEvent, ChangeEvent>) harness.getOperator();
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
