package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.AwsConfig;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A registry that lets a {@link FakeStreamsClient} travel through a serialized source: the
 * builder's {@code streamsClientFactory} must be {@link java.io.Serializable}, the fake is not, so
 * the factory carries only an id and looks the fake up in this JVM. Works wherever the job runs in
 * the test's JVM (unit tests, MiniCluster).
 *
 * <pre>{@code
 * FakeStreamsClient fake = new FakeStreamsClient();
 * DynamoDbStreamsSource.<ChangeEvent>builder()
 *         .streamArn(FakeStreamsClient.STREAM_ARN)
 *         .streamsClientFactory(FakeStreamsClients.factoryFor(fake))
 *         .build();
 * }</pre>
 *
 * Every enumerator and reader of the source then shares the one fake (its {@code close()} does
 * nothing). Call {@link #remove} when the test is done to let the fake be collected.
 */
public final class FakeStreamsClients {

    private static final Map<String, FakeStreamsClient> CLIENTS = new ConcurrentHashMap<>();

    private FakeStreamsClients() {}

    /** A serializable factory that hands out {@code fake}. */
    public static StreamsClientFactory factoryFor(FakeStreamsClient fake) {
        String id = UUID.randomUUID().toString();
        CLIENTS.put(id, fake);
        return new Factory(id);
    }

    /** Forgets every registration of {@code fake}. */
    public static void remove(FakeStreamsClient fake) {
        CLIENTS.values().removeIf(registered -> registered == fake);
    }

    private static final class Factory implements StreamsClientFactory {
        private static final long serialVersionUID = 1L;

        private final String id;

        Factory(String id) {
            this.id = id;
        }

        @Override
        public StreamsClient create(AwsConfig awsConfig) {
            FakeStreamsClient fake = CLIENTS.get(id);
            if (fake == null) {
                throw new IllegalStateException(
                        "No FakeStreamsClient registered as " + id + " in this JVM (removed?)");
            }
            return fake;
        }
    }
}
