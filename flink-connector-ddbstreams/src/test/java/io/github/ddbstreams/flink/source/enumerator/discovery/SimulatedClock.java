package io.github.ddbstreams.flink.source.enumerator.discovery;

import java.util.ArrayList;
import java.util.List;

/** A {@link DescribeStreamPacer.Clock} whose sleeps advance simulated time at once. */
public final class SimulatedClock implements DescribeStreamPacer.Clock {
    private long nanos = 1_000_000_000L;
    private final List<Long> sleeps = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }

    @Override
    public synchronized void sleepNanos(long sleepNanos) {
        sleeps.add(sleepNanos);
        nanos += sleepNanos;
    }

    public synchronized long millis() {
        return nanos / 1_000_000;
    }

    public synchronized void advanceMillis(long millis) {
        nanos += millis * 1_000_000;
    }

    /** Every sleep so far, in nanos. */
    public synchronized List<Long> sleeps() {
        return new ArrayList<>(sleeps);
    }
}
