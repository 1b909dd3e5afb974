package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import javax.annotation.Nullable;

/** The stream a command works on and the client that reaches it; closing releases both. */
final class StreamTarget implements AutoCloseable {
    private final StreamsClient client;
    private final String streamArn;
    @Nullable private final DemoStream demo;

    private StreamTarget(StreamsClient client, String streamArn, @Nullable DemoStream demo) {
        this.client = client;
        this.streamArn = streamArn;
        this.demo = demo;
    }

    static StreamTarget of(StreamsClient client, String streamArn) {
        return new StreamTarget(client, streamArn, null);
    }

    static StreamTarget demo(DemoStream demo) {
        return new StreamTarget(demo.client(), demo.streamArn(), demo);
    }

    StreamsClient client() {
        return client;
    }

    String streamArn() {
        return streamArn;
    }

    /** The embedded demo behind this target, or null for a real stream. */
    @Nullable
    DemoStream demo() {
        return demo;
    }

    @Override
    public void close() {
        if (demo != null) {
            demo.close();
        } else {
            client.close();
        }
    }
}
