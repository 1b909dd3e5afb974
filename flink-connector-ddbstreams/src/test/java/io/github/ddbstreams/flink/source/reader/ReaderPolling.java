package io.github.ddbstreams.flink.source.reader;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.io.InputStatus;

/** Drives a source reader the way the task thread does, until a condition holds. */
final class ReaderPolling {
    private ReaderPolling() {}

    /**
     * Polls {@code reader} into {@code output}, waiting for its availability in between, until
     * {@code done} holds; fails the test after {@code timeout}.
     */
    static <T> void pollUntil(
            SourceReader<T, ?> reader,
            TestingReaderOutput<T> output,
            BooleanSupplier done,
            Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("condition not reached; emitted " + output.getEmittedRecords().size());
            }
            if (reader.pollNext(output) == InputStatus.NOTHING_AVAILABLE) {
                try {
                    reader.isAvailable().get(50, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    // poll again; the deadline bounds the wait
                }
            }
        }
    }
}
