package io.github.ddbstreams.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.assign.ChildLookupRetries;
import io.github.ddbstreams.flink.source.split.DynamoDbSplit;
import io.github.ddbstreams.flink.source.split.ScanSegmentSplit;
import io.github.ddbstreams.flink.source.split.ShardPosition;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import io.github.ddbstreams.flink.testutils.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.StreamStatus;

/** Assignment, lineage, discovery and starting positions of the enumerator. */
class DynamoDbStreamsSourceEnumeratorTest {

    private final FakeStreamsClient fake = new FakeStreamsClient();
    private EnumeratorHarness h;

    @AfterEach
    void close() throws Exception {
        if (h != null) {
            h.close();
        }
    }

    @Test
    void assignsAsSoonAsEveryReaderRegisteredAfterTheInitialDiscovery() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());

        h.runInitialDiscovery();
        assertThat(h.assignments()).as("no reader yet").isEmpty();

        h.register(0);
        // The first reader must not take every root shard (and with them every lineage).
        assertThat(h.assignments()).as("one of two readers registered").isEmpty();

        h.register(1);
        // No periodic discovery has run: registration alone hands out the ready shards.
        assertThat(h.subtaskByShard()).containsExactly(Map.entry(a, 0), Map.entry(b, 1));
    }

    @Test
    void aReaderThatDoesNotRegisterInTheGracePeriodHoldsNoShardsBack() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());
        h.runInitialDiscovery();
        h.register(0);

        h.endRegistrationGrace();
        assertThat(h.assignedTo(0)).containsExactly(a, b);

        // Later registrations get new lineages; the grace period does not come back.
        String c = fake.addShard(null);
        h.register(1);
        h.runPeriodicDiscovery();
        assertThat(h.assignedTo(1)).containsExactly(c);
    }

    @Test
    void assignsWhenTheInitialDiscoveryCompletesIfReadersRegisteredBefore() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());

        h.register(0, 1);
        assertThat(h.assignments()).isEmpty();

        h.runInitialDiscovery();
        assertThat(h.subtaskByShard()).containsExactly(Map.entry(a, 0), Map.entry(b, 1));
    }

    @Test
    void childrenWaitForTheirParentAndFollowTheSubtaskThatFinishedIt() throws Throwable {
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        String a1 = fake.rollover(a);
        List<String> bChildren = fake.split(b);
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());
        h.register(0, 1);
        h.runInitialDiscovery();

        // Roots are balanced; no child is handed out before its parent is reported finished.
        assertThat(h.subtaskByShard()).containsExactly(Map.entry(a, 0), Map.entry(b, 1));
        h.runPeriodicDiscovery();
        assertThat(h.assignedShardIds()).containsExactly(a, b);

        h.finish(1, b);
        // Both children of the split go to subtask 1, although balance alone would send the
        // second one to subtask 0: order per item downstream needs the lineage on one subtask.
        assertThat(h.assignedTo(1)).containsExactly(b, bChildren.get(0), bChildren.get(1));
        assertThat(h.assignedShardIds()).doesNotContain(a1);
        for (String child : bChildren) {
            assertThat(h.split(child).getParentShardId()).isEqualTo(b);
        }

        h.finish(0, a);
        assertThat(h.assignedTo(0)).containsExactly(a, a1);
        assertThat(h.split(a1).getParentShardId()).isEqualTo(a);
        // The children were known from the listing: no lookup was needed.
        assertThat(h.pendingOneTimeCallables()).isZero();
    }

    @ParameterizedTest(name = "shard filter honoured: {0}")
    @ValueSource(booleans = {true, false})
    void looksUpTheChildrenOfAFinishedShardAtOnce(boolean honourShardFilter) throws Throwable {
        if (!honourShardFilter) {
            fake.ignoreShardFilter();
        }
        String a = fake.addShard(null);
        String b = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());
        h.register(0, 1);
        h.runInitialDiscovery();
        List<String> children = fake.split(b);
        int describeCalls = fake.describeStreamCalls.get();

        h.finish(1, b);
        assertThat(h.pendingOneTimeCallables()).as("child lookup queued").isEqualTo(1);
        h.runNextOneTimeCallable();

        // Assigned without any periodic discovery, to the subtask that finished the parent.
        assertThat(h.assignedTo(1)).containsExactly(b, children.get(0), children.get(1));
        assertThat(h.assignedTo(0)).containsExactly(a);
        assertThat(fake.listChildShardsCalls.get()).isEqualTo(1);
        // Without ShardFilter the fallback lists only what comes after the newest known shard.
        assertThat(fake.describeStreamCalls.get() - describeCalls)
                .isEqualTo(honourShardFilter ? 0 : 1);
    }

    @Test
    void repeatsAChildLookupThatFoundNothingUntilTheChildIsListed() throws Throwable {
        String a = startWithOneShardAndReader();
        // The listing shows the shard closed before its child, as DynamoDB Streams' may briefly.
        fake.closeWithoutChildren(a);
        h.finish(0, a);
        h.runNextOneTimeCallable();
        assertThat(h.assignedTo(0)).containsExactly(a);

        String child = fake.addShard(a);
        h.runChildLookupTick();
        assertThat(h.pendingOneTimeCallables()).as("not due yet").isZero();
        h.pacingClock.advanceMillis(ChildLookupRetries.FIRST_DELAY_MILLIS);
        h.runChildLookupTick();
        assertThat(h.pendingOneTimeCallables()).as("the repeated lookup").isEqualTo(1);
        h.runNextOneTimeCallable();

        // Assigned well before the next periodic discovery (10 s), which never ran here.
        assertThat(h.assignedTo(0)).containsExactly(a, child);
        h.pacingClock.advanceMillis(60_000);
        h.runChildLookupTick();
        assertThat(h.pendingOneTimeCallables()).as("no repeat once found").isZero();
    }

    @Test
    void repeatedChildLookupsOfAShardWithoutChildrenEndWithinTheDiscoveryInterval()
            throws Throwable {
        String a = startWithOneShardAndReader();
        fake.closeWithoutChildren(a); // and no child ever comes, as when a stream is disabled
        h.finish(0, a);
        h.runNextOneTimeCallable();
        int lookups = fake.listChildShardsCalls.get();
        long start = h.pacingClock.millis();

        long lastLookupAt = start;
        while (h.pacingClock.millis() - start < 60_000) {
            h.pacingClock.advanceMillis(EnumeratorHarness.CHILD_LOOKUP_TICK_MILLIS);
            h.runChildLookupTick();
            while (h.pendingOneTimeCallables() > 0) {
                h.runNextOneTimeCallable();
                lastLookupAt = h.pacingClock.millis();
            }
        }

        // 250, 500, 1000, 2000, 4000 ms after the first: the next would pass the 10 s interval.
        assertThat(fake.listChildShardsCalls.get() - lookups).isEqualTo(5);
        assertThat(lastLookupAt - start).isLessThanOrEqualTo(10_000);
        assertThat(h.assignedTo(0)).containsExactly(a);
    }

    @Test
    void aDisabledStreamsShardsGetNoRepeatedChildLookups() throws Throwable {
        fake.ignoreShardFilter(); // the lookup then lists the stream, which reports its status
        String a = startWithOneShardAndReader();
        fake.closeWithoutChildren(a);
        fake.setStatus(StreamStatus.DISABLED);
        h.finish(0, a);
        h.runNextOneTimeCallable();

        assertThat(h.context.getPeriodicCallables())
                .as("discovery and registration grace only: no tick for repeated lookups")
                .hasSize(2);
    }

    @Test
    void periodicDiscoveryListsOnlyShardsAfterTheNewestKnownOne() throws Throwable {
        // A second apart: incremental listings re-list only the last minute of shards.
        fake.setShardSpacingMillis(1000);
        for (int i = 0; i < 350; i++) {
            fake.addShard(null);
        }
        h = EnumeratorHarness.started(fake, 2, StartingPosition.trimHorizon());
        h.register(0, 1);

        h.runInitialDiscovery();
        assertThat(fake.describeStreamCalls.get()).as("4 pages of 100").isEqualTo(4);
        assertThat(h.assignedShardIds()).hasSize(350).doesNotHaveDuplicates();

        h.runPeriodicDiscovery();
        assertThat(fake.describeStreamCalls.get()).as("one page, nothing new").isEqualTo(5);

        String added = fake.addShard(null);
        h.runPeriodicDiscovery();
        assertThat(fake.describeStreamCalls.get()).isEqualTo(6);
        assertThat(h.assignedShardIds()).hasSize(351).last().isEqualTo(added);
    }

    @Test
    void periodicDiscoveryListsEverythingOnceTheFullListingIntervalHasPassed() throws Throwable {
        for (int i = 0; i < 150; i++) {
            fake.addShard(null);
        }
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL, Duration.ofMillis(1));
        h =
                EnumeratorHarness.started(
                        fake,
                        1,
                        EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false),
                        null);
        h.runInitialDiscovery();
        Thread.sleep(5);

        h.runPeriodicDiscovery();
        assertThat(fake.describeStreamCalls.get()).isEqualTo(2 + 2);
    }

    @Test
    void latestResolvesIteratorsOfOpenShardsAtStartAndReadsLaterShardsFromTheirStart()
            throws Throwable {
        String a = fake.addShard(null);
        fake.put(a, "k", OperationType.INSERT, 1);
        String a1 = fake.rollover(a); // a is closed at job start
        String b = fake.addShard(null);
        for (int i = 0; i < 3; i++) {
            fake.put(b, "k" + i, OperationType.INSERT, i);
        }
        long built = System.currentTimeMillis();
        h = EnumeratorHarness.started(fake, 2, StartingPosition.latest());
        h.register(0, 1);
        long before = System.currentTimeMillis();
        h.runInitialDiscovery();

        assertThat(fake.getShardIteratorCalls.get()).as("open shards only").isEqualTo(2);
        assertThat(h.assignedShardIds()).containsExactlyInAnyOrder(a1, b);
        ShardPosition bStart = h.split(b).getPosition();
        assertThat(bStart.getKind()).isEqualTo(ShardPosition.Kind.LATEST_ITERATOR);
        assertThat(bStart.getValue()).as("after b's 3 records").startsWith(b + "#3#");
        assertThat(bStart.getTimestampMillis()).as("the job's start").isBetween(built, before);
        assertThat(h.split(a1).getPosition().getKind())
                .isEqualTo(ShardPosition.Kind.LATEST_ITERATOR);
        assertThat(h.split(a1).getPosition().getValue()).startsWith(a1 + "#0#");

        // Shards created after the start hold only records written after it: read them whole.
        List<String> bChildren = fake.split(b);
        h.finish(h.subtaskByShard().get(b), b);
        h.runNextOneTimeCallable();
        for (String child : bChildren) {
            assertThat(h.split(child).getPosition()).isEqualTo(ShardPosition.trimHorizon());
        }
        assertThat(h.assignedShardIds()).doesNotContain(a);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"TRIM_HORIZON", "AT_TIMESTAMP"})
    void otherStartingPositionsReadClosedShardsAndNeedNoIterator(String kind) throws Throwable {
        Instant timestamp = Instant.parse("2026-01-02T03:04:05.678Z");
        StartingPosition start =
                kind.equals("AT_TIMESTAMP")
                        ? StartingPosition.atTimestamp(timestamp)
                        : StartingPosition.trimHorizon();
        ShardPosition expected =
                kind.equals("AT_TIMESTAMP")
                        ? ShardPosition.atTimestamp(timestamp.toEpochMilli())
                        : ShardPosition.trimHorizon();
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        String b = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 2, start);
        h.register(0, 1);
        h.runInitialDiscovery();

        assertThat(h.assignedShardIds()).containsExactly(a, b);
        h.finish(h.subtaskByShard().get(a), a);
        assertThat(h.assignedShardIds()).containsExactly(a, b, a1);
        for (String shard : List.of(a, b, a1)) {
            assertThat(h.split(shard).getPosition()).as(shard).isEqualTo(expected);
        }
        assertThat(fake.getShardIteratorCalls.get()).isZero();
    }

    @Test
    void boundedReadEndsOnceEveryShardCreatedBeforeTheStartIsFinished() throws Throwable {
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        String b = fake.addShard(null);
        h =
                EnumeratorHarness.started(
                        fake,
                        2,
                        EnumeratorHarness.settings(
                                StartingPosition.trimHorizon(), new Configuration(), true),
                        null);
        h.register(0, 1);
        h.runInitialDiscovery();
        // Shards created after the job started are out of a bounded read.
        fake.setClock(System.currentTimeMillis() + Duration.ofHours(1).toMillis());
        List<String> bChildren = fake.split(b);
        h.runPeriodicDiscovery();
        assertThat(h.assignedShardIds()).containsExactly(a, b);

        h.finish(h.subtaskByShard().get(b), b);
        h.finish(h.subtaskByShard().get(a), a);
        assertThat(h.assignedShardIds()).containsExactly(a, b, a1);
        assertThat(noMoreSplits()).containsExactly(false, false);

        h.finish(h.subtaskByShard().get(a1), a1);
        assertThat(h.assignedShardIds()).doesNotContainAnyElementsOf(bChildren);
        assertThat(noMoreSplits()).containsExactly(true, true);
    }

    @Test
    void theFirstListingRetriesServerErrorsInsteadOfFailingTheJob() throws Throwable {
        String a = fake.addShard(null);
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(5));
        fake.failNextCalls(4, EnumeratorTestErrors::serviceUnavailable);
        h =
                EnumeratorHarness.started(
                        fake,
                        1,
                        EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false),
                        null);
        h.register(0);

        h.runInitialDiscovery();

        assertThat(h.assignedTo(0)).containsExactly(a);
    }

    @Test
    void theFirstListingGivesUpAfterTheConfiguredTimeWithTheLastError() {
        fake.addShard(null);
        Configuration config = new Configuration();
        config.set(DynamoDbStreamsSourceOptions.RETRY_INITIAL_BACKOFF, Duration.ofMillis(1));
        config.set(DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF, Duration.ofMillis(5));
        config.set(DynamoDbStreamsSourceOptions.RETRY_GIVE_UP_AFTER, Duration.ofMillis(50));
        fake.failNextCalls(Integer.MAX_VALUE, EnumeratorTestErrors::serviceUnavailable);
        h =
                EnumeratorHarness.started(
                        fake,
                        1,
                        EnumeratorHarness.settings(StartingPosition.trimHorizon(), config, false),
                        null);

        assertThatThrownBy(h::runInitialDiscovery)
                .hasMessageContaining(FakeStreamsClient.STREAM_ARN)
                .hasMessageContaining("service unavailable");
    }

    @Test
    void theFirstListingFailsAtOnceOnAnErrorThatWouldRepeat() {
        fake.addShard(null);
        fake.failNextCalls(
                1,
                () ->
                        software.amazon.awssdk.services.dynamodb.model.DynamoDbException.builder()
                                .statusCode(400)
                                .message("access denied (fake)")
                                .build());
        h = EnumeratorHarness.started(fake, 1, StartingPosition.trimHorizon());

        assertThatThrownBy(h::runInitialDiscovery).hasMessageContaining("access denied (fake)");
    }

    @Test
    void aFailedPeriodicListingIsRetriedAtTheNextIntervalWithOneWarning() throws Throwable {
        String a = startWithOneShardAndReader();

        fake.failNextCalls(1, EnumeratorTestErrors::serviceUnavailable);
        try (LogCapture logs = LogCapture.everything()) {
            h.runPeriodicDiscovery();
            assertThat(logs.text())
                    .contains("WARN  " + DynamoDbStreamsSourceEnumerator.class.getName())
                    .contains("Shard discovery of stream " + FakeStreamsClient.STREAM_ARN)
                    .contains("service unavailable (fake)");
        }
        String b = fake.addShard(null);
        h.runPeriodicDiscovery();

        assertThat(h.assignedTo(0)).containsExactly(a, b);
    }

    @Test
    void aListingInterruptedByTheEnumeratorClosingIsNotReportedAsAFailure() throws Throwable {
        startWithOneShardAndReader();

        // What the pacer throws when Flink interrupts the worker thread of a closing enumerator.
        fake.failNextCalls(
                1,
                () ->
                        new FlinkRuntimeException(
                                "Interrupted while pacing DescribeStream calls",
                                new InterruptedException()));
        try (LogCapture logs = LogCapture.everything()) {
            h.runPeriodicDiscovery();
            assertThat(logs.text())
                    .doesNotContain("WARN  " + DynamoDbStreamsSourceEnumerator.class.getName())
                    .contains("DEBUG " + DynamoDbStreamsSourceEnumerator.class.getName())
                    .contains("interrupted");
        }
    }

    @Test
    void aStreamThatDoesNotExistFailsWithItsArn() {
        String wrongArn =
                "arn:aws:dynamodb:us-east-1:123456789012:table/other/stream/2026-02-02T00:00:00.000";
        h = EnumeratorHarness.startedOn(fake, wrongArn);

        assertThatThrownBy(h::runInitialDiscovery)
                .hasMessageContaining(wrongArn)
                .hasMessageContaining("does not exist");
    }

    @Test
    void aStreamWhoseViewTypeTheDeserializerCannotUseFailsAtStartNamingBoth() {
        fake.addShard(null);
        fake.setViewType(software.amazon.awssdk.services.dynamodb.model.StreamViewType.KEYS_ONLY);
        h =
                EnumeratorHarness.started(
                        fake,
                        1,
                        new EnumeratorSettings(
                                StartingPosition.trimHorizon(),
                                new org.apache.flink.configuration.Configuration(),
                                false,
                                java.util.Set.of(
                                        software.amazon.awssdk.services.dynamodb.model
                                                .StreamViewType.NEW_AND_OLD_IMAGES)),
                        null);

        assertThatThrownBy(h::runInitialDiscovery)
                .hasMessageContaining(FakeStreamsClient.STREAM_ARN)
                .hasMessageContaining("KEYS_ONLY")
                .hasMessageContaining("NEW_AND_OLD_IMAGES");
    }

    @Test
    void snapshotThenStreamOnAKeysOnlyStreamFailsAtStartNamingTheViewTypeAndTheFix() {
        fake.addShard(null);
        fake.setViewType(software.amazon.awssdk.services.dynamodb.model.StreamViewType.KEYS_ONLY);
        h = EnumeratorHarness.started(fake, 1, snapshotSettings(false), null);

        assertThatThrownBy(h::runInitialDiscovery)
                .hasMessageContaining(FakeStreamsClient.STREAM_ARN)
                .hasMessageContaining("KEYS_ONLY")
                .hasMessageContaining("NEW_AND_OLD_IMAGES")
                .hasMessageContaining("bounded()");
    }

    @Test
    void aContentsOnlySnapshotReadsAKeysOnlyTableWithoutReadingItsShards() throws Throwable {
        String shard = fake.addShard(null);
        fake.setViewType(software.amazon.awssdk.services.dynamodb.model.StreamViewType.KEYS_ONLY);
        h = EnumeratorHarness.started(fake, 1, snapshotSettings(true), null);
        h.register(0);

        h.runInitialDiscovery();

        List<DynamoDbSplit> assigned =
                h.context.getSplitsAssignmentSequence().stream()
                        .flatMap(a -> a.assignment().values().stream())
                        .flatMap(List::stream)
                        .toList();
        assertThat(assigned).hasSize(3).allMatch(s -> s instanceof ScanSegmentSplit);
        assertThat(assigned).noneMatch(s -> s.splitId().endsWith(shard));
    }

    @Test
    void theSnapshotsTableItemCountIsGaugedForItsProgress() throws Throwable {
        fake.addShard(null);
        ForwardingStreamsClient described =
                new ForwardingStreamsClient(fake) {
                    @Override
                    public software.amazon.awssdk.services.dynamodb.model.TableDescription
                            describeTable(String tableName) {
                        return software.amazon.awssdk.services.dynamodb.model.TableDescription
                                .builder()
                                .tableName(tableName)
                                .itemCount(1_234L)
                                .build();
                    }
                };
        h = EnumeratorHarness.startedWith(described, fake, snapshotSettings(true));
        h.register(0);

        h.runInitialDiscovery();

        assertThat(h.enumerator.metrics().snapshotTableItems()).isEqualTo(1_234);
        assertThat(h.enumerator.metrics().snapshotSegmentsTotal()).isEqualTo(3);
    }

    /** Snapshot settings of 3 segments (no DescribeTable), needing NEW_AND_OLD_IMAGES. */
    private static EnumeratorSettings snapshotSettings(boolean bounded) {
        org.apache.flink.configuration.Configuration config =
                new org.apache.flink.configuration.Configuration();
        config.set(
                io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS,
                3);
        return new EnumeratorSettings(
                StartingPosition.initialSnapshot(),
                config,
                bounded,
                java.util.Set.of(
                        software.amazon.awssdk.services.dynamodb.model.StreamViewType
                                .NEW_AND_OLD_IMAGES));
    }

    private List<Boolean> noMoreSplits() {
        List<Boolean> flags = new ArrayList<>();
        for (int subtask = 0; subtask < 2; subtask++) {
            flags.add(h.context.hasNoMoreSplits(subtask));
        }
        return flags;
    }

    @Test
    void gaugesCountAssignedPendingAndFinishedShards() throws Throwable {
        String a = fake.addShard(null);
        String a1 = fake.rollover(a);
        fake.rollover(a1);
        fake.addShard(null);
        h = EnumeratorHarness.started(fake, 1, StartingPosition.trimHorizon());
        h.register(0);
        h.runInitialDiscovery();

        EnumeratorMetrics metrics = h.enumerator.metrics();
        assertThat(metrics.shardsAssigned()).isEqualTo(2); // the two roots
        assertThat(metrics.shardsPendingOnParent()).isEqualTo(2); // a1 and its child
        assertThat(metrics.shardsFinished()).isZero();

        h.finish(0, a);
        assertThat(metrics.shardsAssigned()).isEqualTo(2); // the other root and a1
        assertThat(metrics.shardsPendingOnParent()).isEqualTo(1);
        assertThat(metrics.shardsFinished()).isEqualTo(1);
    }

    /** One shard, read by the one registered reader after the initial discovery; returns it. */
    private String startWithOneShardAndReader() throws Throwable {
        String shard = fake.addShard(null);
        h = EnumeratorHarness.started(fake, 1, StartingPosition.trimHorizon());
        h.register(0);
        h.runInitialDiscovery();
        return shard;
    }

    /** Errors the fake throws. */
    private static final class EnumeratorTestErrors {
        static RuntimeException serviceUnavailable() {
            return software.amazon.awssdk.services.dynamodb.model.DynamoDbException.builder()
                    .statusCode(503)
                    .message("service unavailable (fake)")
                    .build();
        }
    }
}
