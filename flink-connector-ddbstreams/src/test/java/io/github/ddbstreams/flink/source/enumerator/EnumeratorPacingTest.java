package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.discovery.SimulatedClock;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.TimedListingClient;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

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
        SimulatedClock[] clockOfHarness = new SimulatedClock[1];
        TimedListingClient timed = new TimedListingClient(fake, () -> clockOfHarness[0].millis());
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
        assertThat(timed.callsPerSecond().values()).allMatch(n -> n <= 2);
        h.close();
    }
}
