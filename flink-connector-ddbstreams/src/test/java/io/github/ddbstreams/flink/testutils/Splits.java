package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Between the source's splits and the shards among them, for tests of shard-only sources. */
public final class Splits {
    private Splits() {}

    /** {@code splits} as shards; fails the test if one is another kind of split. */
    public static List<ShardSplit> shards(Collection<? extends DynamoDbSplit> splits) {
        List<ShardSplit> shards = new ArrayList<>(splits.size());
        for (DynamoDbSplit split : splits) {
            if (!(split instanceof ShardSplit shard)) {
                throw new AssertionError("Expected only shards, got " + split);
            }
            shards.add(shard);
        }
        return shards;
    }

    /** {@code shards} as the source's splits. */
    public static List<DynamoDbSplit> splits(Collection<? extends DynamoDbSplit> shards) {
        return new ArrayList<>(shards);
    }
}
