package io.github.ddbstreams.flink.source;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.util.List;
import javax.annotation.Nullable;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/** The two operators of the failover job: one injects failures, the other verifies. */
final class FailoverOperators {

    private FailoverOperators() {}

    /** Thrown by {@link FailureInjector}; its message names the phase. */
    static final class InjectedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        InjectedFailure(String message) {
            super(message);
        }
    }

    /**
     * Passes records through and throws when {@link FailoverRun#failureFor} says so. It tells the
     * record's phase from what this instance saw since it started: a restored instance starts with
     * no shard in memory, so a shard change is only seen within one attempt.
     */
    static final class FailureInjector extends RichMapFunction<ChangeEvent, ChangeEvent> {
        private static final long serialVersionUID = 1L;
        private static final int AFTER_RESTORE_RECORD = 3;

        private final String runId;
        private transient FailoverRun run;
        private transient int attempt;
        private transient int recordsThisAttempt;
        @Nullable private transient String previousShard;

        FailureInjector(String runId) {
            this.runId = runId;
        }

        @Override
        public void open(OpenContext openContext) {
            run = FailoverRun.get(runId);
            attempt = getRuntimeContext().getTaskInfo().getAttemptNumber();
        }

        @Override
        public ChangeEvent map(ChangeEvent event) {
            long seen = run.seen.incrementAndGet();
            recordsThisAttempt++;
            String shard = event.getShardId();
            boolean midShard = shard.equals(previousShard);
            boolean shardEnd = previousShard != null && !midShard;
            boolean afterRestore = attempt > 0 && recordsThisAttempt == AFTER_RESTORE_RECORD;
            previousShard = shard;
            run.sighted(
                    VersionedWorkload.keyOf(event),
                    VersionedWorkload.describe(event),
                    shard,
                    event.getSequenceNumber(),
                    attempt);
            FailoverRun.Phase phase = run.failureFor(seen, midShard, shardEnd, afterRestore);
            if (phase != null) {
                throw new InjectedFailure(
                        "injected failure "
                                + run.failuresInjected.get()
                                + " ("
                                + phase
                                + ") at "
                                + shard
                                + ", attempt "
                                + attempt
                                + ", record "
                                + recordsThisAttempt
                                + " of this attempt");
            }
            return event;
        }
    }

    /**
     * Keyed by pk: checks each change against the key's expected log with Flink keyed state (the
     * index of the next expected change), so a restore rolls the check back with the source. Any
     * mismatch is recorded as a side effect, and so is the progress, for the test to wait on.
     */
    static final class Verifier extends KeyedProcessFunction<String, ChangeEvent, String> {
        private static final long serialVersionUID = 1L;

        private final String runId;
        private transient FailoverRun run;
        private transient ValueState<Integer> next;
        private transient ValueState<Integer> gaps;
        private transient int subtask;

        Verifier(String runId) {
            this.runId = runId;
        }

        @Override
        public void open(OpenContext openContext) {
            run = FailoverRun.get(runId);
            next = getRuntimeContext().getState(new ValueStateDescriptor<>("next", Types.INT));
            gaps = getRuntimeContext().getState(new ValueStateDescriptor<>("gaps", Types.INT));
            subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
            run.verifierOpened(subtask);
        }

        @Override
        public void processElement(ChangeEvent event, Context ctx, Collector<String> out)
                throws Exception {
            String key = ctx.getCurrentKey();
            Integer stored = next.value();
            int index = stored == null ? 0 : stored;
            Integer storedGaps = gaps.value();
            int gapCount = storedGaps == null ? 0 : storedGaps;
            String got = VersionedWorkload.describe(event);
            List<String> log = run.workload.expected(key);
            if (index < log.size() && log.get(index).equals(got)) {
                index++;
            } else {
                String where =
                        event.getShardId()
                                + " seq "
                                + event.getSequenceNumber()
                                + " at verifier "
                                + subtask
                                + " after "
                                + run.verifierOpens.get()
                                + " verifier starts";
                int before = index;
                index = run.violation(key, index, got, where, log);
                if (index > before + 1) {
                    gapCount += index - before - 1;
                    gaps.update(gapCount);
                }
            }
            next.update(index);
            run.recordProgress(key, index, subtask, gapCount);
        }
    }
}
