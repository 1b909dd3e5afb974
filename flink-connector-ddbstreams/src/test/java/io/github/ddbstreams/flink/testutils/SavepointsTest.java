package io.github.ddbstreams.flink.testutils;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.scheduler.stopwithsavepoint.StopWithSavepointStoppingException;
import org.junit.jupiter.api.Test;

class SavepointsTest {

    /** A job whose stop-with-savepoint completes with {@code outcome}; it is FAILED afterwards. */
    private static JobClient stoppingWith(CompletableFuture<String> outcome) {
        JobID id = new JobID();
        return new JobClient() {
            @Override
            public JobID getJobID() {
                return id;
            }

            @Override
            public CompletableFuture<JobStatus> getJobStatus() {
                return CompletableFuture.completedFuture(JobStatus.FAILED);
            }

            @Override
            public CompletableFuture<Void> cancel() {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<String> stopWithSavepoint(
                    boolean drain, String directory, SavepointFormatType format) {
                return outcome;
            }

            @Override
            public CompletableFuture<String> triggerSavepoint(
                    String directory, SavepointFormatType format) {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<Map<String, Object>> getAccumulators() {
                throw new UnsupportedOperationException();
            }

            @Override
            public CompletableFuture<JobExecutionResult> getJobExecutionResult() {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void returnsThePathOfASavepointCompletedBeforeATaskFailedToStop() throws Exception {
        JobID job = new JobID();
        CompletableFuture<String> outcome = new CompletableFuture<>();
        outcome.completeExceptionally(
                new CompletionException(
                        new StopWithSavepointStoppingException("file:/tmp/savepoint-1", job)));

        assertThat(Savepoints.stopWithSavepoint(stoppingWith(outcome), "file:/tmp"))
                .isEqualTo("file:/tmp/savepoint-1");
    }

    @Test
    void returnsThePathOfASavepointThatStoppedCleanly() throws Exception {
        assertThat(
                        Savepoints.stopWithSavepoint(
                                stoppingWith(CompletableFuture.completedFuture("file:/tmp/sp-2")),
                                "file:/tmp"))
                .isEqualTo("file:/tmp/sp-2");
    }

    @Test
    void anyOtherFailureFails() {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        outcome.completeExceptionally(new IllegalStateException("savepoint declined"));

        assertThatThrownBy(() -> Savepoints.stopWithSavepoint(stoppingWith(outcome), "file:/tmp"))
                .hasRootCauseMessage("savepoint declined");
    }
}
