package io.github.ddbstreams.flink.testutils;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * The one MiniCluster set-up of the ITCases: a single TaskManager with the slots a test needs,
 * registered as a static JUnit 5 extension:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final MiniClusterExtension MINI_CLUSTER = MiniClusterFixture.withSlots(4);
 * }</pre>
 */
public final class MiniClusterFixture {

    private MiniClusterFixture() {}

    /** One TaskManager with {@code slots} slots. */
    public static MiniClusterExtension withSlots(int slots) {
        return withSlots(slots, new Configuration());
    }

    /** One TaskManager with {@code slots} slots and the cluster configuration {@code config}. */
    public static MiniClusterExtension withSlots(int slots, Configuration config) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(config)
                        .setNumberTaskManagers(1)
                        .setNumberSlotsPerTaskManager(slots)
                        .build());
    }
}
