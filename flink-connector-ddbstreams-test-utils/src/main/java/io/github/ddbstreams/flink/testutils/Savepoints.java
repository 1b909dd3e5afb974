package io.github.ddbstreams.flink.testutils;

import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException;
import org.apache.flink.util.ExceptionUtils;

/**
 * Stop-with-savepoint for tests that tolerates one outcome: the savepoint completed, but a task did
 * not finish cleanly after it ({@link StopWithSavepointStoppingException}). Any other failure fails
 * the test.
 *
 * <p>The known cause is a Flink runtime race (FLINK-33522): a source coordinator may hand a split
 * to a subtask right as the subtask finishes after the savepoint (here: a child shard assigned just
 * after a rollover). The event is then lost, Flink fails that execution, and {@code
 * stopWithSavepoint} completes with a {@link StopWithSavepointStoppingException} although the
 * savepoint was completed and is consistent (the unassigned child is in the enumerator's snapshot).
 * Flink's own advice, in that exception's message, is to restart from the savepoint, so these
 * helpers return its path; the tests' exactly-once checks after the restore prove that the
 * savepoint is good. Seen on Flink 1.20.3 in CI; docs/fault-tolerance.md tells users the same.
 */
public final class Savepoints {
    private Savepoints() {}

    /** Stops {@code job} with a canonical savepoint (no drain) and returns the savepoint path. */
    public static String stopWithSavepoint(JobClient job, String directory) throws Exception {
        try {
            return job.stopWithSavepoint(false, directory, SavepointFormatType.CANONICAL)
                    .get(60, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Optional<StopWithSavepointStoppingException> stopping =
                    ExceptionUtils.findThrowable(e, StopWithSavepointStoppingException.class);
            if (stopping.isEmpty() || stopping.get().getSavepointPath() == null) {
                throw e;
            }
            String path = stopping.get().getSavepointPath();
            System.out.println(
                    "Savepoint "
                            + path
                            + " completed, but a task did not finish cleanly after it (FLINK-33522);"
                            + " continuing from the savepoint");
            awaitTerminal(job);
            return path;
        }
    }

    private static void awaitTerminal(JobClient job) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Job " + job.getJobID() + " did not end in 60 s");
            }
            Thread.sleep(50);
        }
    }
}
