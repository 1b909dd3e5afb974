package io.github.ddbstreams.flink.source.enumerator.assign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.testutils.SampleRecords;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

class SnapshotSegmentsTest {

    private static final String ARN = SampleRecords.STREAM_ARN;

    @Test
    void spreadsSegmentsEvenlyOverTheReaders() {
        SnapshotSegments segments = new SnapshotSegments(ARN, "orders", 7);

        Map<Integer, List<ScanSegmentSplit>> handed = segments.handOut(List.of(0, 1, 2));

        assertThat(handed.get(0)).extracting(ScanSegmentSplit::getSegment).containsExactly(0, 3, 6);
        assertThat(handed.get(1)).extracting(ScanSegmentSplit::getSegment).containsExactly(1, 4);
        assertThat(handed.get(2)).extracting(ScanSegmentSplit::getSegment).containsExactly(2, 5);
        assertThat(segments.pending()).isEmpty();
        assertThat(segments.handOut(List.of(0, 1, 2))).isEmpty();
    }

    @Test
    void givenBackSegmentsGoToTheLeastLoadedReaderWithTheirProgress() {
        SnapshotSegments segments = new SnapshotSegments(ARN, "orders", 4);
        Map<Integer, List<ScanSegmentSplit>> handed = segments.handOut(List.of(0, 1));
        ScanSegmentSplit progressed =
                handed.get(1).get(0).after(Map.of("pk", AttributeValue.fromS("k9")));

        segments.givenBack(progressed);
        Map<Integer, List<ScanSegmentSplit>> again = segments.handOut(List.of(0, 1));

        // Subtask 0 still holds two segments, subtask 1 one: the given-back segment goes to 1.
        assertThat(again).containsOnlyKeys(1);
        assertThat(again.get(1)).containsExactly(progressed);
    }

    @Test
    void isReadWhenEveryReaderFinishedItsSegments() {
        SnapshotSegments segments = new SnapshotSegments(ARN, "orders", 2);
        Map<Integer, List<ScanSegmentSplit>> handed = segments.handOut(List.of(0));

        assertThat(segments.finished(handed.get(0).get(0).splitId())).isTrue();
        assertThat(segments.allRead()).isFalse();
        assertThat(segments.finished("some-other-split")).isFalse();
        assertThat(segments.finished(handed.get(0).get(1).splitId())).isTrue();

        assertThat(segments.allRead()).isTrue();
        assertThat(segments.read()).containsExactlyInAnyOrder(0, 1);
        // A segment given back after it was read (a stale copy) stays read.
        segments.givenBack(handed.get(0).get(0));
        assertThat(segments.pending()).isEmpty();
    }

    @Test
    void restoresPendingAndReadSegmentsAndLeavesTheRestWithTheReaders() {
        ScanSegmentSplit progressed =
                ScanSegmentSplit.unread(ARN, "orders", 2, 4)
                        .after(Map.of("pk", AttributeValue.fromS("k1")));

        SnapshotSegments restored =
                SnapshotSegments.restore(ARN, "orders", 4, List.of(progressed), List.of(0));

        assertThat(restored.pending()).containsExactly(progressed);
        assertThat(restored.read()).containsExactly(0);
        assertThat(restored.handOut(List.of(5))).containsOnlyKeys(5);
        restored.finished(ScanSegmentSplit.unread(ARN, "orders", 1, 4).splitId());
        restored.finished(progressed.splitId());
        assertThat(restored.allRead()).isFalse();
        restored.finished(ScanSegmentSplit.unread(ARN, "orders", 3, 4).splitId());
        assertThat(restored.allRead()).isTrue();
    }

    @Test
    void refusesSegmentsOfAnotherSnapshot() {
        SnapshotSegments segments = new SnapshotSegments(ARN, "orders", 4);

        assertThatThrownBy(() -> segments.givenBack(ScanSegmentSplit.unread(ARN, "orders", 1, 8)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 segments of table orders");
        assertThatThrownBy(
                        () ->
                                SnapshotSegments.restore(
                                        ARN,
                                        "orders",
                                        4,
                                        List.of(ScanSegmentSplit.unread(ARN, "orders", 1, 4)),
                                        List.of(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment 1");
    }
}
