package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.annotation.Nullable;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/** The enumerator's DescribeStream calls, listings and child lookups alike, keep the pace. */
class EnumeratorPacingTest {

    /**
     * The enumerator over the fake: a throttled listing is retried page by page and completes, and
     * its pages, child lookups included, keep the pace.
     */
    @Test
    void enumeratorListsThroughThrottlingAtTheConfiguredPace() throws Throwable {
        FakeStreamsClient fake = new FakeStreamsClient();
        for (int i = 0; i < 450; i++) {
            fake.addShard(null);
        }
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND, 2.0);
        List<Long> callMillis = new ArrayList<>();
        SimulatedClock[] clockOfHarness = new SimulatedClock[1];
        StreamsClient timed = new TimedClient(fake, () -> clockOfHarness[0].millis(), callMillis);
        EnumeratorHarness h =
                EnumeratorHarness.startedWith(
                        timed,
                        fake,
                        EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false));
        clockOfHarness[0] = h.pacingClock;
        h.register(0);
        fake.throttleNextCalls(3);

        h.runInitialDiscovery();
        String first = h.assignedShardIds().get(0);
        List<String> children = fake.split(first);
        h.finish(0, first);
        h.runNextOneTimeCallable(); // child lookup

        assertThat(h.assignedShardIds()).hasSize(452).contains(children.get(1));
        assertThat(fake.describeStreamCalls.get()).as("5 pages, 3 throttled").isEqualTo(8);
        assertThat(h.enumerator.metrics()).isNotNull();
        assertThat(callsPerSecond(callMillis).values()).allMatch(n -> n <= 2);
        h.close();
    }

    private static Map<Long, Integer> callsPerSecond(List<Long> callMillis) {
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (long t : callMillis) {
            perSecond.merge(t / 1000, 1, Integer::sum);
        }
        return perSecond;
    }

    /** Notes the simulated time of every DescribeStream call, throttled ones included. */
    private static final class TimedClient implements StreamsClient {
        private final StreamsClient delegate;
        private final java.util.function.LongSupplier millis;
        private final List<Long> calls;

        TimedClient(
                StreamsClient delegate, java.util.function.LongSupplier millis, List<Long> calls) {
            this.delegate = delegate;
            this.millis = millis;
            this.calls = calls;
        }

        @Override
        public String resolveLatestStreamArn(String tableName) {
            return delegate.resolveLatestStreamArn(tableName);
        }

        @Override
        public StreamPage describeStream(String arn, @Nullable String exclusiveStartShardId) {
            calls.add(millis.getAsLong());
            return delegate.describeStream(arn, exclusiveStartShardId);
        }

        @Override
        public List<Shard> listChildShards(String arn, String parentShardId) {
            calls.add(millis.getAsLong());
            return delegate.listChildShards(arn, parentShardId);
        }

        @Override
        public String getShardIterator(
                String arn, String shardId, ShardIteratorType type, @Nullable String seq) {
            return delegate.getShardIterator(arn, shardId, type, seq);
        }

        @Override
        public GetRecordsResponse getRecords(String iterator, int limit) {
            return delegate.getRecords(iterator, limit);
        }

        @Override
        public void close() {}
    }
}
