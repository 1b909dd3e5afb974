package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import io.github.ddbstreams.flink.source.client.StreamsClientFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a test's {@link StreamsClient} (usually a {@link FakeStreamsClient}) to the enumerator and
 * readers of a job on a MiniCluster in this JVM. A source's client factory is serialized with the
 * job graph, so it cannot hold the fake itself: it holds a name, and looks the client up here.
 *
 * <pre>{@code
 * FakeStreamsClients.register("my-test", fake);
 * DynamoDbStreamsSource.<T>builder()...streamsClientFactory(FakeStreamsClients.factory("my-test"))
 * }</pre>
 *
 * <p>Every lookup returns the same instance, shared by the enumerator and all readers, so the
 * registered client must be thread-safe ({@link FakeStreamsClient} is) and its {@code close()} must
 * not end it for the others.
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

    /** A serializable factory that returns the client registered as {@code name} when called. */
    public static StreamsClientFactory factory(String name) {
        return awsConfig -> {
            StreamsClient client = CLIENTS.get(name);
            if (client == null) {
                throw new IllegalStateException(
                        "No streams client registered as '"
                                + name
                                + "': call FakeStreamsClients.register before starting the job");
            }
            return client;
        };
    }
}
