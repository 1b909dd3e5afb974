package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.mocks.MockSplitEnumeratorContext;

/** Steps that source-level enumerator tests take on a {@link MockSplitEnumeratorContext}. */
public final class EnumeratorSteps {
    private EnumeratorSteps() {}

    /** Starts the enumerator, registers reader 0 and runs every one-time callable. */
    public static void start(
            MockSplitEnumeratorContext<DynamoDbSplit> context,
            SplitEnumerator<DynamoDbSplit, DynamoDbStreamsSourceEnumState> enumerator)
            throws Throwable {
        enumerator.start();
        context.registerReader(new ReaderInfo(0, "host"));
        enumerator.addReader(0);
        runOneTimeCallables(context);
    }

    /** Runs one-time callables until none is left (a callable may queue another). */
    public static void runOneTimeCallables(MockSplitEnumeratorContext<DynamoDbSplit> context)
            throws Throwable {
        while (!context.getOneTimeCallables().isEmpty()) {
            context.runNextOneTimeCallable();
        }
    }

    /** Every split assigned so far, in assignment order. */
    public static List<ShardSplit> assigned(MockSplitEnumeratorContext<DynamoDbSplit> context) {
        List<ShardSplit> all = new ArrayList<>();
        context.getSplitsAssignmentSequence()
                .forEach(a -> a.assignment().values().forEach(s -> all.addAll(Splits.shards(s))));
        return all;
    }
}
