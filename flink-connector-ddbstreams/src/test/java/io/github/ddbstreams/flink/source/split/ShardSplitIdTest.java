package io.github.ddbstreams.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Split ids: unique across streams, and both parts readable back. */
class ShardSplitIdTest {

    private static final String ORDERS =
            "arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";
    private static final String CUSTOMERS =
            "arn:aws:dynamodb:us-east-1:123456789012:table/customers/stream/2026-01-01T00:00:00.000";
    private static final String SHARD = "shardId-00000001700000000000-1a2b3c4d";

    @Test
    void theSameShardIdInTwoStreamsGivesTwoSplitIds() {
        ShardSplit a = new ShardSplit(ORDERS, SHARD, null, ShardPosition.trimHorizon());
        ShardSplit b = new ShardSplit(CUSTOMERS, SHARD, null, ShardPosition.trimHorizon());

        assertThat(a.splitId()).isNotEqualTo(b.splitId());
        assertThat(a.splitId()).isEqualTo(ShardSplit.idOf(ORDERS, SHARD));
    }

    @Test
    void aSplitIdNamesItsStreamAndShard() {
        String id = new ShardSplit(ORDERS, SHARD, null, ShardPosition.trimHorizon()).splitId();

        assertThat(ShardSplit.streamArnOf(id)).isEqualTo(ORDERS);
        assertThat(ShardSplit.shardIdOf(id)).isEqualTo(SHARD);
    }

    @Test
    void positionChangesKeepTheSplitId() {
        ShardSplit split = new ShardSplit(ORDERS, SHARD, null, ShardPosition.trimHorizon());
        assertThat(split.withPosition(ShardPosition.afterSequenceNumber("1")).splitId())
                .isEqualTo(split.splitId());
        assertThat(split.asFinishedMarker().splitId()).isEqualTo(split.splitId());
    }
}
