package io.github.ddbstreams.flink.testutils;

import io.github.ddbstreams.flink.source.client.StreamPage;
import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import javax.annotation.Nullable;
import software.amazon.awssdk.services.dynamodb.model.Shard;

/**
 * Notes the time of every DescribeStream call (listings and child lookups, throttled ones included)
 * on the test's clock, to check how the enumerator paces them. Closing it leaves the delegate open:
 * the test owns that.
 */
public final class TimedListingClient extends ForwardingStreamsClient {

    private final LongSupplier millis;
    private final List<Long> calls = new ArrayList<>();

    public TimedListingClient(StreamsClient delegate, LongSupplier millis) {
        super(delegate);
        this.millis = millis;
    }

    /** The times (the clock's milliseconds) of the DescribeStream calls so far, in order. */
    public synchronized List<Long> callMillis() {
        return new ArrayList<>(calls);
    }

    /** How many DescribeStream calls fell in each second of the clock, by second. */
    public synchronized Map<Long, Integer> callsPerSecond() {
        Map<Long, Integer> perSecond = new TreeMap<>();
        for (long t : calls) {
            perSecond.merge(t / 1000, 1, Integer::sum);
        }
        return perSecond;
    }

    @Override
    public StreamPage describeStream(String streamArn, @Nullable String exclusiveStartShardId) {
        note();
        return super.describeStream(streamArn, exclusiveStartShardId);
    }

    @Override
    public List<Shard> listChildShards(String streamArn, String parentShardId) {
        note();
        return super.listChildShards(streamArn, parentShardId);
    }

    @Override
    public void close() {}

    private synchronized void note() {
        calls.add(millis.getAsLong());
    }
}
