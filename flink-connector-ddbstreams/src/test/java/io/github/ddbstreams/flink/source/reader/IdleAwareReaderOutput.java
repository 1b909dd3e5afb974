package io.github.ddbstreams.flink.source.reader;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;

/**
 * Flink's testing reader output, which refuses {@link #markIdle()} and {@link #emitWatermark}, made
 * to take idleness and watermarks as a real output does, and to say whether it is idle now: a
 * reader marks its output idle while it holds no split, and a Scan segment's output at the
 * segment's last row; a caught-up shard's empty page becomes a watermark.
 */
public class IdleAwareReaderOutput<E> extends TestingReaderOutput<E> {

    private boolean idle;
    private final List<Watermark> watermarks = new ArrayList<>();

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
    public void emitWatermark(Watermark watermark) {
        watermarks.add(watermark);
    }

    /** The watermarks emitted so far, in order. */
    public List<Watermark> watermarks() {
        return watermarks;
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
