package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;

/** What the snapshot-then-stream ITCases share: a slowed-down source and a steady writer. */
final class SnapshotRuns {

    private SnapshotRuns() {}

    /**
     * A snapshot-then-stream source whose Scan a small read-unit budget slows down (pages of a few
     * small items cost one unit each), so that writes and rollovers fall inside the snapshot.
     */
    static DynamoDbStreamsSource<ChangeEvent> slowSnapshot(
            String streamArn, AwsConfig aws, int segments, int pageSize, double unitsPerSecond) {
        return slowSnapshotBuilder(streamArn, aws, segments, pageSize, unitsPerSecond).build();
    }

    /** {@link #slowSnapshot}'s builder, for a test to set more. */
    static DynamoDbStreamsSourceBuilder<ChangeEvent> slowSnapshotBuilder(
            String streamArn, AwsConfig aws, int segments, int pageSize, double unitsPerSecond) {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .streamArn(streamArn)
                .startingPosition(StartingPosition.initialSnapshot())
                .awsConfig(aws)
                .idlePollInterval(Duration.ofMillis(100))
                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS, segments)
                .setConfig(DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE, pageSize)
                .setConfig(
                        DynamoDbStreamsSourceOptions.SNAPSHOT_READ_UNITS_PER_SECOND,
                        unitsPerSecond);
    }

    /**
     * About 200 writes/s ({@code ticks} x 20 writes, 100 ms apart) with a shard rollover after a
     * third and two thirds of them. Stops early if interrupted.
     */
    static void writeWithTwoRollovers(
            VersionedWorkload workload, DynamoDbLocalExtension dynamoDb, int ticks) {
        for (int tick = 0; tick < ticks; tick++) {
            workload.write(20);
            if (tick == ticks / 3 || tick == 2 * ticks / 3) {
                dynamoDb.triggerShardRollovers();
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
