package io.github.ddbstreams.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardSplitStateTest {

    private static final String ARN = "arn:aws:dynamodb:us-east-1:1:table/T/stream/L";

    @Test
    void startsAtTheSplitsPosition() {
        ShardSplit split = new ShardSplit(ARN, "shard-1", "shard-0", ShardPosition.atTimestamp(5));
        ShardSplitState state = new ShardSplitState(split);

        assertThat(state.getPosition()).isEqualTo(ShardPosition.atTimestamp(5));
        assertThat(state.toSplit()).isEqualTo(split);
        assertThat(state.getShardId()).isEqualTo("shard-1");
    }

    @Test
    void sequenceNumberBecomesThePosition() {
        ShardSplit split = new ShardSplit(ARN, "shard-1", "shard-0", ShardPosition.trimHorizon());
        ShardSplitState state = new ShardSplitState(split);

        state.setLastSequenceNumber("100");
        state.setLastSequenceNumber("200");

        assertThat(state.getPosition()).isEqualTo(ShardPosition.afterSequenceNumber("200"));
        ShardSplit snapshot = state.toSplit();
        assertThat(snapshot.getPosition()).isEqualTo(ShardPosition.afterSequenceNumber("200"));
        assertThat(snapshot.getStreamArn()).isEqualTo(ARN);
        assertThat(snapshot.getParentShardId()).isEqualTo("shard-0");
        assertThat(snapshot.isFinishedMarker()).isFalse();
        // The original split is untouched.
        assertThat(split.getPosition()).isEqualTo(ShardPosition.trimHorizon());
        assertThat(state.getSplit()).isSameAs(split);
    }

    @Test
    void latestIteratorIsRefreshedKeepingTheStartTime() {
        ShardSplitState state =
                new ShardSplitState(
                        new ShardSplit(
                                ARN, "shard-1", null, ShardPosition.latestIterator("it-1", 42L)));

        assertThat(state.refreshLatestIterator("it-2")).isTrue();

        assertThat(state.getPosition()).isEqualTo(ShardPosition.latestIterator("it-2", 42L));
        assertThat(state.toSplit().getPosition().getTimestampMillis()).isEqualTo(42L);
    }

    @Test
    void refreshIsIgnoredOnceARecordWasEmitted() {
        ShardSplitState state =
                new ShardSplitState(
                        new ShardSplit(
                                ARN, "shard-1", null, ShardPosition.latestIterator("it-1", 42L)));
        state.setLastSequenceNumber("300");

        assertThat(state.refreshLatestIterator("it-2")).isFalse();

        assertThat(state.getPosition()).isEqualTo(ShardPosition.afterSequenceNumber("300"));
    }

    @Test
    void refreshIsIgnoredForOtherStartingPositions() {
        ShardSplitState trim =
                new ShardSplitState(new ShardSplit(ARN, "s", null, ShardPosition.trimHorizon()));
        ShardSplitState atTime =
                new ShardSplitState(new ShardSplit(ARN, "s", null, ShardPosition.atTimestamp(9)));

        assertThat(trim.refreshLatestIterator("it")).isFalse();
        assertThat(atTime.refreshLatestIterator("it")).isFalse();
        assertThat(trim.getPosition()).isEqualTo(ShardPosition.trimHorizon());
        assertThat(atTime.getPosition()).isEqualTo(ShardPosition.atTimestamp(9));
    }

    @Test
    void finishedMarkerIsKept() {
        ShardSplitState state =
                new ShardSplitState(
                        new ShardSplit(ARN, "s", null, ShardPosition.trimHorizon(), true));
        state.setLastSequenceNumber("1");

        assertThat(state.toSplit().isFinishedMarker()).isTrue();
    }
}
