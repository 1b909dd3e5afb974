package io.github.ddbstreams.flink.source.enumerator.discovery;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Supplier;
import org.apache.flink.annotation.Internal;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;

/**
 * Paces every DescribeStream call of one enumerator (listing pages and child lookups), because
 * DynamoDB Streams allows only 10 DescribeStream calls per second per account and region, shared
 * with every other consumer. Calls start at least {@code 1 / callsPerSecond} apart; a throttled
 * call is retried after an exponential back-off with jitter instead of failing the listing.
 *
 * <p>Thread-safe: a caller reserves its start time under the lock and waits outside it.
 */
@Internal
public final class DescribeStreamPacer {
    private static final Logger LOG = LoggerFactory.getLogger(DescribeStreamPacer.class);

    /** Time and waiting, replaceable so that tests run simulated seconds instantly. */
    public interface Clock {
        long nanoTime();

        void sleepNanos(long nanos) throws InterruptedException;

        /** The real clock. */
        Clock SYSTEM =
                new Clock() {
                    @Override
                    public long nanoTime() {
                        return System.nanoTime();
                    }

                    @Override
                    public void sleepNanos(long nanos) throws InterruptedException {
                        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
                    }
                };
    }

    private final long intervalNanos;
    private final long initialBackoffNanos;
    private final long maxBackoffNanos;
    private final Clock clock;
    private final DoubleSupplier random;

    /** When the next call may start, on {@link Clock#nanoTime()}'s scale. */
    private long nextStartNanos;

    private boolean started;
    private long throttledCalls;

    public DescribeStreamPacer(
            double callsPerSecond, long initialBackoffMillis, long maxBackoffMillis, Clock clock) {
        this(
                callsPerSecond,
                initialBackoffMillis,
                maxBackoffMillis,
                clock,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    DescribeStreamPacer(
            double callsPerSecond,
            long initialBackoffMillis,
            long maxBackoffMillis,
            Clock clock,
            DoubleSupplier random) {
        if (!(callsPerSecond > 0)) {
            throw new IllegalArgumentException("callsPerSecond must be positive");
        }
        this.intervalNanos = (long) Math.ceil(1e9 / callsPerSecond);
        this.initialBackoffNanos = Math.max(1, initialBackoffMillis) * 1_000_000;
        this.maxBackoffNanos = Math.max(initialBackoffMillis, maxBackoffMillis) * 1_000_000;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Makes one DescribeStream call when the pace allows it; retries it while it is throttled.
     * Other errors are thrown as they are.
     */
    public <T> T call(Supplier<T> describeStream) {
        long backoff = initialBackoffNanos;
        while (true) {
            awaitTurn();
            try {
                return describeStream.get();
            } catch (AwsServiceException e) {
                if (!isThrottling(e)) {
                    throw e;
                }
                long wait = withJitter(backoff);
                synchronized (this) {
                    throttledCalls++;
                }
                LOG.debug("DescribeStream throttled; retrying in {} ms", wait / 1_000_000, e);
                sleep(wait);
                backoff = Math.min(maxBackoffNanos, backoff * 2);
            }
        }
    }

    /** Now, on the clock that paces the calls (tests simulate it). */
    public long nanoTime() {
        return clock.nanoTime();
    }

    /** DescribeStream calls that were throttled (and retried) so far. */
    public synchronized long throttledCalls() {
        return throttledCalls;
    }

    private void awaitTurn() {
        long wait;
        synchronized (this) {
            long now = clock.nanoTime();
            long start = started && nextStartNanos - now > 0 ? nextStartNanos : now;
            started = true;
            nextStartNanos = start + intervalNanos;
            wait = start - now;
        }
        if (wait > 0) {
            sleep(wait);
        }
    }

    /** Half the back-off, plus up to as much again at random, so that clients spread out. */
    private long withJitter(long backoff) {
        return backoff / 2 + (long) (random.getAsDouble() * (backoff / 2));
    }

    private void sleep(long nanos) {
        try {
            clock.sleepNanos(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("Interrupted while pacing DescribeStream calls", e);
        }
    }

    private static boolean isThrottling(AwsServiceException e) {
        return e instanceof LimitExceededException || e.isThrottlingException();
    }
}
