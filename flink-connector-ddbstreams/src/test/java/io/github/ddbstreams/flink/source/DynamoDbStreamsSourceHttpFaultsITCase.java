package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.source.aws.AwsConfig;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import io.github.ddbstreams.flink.testutils.FaultInjectingProxy;
import io.github.ddbstreams.flink.testutils.FaultInjectingProxy.Fault;
import io.github.ddbstreams.flink.testutils.FaultInjectingProxy.Operation;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.VersionedWorkload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * AWS faults over real HTTP: the source reads DynamoDB Local through a {@link FaultInjectingProxy}
 * that serves throttling, 5xx, connection resets, expired iterators and trimmed data on GetRecords,
 * GetShardIterator and DescribeStream while shards roll over. Unlike the fake client's tests, the
 * faults pass through the AWS SDK: its error parsing and its own retries (3 attempts per call in
 * the connector's client, none for LimitExceededException).
 *
 * <p>Each job counts the opens of a rich function: a restart would open it again. Most faults are
 * armed once the job has read its first changes; the enumerator's first listing has a test of its
 * own.
 */
class DynamoDbStreamsSourceHttpFaultsITCase {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    /** Each armed plan: enough for the connector's client (3 SDK attempts) to give up twice. */
    private static final int FAULTS = 6;

    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            MiniClusterFixture.withSlots(1, METRICS.addToConfiguration(new Configuration()));

    private static FaultInjectingProxy proxy;

    @BeforeAll
    static void startProxy() {
        proxy = FaultInjectingProxy.start(DYNAMODB.endpoint());
    }

    @AfterAll
    static void stopProxy() {
        proxy.close();
    }

    /** Jobs a test started; cancelled after it, so a failed test frees the one slot. */
    private final List<JobClient> jobs = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        proxy.reset();
        for (JobClient job : jobs) {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get();
            }
        }
    }

    /** Faults the connector retries; how many SDK attempts each connector-level call makes. */
    static Stream<Arguments> retryableFaults() {
        return Stream.of(
                // The SDK does not retry LimitExceededException: each one reaches the connector.
                fault("LimitExceededException", Fault::limitExceeded, 1, true),
                fault("ThrottlingException", Fault::throttling, 3, true),
                fault("HTTP 500", Fault::internalServerError, 3, false),
                fault("HTTP 503", Fault::serviceUnavailable, 3, false),
                fault("connection reset", Fault::connectionReset, 3, false));
    }

    private static Arguments fault(
            String name, Supplier<Fault> fault, int sdkAttempts, boolean throttling) {
        return Arguments.of(name, fault, sdkAttempts, throttling);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("retryableFaults")
    void retryableFaultsAreRetriedWithoutRestartLossOrDuplicate(
            String name, Supplier<Fault> fault, int sdkAttempts, boolean throttling)
            throws Exception {
        Run run = new Run("retry-" + name.replace(' ', '-').toLowerCase(), 1);
        JobClient job = run.start(sourceBuilder(run.arn).build(), true);
        run.awaitReceived(run.workload.changes());

        for (Operation operation : Operation.values()) {
            proxy.arm(operation, fault.get(), FAULTS);
        }
        run.writeWithRollovers();
        run.awaitReceived(run.workload.changes());
        run.assertNeverRestarted();
        awaitAllServed();
        Thread.sleep(300); // a late duplicate would arrive now

        assertThat(run.workload.verify(run.received())).isEmpty();
        assertThat(run.received()).hasSize(run.workload.changes());
        run.assertNeverRestarted();
        // GetRecords and GetShardIterator failures the SDK's own attempts did not absorb.
        assertThat(counter(job, "dynamodbStreams\\.retriedErrors"))
                .isEqualTo(2L * FAULTS / sdkAttempts);
        if (throttling) { // the enumerator's pacer retries these itself
            assertThat(counter(job, "describeStreamThrottled"))
                    .isEqualTo((long) FAULTS / sdkAttempts);
        }
    }

    @Test
    void stalledCallsAreAbandonedAfterTheAttemptTimeoutAndRetried() throws Exception {
        Run run = new Run("stalled", 6);
        AwsConfig impatient =
                AwsConfig.builder()
                        .region(DynamoDbLocal.REGION)
                        .endpointOverride(proxy.endpoint())
                        .staticCredentials(
                                DynamoDbLocal.ACCESS_KEY_ID, DynamoDbLocal.SECRET_ACCESS_KEY)
                        .apiCallAttemptTimeout(Duration.ofSeconds(1))
                        .build();
        JobClient job = run.start(sourceBuilder(run.arn).awsConfig(impatient).build(), true);
        run.awaitReceived(run.workload.changes());

        // Three stalled attempts: the SDK's own attempts of one call all time out, so each
        // operation's call reaches the connector as a timeout once. Without the attempt timeout
        // each stall would hold its call for the full 20 s (and GetRecords for 60 s).
        Fault stall = Fault.delay(Duration.ofSeconds(20));
        for (Operation operation : Operation.values()) {
            proxy.arm(operation, stall, 3);
        }
        long start = System.nanoTime();
        run.writeWithRollovers();
        run.awaitReceived(run.workload.changes());
        awaitAllServed();
        Thread.sleep(300); // a late duplicate would arrive now

        // One stall sat out in full takes 20 s; a slow machine needs the margin up to it.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
        assertThat(run.workload.verify(run.received())).isEmpty();
        assertThat(run.received()).hasSize(run.workload.changes());
        run.assertNeverRestarted();
        // GetRecords and GetShardIterator each gave up once after their 3 timed-out attempts
        // (more only if DynamoDB Local itself ever took 1 s).
        assertThat(counter(job, "dynamodbStreams\\.retriedErrors")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void serverErrorsOnTheFirstListingAreRetriedWithoutRestart() throws Exception {
        Run run = new Run("first-listing", 5);
        // Two connector-level failures: each outlasts the SDK's 3 attempts.
        proxy.arm(Operation.DESCRIBE_STREAM, Fault.serviceUnavailable(), 2 * 3);

        run.start(sourceBuilder(run.arn).build(), true);
        run.awaitReceived(run.workload.changes());
        awaitAllServed();
        Thread.sleep(300);

        assertThat(proxy.served(Operation.DESCRIBE_STREAM)).isEqualTo(2 * 3);
        assertThat(run.workload.verify(run.received())).isEmpty();
        run.assertNeverRestarted();
    }

    @Test
    void expiredIteratorsAreRenewedAfterTheLastEmittedRecord() throws Exception {
        Run run = new Run("expired", 2);
        JobClient job = run.start(sourceBuilder(run.arn).build(), true);
        run.awaitReceived(run.workload.changes());
        int iteratorsBefore = proxy.passed(Operation.GET_SHARD_ITERATOR);

        proxy.arm(Operation.GET_RECORDS, Fault.expiredIterator(), 3);
        run.writeWithRollovers();
        run.awaitReceived(run.workload.changes());
        run.assertNeverRestarted();
        awaitAllServed();
        Thread.sleep(300);

        assertThat(run.workload.verify(run.received())).isEmpty();
        run.assertNeverRestarted();
        assertThat(proxy.served(Operation.GET_RECORDS)).isEqualTo(3);
        assertThat(counter(job, "dynamodbStreams\\.expiredIterators")).isEqualTo(3);
        // Three renewals, and one first iterator per child shard.
        assertThat(proxy.passed(Operation.GET_SHARD_ITERATOR) - iteratorsBefore)
                .isGreaterThanOrEqualTo(3 + 2);
    }

    /** Records trimmed after the shard's emitted records: changes would be lost, so it fails. */
    @Test
    void trimmedDataFailsTheJobNamingTheShardByDefault() throws Exception {
        Run run = new Run("trimmed-fail", 3);
        JobClient job = run.start(sourceBuilder(run.arn).build(), false);
        run.awaitReceived(run.workload.changes());
        String shard = openShard(run.arn);

        proxy.arm(Operation.GET_RECORDS, Fault.trimmedData(), 1);

        Throwable failure =
                catchThrowable(() -> job.getJobExecutionResult().get(30, TimeUnit.SECONDS));
        assertThat(messages(failure))
                .contains("shard " + shard + " of stream " + run.arn)
                .contains("have been trimmed")
                .contains("source.on-trimmed-data");
        assertThat(proxy.served(Operation.GET_RECORDS)).isEqualTo(1);
    }

    /**
     * The same fault with SKIP_TO_TRIM_HORIZON: the job goes on from the shard's oldest retained
     * record (DynamoDB Local trimmed nothing, so that re-reads the shard) and counts the skip.
     */
    @Test
    void trimmedDataIsSkippedWhenAsked() throws Exception {
        Run run = new Run("trimmed-skip", 5);
        DynamoDbStreamsSource<ChangeEvent> source =
                sourceBuilder(run.arn)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.ON_TRIMMED_DATA,
                                DynamoDbStreamsSourceOptions.OnTrimmedData.SKIP_TO_TRIM_HORIZON)
                        .build();
        JobClient job = run.start(source, true);
        run.awaitReceived(run.workload.changes());

        proxy.arm(Operation.GET_RECORDS, Fault.trimmedData(), 1);
        awaitAllServed();
        await(() -> counter(job, "dynamodbStreams\\.trimmedDataSkips") == 1, TIMEOUT);

        run.assertNeverRestarted();
    }

    /**
     * On a child's first iterator (TRIM_HORIZON, nothing of it read): no checkpointed change is
     * skipped, so even under the default FAIL the reader takes a new iterator and goes on.
     */
    @Test
    void trimmedDataUnderAnUnreadStartTakesANewIterator() throws Exception {
        Run run = new Run("trimmed-start", 4);
        JobClient job = run.start(sourceBuilder(run.arn).build(), true);
        run.awaitReceived(run.workload.changes());

        proxy.arm(Operation.GET_SHARD_ITERATOR, Fault.trimmedData(), 1);
        run.writeWithRollovers();
        run.awaitReceived(run.workload.changes());
        run.assertNeverRestarted();
        awaitAllServed();
        Thread.sleep(300);

        assertThat(run.workload.verify(run.received())).isEmpty();
        run.assertNeverRestarted();
        assertThat(counter(job, "dynamodbStreams\\.trimmedDataSkips")).isZero();
        assertThat(counter(job, "dynamodbStreams\\.retriedErrors")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void faultsThatOutlastGiveUpAfterFailTheJobWithTheLastError() throws Exception {
        Run run = new Run("give-up", 5);
        DynamoDbStreamsSource<ChangeEvent> source =
                sourceBuilder(run.arn)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER,
                                Duration.ofSeconds(1))
                        .build();
        JobClient job = run.start(source, false);
        run.awaitReceived(run.workload.changes());
        String shard = openShard(run.arn);

        long start = System.nanoTime();
        proxy.arm(Operation.GET_RECORDS, Fault.serviceUnavailable(), FaultInjectingProxy.FOREVER);
        Throwable failure =
                catchThrowable(() -> job.getJobExecutionResult().get(30, TimeUnit.SECONDS));

        assertThat(messages(failure))
                .contains("Shard " + shard + " of stream " + run.arn)
                .contains("'source.retry.give-up-after'")
                .contains("Status Code: 503");
        assertThat(proxy.served(Operation.GET_RECORDS)).isGreaterThanOrEqualTo(2 * 3);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(15);
    }

    // ------------------------------------------------------------------------------ helpers

    private static DynamoDbStreamsSourceBuilder<ChangeEvent> sourceBuilder(String arn) {
        return DynamoDbStreamsSource.<ChangeEvent>builder()
                .streamArn(arn)
                .startingPosition(StartingPosition.trimHorizon())
                .awsConfig(proxy.awsConfig())
                .idlePollInterval(Duration.ofMillis(100))
                .shardDiscoveryInterval(Duration.ofMillis(500))
                .setConfig(DynamoDbStreamsSourceOptions.GET_RECORDS_MAX_RECORDS, 25)
                .setConfig(
                        DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(20))
                .setConfig(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(200));
    }

    /** The id of the stream's one open shard (DynamoDB Local never splits). */
    private static String openShard(String arn) {
        return DYNAMODB
                .streamsClient()
                .describeStream(r -> r.streamArn(arn))
                .streamDescription()
                .shards()
                .stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .findFirst()
                .orElseThrow()
                .shardId();
    }

    /** Every armed fault was served: none is left waiting for a call that never came. */
    private static void awaitAllServed() throws InterruptedException {
        await(() -> proxy.armed() == 0, TIMEOUT);
    }

    /**
     * The sum over subtasks of the job's counters (or number gauges) whose identifier matches
     * {@code pattern}.
     */
    private static long counter(JobClient job, String pattern) {
        Map<String, Metric> metrics = METRICS.findMetrics(job.getJobID(), ".*" + pattern);
        assertThat(metrics).as("metrics matching %s", pattern).isNotEmpty();
        return metrics.values().stream()
                .mapToLong(
                        m ->
                                m instanceof Counter
                                        ? ((Counter) m).getCount()
                                        : ((Number) ((Gauge<?>) m).getValue()).longValue())
                .sum();
    }

    private static String messages(Throwable failure) {
        assertThat(failure).as("the job failed").isNotNull();
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            text.append(t.getMessage()).append('\n');
        }
        return text.toString();
    }

    private static void await(BooleanSupplier condition, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + timeout);
            }
            Thread.sleep(20);
        }
    }

    /** One job over its own table, written with a versioned workload. */
    private final class Run {
        final String id;
        final String arn;
        final VersionedWorkload workload;

        Run(String table, long seed) {
            this.id = table;
            this.arn = DYNAMODB.createTable(table, StreamViewType.NEW_AND_OLD_IMAGES);
            this.workload = new VersionedWorkload(DYNAMODB.dynamoDbClient(), table, 20, seed);
            workload.write(50);
        }

        JobClient start(DynamoDbStreamsSource<ChangeEvent> source, boolean restarts)
                throws Exception {
            Configuration conf = new Configuration();
            conf.set(PipelineOptions.GENERIC_TYPES, false);
            if (restarts) {
                // A failure would restart the job, and the open count would show it.
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
                conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
                conf.set(
                        RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY,
                        Duration.ofMillis(100));
            } else {
                conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            }
            StreamExecutionEnvironment env =
                    StreamExecutionEnvironment.getExecutionEnvironment(conf);
            env.setParallelism(1);
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "ddb-streams")
                    .map(new OpenCounter(id))
                    .sinkTo(new CollectingSink<>(id));
            JobClient job = env.executeAsync(id);
            jobs.add(job);
            return job;
        }

        /** Two rollovers with changes before and after each, so faults meet new shards. */
        void writeWithRollovers() {
            DYNAMODB.triggerShardRollovers();
            workload.write(50);
            DYNAMODB.triggerShardRollovers();
            workload.write(50);
        }

        List<ChangeEvent> received() {
            return CollectingSink.results(id);
        }

        void assertNeverRestarted() {
            assertThat(OpenCounter.opens(id))
                    .as("opens of the job's map (a restart opens again)")
                    .isEqualTo(1);
        }

        /** Waits for {@code count} events, or stops early when the job restarted. */
        void awaitReceived(int count) throws InterruptedException {
            await(() -> received().size() >= count || OpenCounter.opens(id) > 1, TIMEOUT);
        }
    }

    /** Passes events through and counts its opens per job id: a restart opens it again. */
    private static final class OpenCounter extends RichMapFunction<ChangeEvent, ChangeEvent> {
        private static final long serialVersionUID = 1L;
        private static final Map<String, AtomicInteger> OPENS = new ConcurrentHashMap<>();

        private final String id;

        OpenCounter(String id) {
            this.id = id;
        }

        static int opens(String id) {
            return OPENS.getOrDefault(id, new AtomicInteger()).get();
        }

        @Override
        public void open(OpenContext openContext) {
            OPENS.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public ChangeEvent map(ChangeEvent event) {
            return event;
        }
    }
}
