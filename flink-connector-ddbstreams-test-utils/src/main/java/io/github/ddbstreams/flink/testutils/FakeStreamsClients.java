package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a test's {@link StreamsClient} (usually a {@link FakeStreamsClient}) to the enumerator and
 * readers of a source in this JVM. A source's client factory is serialized with the job graph, so
 * it cannot hold the fake itself: it holds a name and looks the client up here. Works wherever the
 * job runs in the test's JVM (unit tests, MiniCluster).
 *
 * <pre>{@code
 * FakeStreamsClients.register("my-test", fake);
 * DynamoDbStreamsSource.<T>builder()...streamsClientFactory(FakeStreamsClients.factory("my-test"))
 * // or, with a generated name:
 * DynamoDbStreamsSource.<T>builder()...streamsClientFactory(FakeStreamsClients.factoryFor(fake))
 * }</pre>
 *
 * <p>Every lookup returns the same instance, shared by the enumerator and all readers, so the
 * registered client must be thread-safe ({@link FakeStreamsClient} is) and its {@code close()} must
 * not end it for the others. Unregister when the test is done.
 */
public final class FakeStreamsClients {
    private static final Map<String, StreamsClient> CLIENTS = new ConcurrentHashMap<>();

    private FakeStreamsClients() {}

    /** Makes {@code client} the one {@link #factory(String) factory(name)} returns. */
    public static void register(String name, StreamsClient client) {
        CLIENTS.put(name, client);
    }

    /** Forgets the client registered as {@code name}. */
    public static void unregister(String name) {
        CLIENTS.remove(name);
    }

    /** Registers {@code client} under a generated name and returns its factory. */
    public static StreamsClientFactory factoryFor(StreamsClient client) {
        String name = UUID.randomUUID().toString();
        register(name, client);
        return factory(name);
    }

    /** Forgets every registration of {@code client}. */
    public static void remove(StreamsClient client) {
        CLIENTS.values().removeIf(registered -> registered == client);
    }

    /** A serializable factory that returns the client registered as {@code name} when called. */
    public static StreamsClientFactory factory(String name) {
        return new Factory(name);
    }

    private static final class Factory implements StreamsClientFactory {
        private static final long serialVersionUID = 1L;
        private final String name;

        Factory(String name) {
            this.name = name;
        }

        @Override
        public StreamsClient create(AwsConfig awsConfig) {
            StreamsClient client = CLIENTS.get(name);
            if (client == null) {
                throw new IllegalStateException(
                        "No streams client registered as '"
                                + name
                                + "' in this JVM: call FakeStreamsClients.register before "
                                + "starting the job (or it was removed)");
            }
            return client;
        }
    }
}
