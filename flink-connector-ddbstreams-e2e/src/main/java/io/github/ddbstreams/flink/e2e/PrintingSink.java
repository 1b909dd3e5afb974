package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.format.ChangeEvent;
import java.io.PrintStream;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Prints each change event as one line on standard output and records it in {@link ReceivedChanges}
 * under the demo run's id.
 */
final class PrintingSink implements Sink<ChangeEvent> {
    private static final long serialVersionUID = 1L;

    private final String runId;
    private final boolean print;

    PrintingSink(String runId, boolean print) {
        this.runId = runId;
        this.print = print;
    }

    @Override
    public SinkWriter<ChangeEvent> createWriter(WriterInitContext context) {
        return new Writer(runId, print, context.getTaskInfo().getIndexOfThisSubtask());
    }

    private static final class Writer implements SinkWriter<ChangeEvent> {
        private final String runId;
        private final boolean print;
        private final int subtask;
        private final PrintStream out = System.out;

        Writer(String runId, boolean print, int subtask) {
            this.runId = runId;
            this.print = print;
            this.subtask = subtask;
        }

        @Override
        public void write(ChangeEvent event, Context context) {
            if (print) {
                // One println per event: lines of the two subtasks never interleave mid-line.
                out.println(ChangeLines.format(event, subtask));
            }
            Change change = Change.of(event);
            if (change == null) {
                // Not written by the demo (a real table): kept under a placeholder so it counts.
                change = new Change(String.valueOf(event.getKeys()), event.getEventName(), -1);
            }
            ReceivedChanges.add(
                    runId,
                    new ReceivedChanges.Received(
                            change, event.getShardId(), event.getSequenceNumber(), subtask));
        }

        @Override
        public void flush(boolean endOfInput) {
            out.flush();
        }

        @Override
        public void close() {}
    }
}
