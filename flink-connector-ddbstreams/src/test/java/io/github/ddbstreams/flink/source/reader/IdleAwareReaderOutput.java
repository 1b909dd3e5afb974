package io.github.ddbstreams.flink.source.reader;

import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;

/**
 * Flink's testing reader output, which refuses {@link #markIdle()}, made to take idleness as a real
 * output does, and to say whether it is idle now: a reader marks its output idle while it holds no
 * split, and a Scan segment's output at the segment's last row.
 */
public class IdleAwareReaderOutput<E> extends TestingReaderOutput<E> {

    private boolean idle;

    @Override
    public void collect(E record) {
        idle = false;
        super.collect(record);
    }

    @Override
    public void collect(E record, long timestamp) {
        idle = false;
        super.collect(record, timestamp);
    }

    @Override
    public void markIdle() {
        idle = true;
    }

    @Override
    public void markActive() {
        idle = false;
    }

    /** Whether the last call marked the output idle (and nothing was emitted since). */
    public boolean isIdle() {
        return idle;
    }
}
