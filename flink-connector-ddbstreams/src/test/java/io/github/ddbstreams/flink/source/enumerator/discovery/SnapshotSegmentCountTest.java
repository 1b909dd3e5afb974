package io.github.ddbstreams.flink.source.enumerator.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;

class SnapshotSegmentCountTest {

    private static final long MB = 1L << 20;

    private final AtomicInteger describeCalls = new AtomicInteger();

    private Supplier<TableDescription> tableOf(Long bytes) {
        return () -> {
            describeCalls.incrementAndGet();
            return TableDescription.builder().tableName("orders").tableSizeBytes(bytes).build();
        };
    }

    @Test
    void aConfiguredCountWinsAndTheTableIsNotDescribed() {
        assertThat(SnapshotSegmentCount.of(7, tableOf(100_000 * MB), 2)).isEqualTo(7);
        assertThat(describeCalls).hasValue(0);
    }

    @Test
    void aSmallTableGetsFourSegmentsPerSubtask() {
        assertThat(SnapshotSegmentCount.of(0, tableOf(10 * MB), 3)).isEqualTo(12);
        assertThat(SnapshotSegmentCount.of(0, tableOf(0L), 1)).isEqualTo(4);
        assertThat(SnapshotSegmentCount.of(0, tableOf(null), 2)).isEqualTo(8); // size unknown
        assertThat(describeCalls).hasValue(3);
    }

    @Test
    void aLargeTableGetsOneSegmentPer256Megabytes() {
        // 100 GB: 400 segments, more than 4 per subtask of 8.
        assertThat(SnapshotSegmentCount.of(0, tableOf(100L * 1024 * MB), 8)).isEqualTo(400);
        assertThat(SnapshotSegmentCount.of(0, tableOf(256 * MB + 1), 0)).isEqualTo(4);
        // Scan's limit caps it.
        assertThat(SnapshotSegmentCount.of(0, tableOf(Long.MAX_VALUE / 2), 8)).isEqualTo(1_000_000);
    }

    @Test
    void aPlanTellsTheTablesItemCountAndSurvivesADescribeFailureWhenSegmentsAreGiven() {
        Supplier<TableDescription> refused =
                () -> {
                    throw new IllegalStateException("not authorized to DescribeTable");
                };
        assertThat(SnapshotSegmentCount.plan(6, refused, 2))
                .isEqualTo(new SnapshotSegmentCount.Plan(6, -1));

        Supplier<TableDescription> table =
                () ->
                        TableDescription.builder()
                                .tableName("orders")
                                .itemCount(42_000L)
                                .tableSizeBytes(10 * MB)
                                .build();
        assertThat(SnapshotSegmentCount.plan(6, table, 2))
                .isEqualTo(new SnapshotSegmentCount.Plan(6, 42_000));
        assertThat(SnapshotSegmentCount.plan(0, table, 2))
                .isEqualTo(new SnapshotSegmentCount.Plan(8, 42_000));
    }
}
