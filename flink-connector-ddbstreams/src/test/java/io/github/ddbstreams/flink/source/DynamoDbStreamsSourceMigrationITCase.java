package io.github.ddbstreams.flink.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.format.ChangeEvent;
import io.github.ddbstreams.flink.format.ChangeEventDeserializer;
import io.github.ddbstreams.flink.format.DynamoDbStreamsDeserializer;
import io.github.ddbstreams.flink.testutils.CollectingSink;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.FakeStreamsClients;
import io.github.ddbstreams.flink.testutils.FakeTable;
import io.github.ddbstreams.flink.testutils.MiniClusterFixture;
import io.github.ddbstreams.flink.testutils.RecordingStreamsClient;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.annotation.Nullable;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/**
 * Restores job savepoints written by earlier versions of the connector, committed under {@code
 * src/test/resources/savepoints/vN/NAME/}, and checks that the job goes on exactly where the
 * savepoint left off.
 *
 * <p>A savepoint names a stream ARN, shard ids and sequence numbers, which a DynamoDB Local
 * instance started later would not reproduce (its ARNs carry a creation timestamp). So the
 * savepoints are written and restored against a {@link FakeStreamsClient} built by {@link
 * #streamAsOfV1()}, which is deterministic: a fixed ARN, shard ids from a fixed clock, sequence
 * numbers from a fixed counter. The stream at savepoint time:
 *
 * <pre>
 *   A (closed): a-0 .. a-4      C (open): c-0 .. c-2
 *   +-- B (open, child of A): b-0 .. b-2
 * </pre>
 *
 * The generator job read all 11 records, so the savepoint holds A finished, B at b-2 and C at c-2.
 * The test rebuilds that stream, appends b-3, b-4, rolls B over into D with d-0, d-1, and appends
 * c-3, c-4 (some before, some after the restored job starts), restores, and expects exactly those 6
 * records, in order per shard lineage, A never opened again, and B and C resumed after their
 * checkpointed sequence numbers.
 *
 * <p><b>Snapshot-then-stream savepoints.</b> The savepoints under {@code vN-snapshot/} are of
 * {@link #snapshotJob}, a snapshot-then-stream job ({@code addTo}: source, keyed merge, sink),
 * taken in the middle of the table's snapshot on the deterministic table and stream of {@link
 * MidSnapshotSavepoint} (a {@code FakeTable} beside the fake stream): two of four Scan segments
 * read, one part-read, one unread (the generator throttles its Scan calls), 8 rows held in the
 * merge and 4 items taken over by the stream. They carry what the stream savepoints do not: the
 * enumerator state's snapshot (version 3), Scan segment splits, and the merge's keyed state and
 * event-time timers. The test restores each at parallelism 1, 2 and 3, writes more changes, and
 * checks every item's whole history (the generator's rows, {@link
 * MidSnapshotSavepoint#EMITTED_BEFORE_SAVEPOINT}, then the restored job's): each held row released
 * once, rows read after the stream took their item over dropped, no change lost or repeated, the
 * part-read segment resumed after its checkpointed key and the finished ones never read again.
 *
 * <p><b>Writing a savepoint for a new state version.</b> When a serializer of the source's state
 * ({@code DynamoDbSplitSerializer}, {@code DynamoDbStreamsSourceEnumStateSerializer}) gets a new
 * version N, run the generator from the repository root (it forks a JVM: under {@code exec:java}
 * Maven's class loaders hide Flink's runtime classes from the local cluster):
 *
 * <pre>
 * mvn -pl flink-connector-ddbstreams test-compile exec:exec -Dexec.executable=java \
 *   -Dexec.classpathScope=test -Dexec.args="-cp %classpath \
 *   io.github.ddbstreams.flink.source.DynamoDbStreamsSourceMigrationITCase \
 *   src/test/resources/savepoints/vN/flink-X.Y.Z-p2"
 * </pre>
 *
 * and add the new directory to {@link #SAVEPOINTS}. When the snapshot's state changes (the
 * enumerator state's snapshot part, a Scan segment split, the merge's keyed state), write a
 * mid-snapshot savepoint as well, with {@code snapshot-then-stream} after the directory in {@code
 * exec.args} and a directory {@code src/test/resources/savepoints/vN-snapshot/flink-X.Y.Z-p2}, and
 * add it to {@link #SNAPSHOT_SAVEPOINTS}; the generator checks that its job read and emitted
 * exactly what {@link MidSnapshotSavepoint} documents, and fails otherwise (run it again). Run it
 * once per Flink line the connector builds against (add {@code -Pflink-1.20} for 1.20): Flink does
 * not read a newer version's savepoints, so each line needs its own. Keep every version's directory
 * forever: each is the real bytes an older release wrote, and restoring them is the promise. (The
 * merge inside {@code addTo} gained a second input, the segment ends, after {@code v3-snapshot} was
 * written; those savepoints restore into it, and {@code v3-snapshot-ends} holds the new state.)
 * Never change {@link #streamAsOfV1()} or {@link #job}'s topology and uids, nor {@link
 * MidSnapshotSavepoint} and {@link #snapshotJob}'s topology and uids: the committed savepoints
 * depend on them; a savepoint for a different stream needs its own builder method.
 */
public class DynamoDbStreamsSourceMigrationITCase {

    private static final String SOURCE_UID = "ddb-source";
    private static final String SINK_UID = "sink";
    private static final String GENERATOR_CLIENT = "migration-generator";
    private static final int RECORDS_AT_SAVEPOINT = 11;
    private static final String SNAPSHOT_THEN_STREAM = "snapshot-then-stream";

    /**
     * Every committed savepoint under {@code src/test/resources/savepoints}, named {@code
     * vSTATE/flink-VERSION-pPARALLELISM}. Keep them all; see the class Javadoc.
     */
    private static final List<String> SAVEPOINTS =
            List.of(
                    "v1/flink-2.3.0-p2",
                    "v1/flink-1.20.3-p2",
                    // Version 2 of the split serializer (a kind byte before each split).
                    "v2/flink-2.3.0-p2",
                    "v2/flink-1.20.3-p2");

    /**
     * Every committed savepoint of {@link #snapshotJob} taken mid-snapshot ({@link
     * MidSnapshotSavepoint}), named {@code vSTATE-snapshot/flink-VERSION-pPARALLELISM}. Keep them
     * all; see the class Javadoc.
     */
    private static final List<String> SNAPSHOT_SAVEPOINTS =
            List.of(
                    // Version 3 of the enumerator state (the snapshot's segments), version 2 of
                    // the split serializer (Scan segments), the merge's keyed state; taken when
                    // the merge was a one-input keyed operator.
                    "v3-snapshot/flink-2.3.0-p2",
                    "v3-snapshot/flink-1.20.3-p2",
                    // The merge with its second input, the segment ends: its broadcast state
                    // holds the ends of segments 0 and 1.
                    "v3-snapshot-ends/flink-2.3.0-p2",
                    "v3-snapshot-ends/flink-1.20.3-p2");

    /**
     * The generator's {@code source.snapshot.max-stream-lag}: its rows stay held until the
     * savepoint even if an unread segment no longer held the watermark back. Their timers in the
     * savepoint lie this long after their read, long past when a test restores them.
     */
    private static final Duration GENERATOR_MAX_STREAM_LAG = Duration.ofSeconds(30);

    /** A restored job's lag (no state): rows read after the restore are released soon. */
    private static final Duration RESTORED_MAX_STREAM_LAG = Duration.ofSeconds(1);

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusterFixture.withSlots(4);

    private final List<String> registered = new ArrayList<>();

    @AfterEach
    void unregisterClients() {
        registered.forEach(FakeStreamsClients::unregister);
    }

    /** The stream every v1 savepoint was taken on; see the class Javadoc. Never change it. */
    static FakeStreamsClient streamAsOfV1() {
        FakeStreamsClient fake = new FakeStreamsClient();
        String a = fake.addShard(null);
        String c = fake.addShard(null);
        put(fake, a, "a", 0, 5);
        String b = fake.rollover(a);
        put(fake, b, "b", 0, 3);
        put(fake, c, "c", 0, 3);
        return fake;
    }

    /** Shard ids of {@link #streamAsOfV1()}: A, C, B in creation order. */
    private static String shard(FakeStreamsClient fake, int creationIndex) {
        return fake.shardIds().get(creationIndex);
    }

    private static void put(FakeStreamsClient fake, String shardId, String name, int from, int to) {
        for (int i = from; i < to; i++) {
            fake.put(shardId, name + "-" + i, OperationType.INSERT, 1);
        }
    }

    private static StreamExecutionEnvironment environment(
            int parallelism, @Nullable String savepoint) {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        if (savepoint != null) {
            conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        env.enableCheckpointing(200);
        return env;
    }

    /** The job of the stream savepoints: source (uid {@value #SOURCE_UID}) into a sink. */
    private static JobClient job(
            String clientName, String sinkId, int parallelism, @Nullable String savepoint)
            throws Exception {
        StreamExecutionEnvironment env = environment(parallelism, savepoint);
        DynamoDbStreamsSource<String> source =
                DynamoDbStreamsSource.<String>builder()
                        .streamArn(FakeStreamsClient.STREAM_ARN)
                        .startingPosition(StartingPosition.trimHorizon())
                        .deserializer(new KeyDeserializer())
                        .idlePollInterval(Duration.ofMillis(50))
                        .shardDiscoveryInterval(Duration.ofMillis(500))
                        .streamsClientFactory(FakeStreamsClients.factory(clientName))
                        .build();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "migration")
                .uid(SOURCE_UID)
                .sinkTo(new CollectingSink<>(sinkId))
                .uid(SINK_UID);
        return env.executeAsync("migration-p" + parallelism);
    }

    /**
     * The job of the mid-snapshot savepoints: a snapshot-then-stream source of {@link
     * MidSnapshotSavepoint}'s table added with {@code addTo} (uids {@code snapshot-migration/...})
     * into a sink (uid {@value #SINK_UID}). {@code maxStreamLag} is no state: the generator holds
     * rows longer than a restored job needs to.
     */
    private static JobClient snapshotJob(
            String clientName,
            String sinkId,
            int parallelism,
            @Nullable String savepoint,
            Duration maxStreamLag)
            throws Exception {
        StreamExecutionEnvironment env = environment(parallelism, savepoint);
        DynamoDbStreamsSource<ChangeEvent> source =
                DynamoDbStreamsSource.<ChangeEvent>builder()
                        .streamArn(FakeStreamsClient.STREAM_ARN)
                        .startingPosition(StartingPosition.initialSnapshot())
                        .deserializer(ChangeEventDeserializer.create())
                        .idlePollInterval(Duration.ofMillis(50))
                        .shardDiscoveryInterval(Duration.ofMillis(500))
                        .setConfig(
                                DynamoDbStreamsSourceOptions.SNAPSHOT_SEGMENTS,
                                MidSnapshotSavepoint.SEGMENTS)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.SNAPSHOT_PAGE_SIZE,
                                MidSnapshotSavepoint.PAGE_SIZE)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.SNAPSHOT_MAX_STREAM_LAG, maxStreamLag)
                        .setConfig(
                                DynamoDbStreamsSourceOptions.WATERMARK_CAUGHT_UP_MARGIN,
                                Duration.ofMillis(500))
                        .setConfig(
                                DynamoDbStreamsSourceOptions.RETRY_MAX_BACKOFF,
                                Duration.ofMillis(500))
                        .streamsClientFactory(FakeStreamsClients.factory(clientName))
                        .build();
        source.addTo(env, WatermarkStrategy.noWatermarks(), MidSnapshotSavepoint.NAME)
                .sinkTo(new CollectingSink<>(sinkId))
                .uid(SINK_UID);
        return env.executeAsync("snapshot-migration-p" + parallelism);
    }

    /** {@link #restorable} of {@link #SAVEPOINTS}. */
    static Stream<Arguments> restorableSavepoints() {
        return restorable(SAVEPOINTS);
    }

    /** {@link #restorable} of {@link #SNAPSHOT_SAVEPOINTS}. */
    static Stream<Arguments> restorableSnapshotSavepoints() {
        return restorable(SNAPSHOT_SAVEPOINTS);
    }

    /**
     * Every savepoint of {@code savepoints} the running Flink can read, at parallelism 1, 2 and 3.
     * Flink reads savepoints of its own and older versions only (1.20 cannot parse 2.x's metadata
     * format), so a savepoint written by a newer Flink than the one under test ({@code
     * -Pflink-1.20}) is left out.
     */
    private static Stream<Arguments> restorable(List<String> savepoints) {
        int[] running = majorMinor(EnvironmentInformation.getVersion());
        List<Arguments> cases = new ArrayList<>();
        for (String savepoint : savepoints) {
            // "v1/flink-2.3.0-p2": the Flink version is the part between "flink-" and "-p".
            String version = savepoint.substring(savepoint.indexOf("flink-") + 6);
            int[] written = majorMinor(version.substring(0, version.lastIndexOf("-p")));
            boolean readable =
                    written[0] < running[0]
                            || (written[0] == running[0] && written[1] <= running[1]);
            if (readable) {
                for (int parallelism = 1; parallelism <= 3; parallelism++) {
                    cases.add(Arguments.of(savepoint, parallelism));
                }
            }
        }
        assertThat(cases).as("no committed savepoint readable by Flink %s", running).isNotEmpty();
        return cases.stream();
    }

    private static int[] majorMinor(String version) {
        String[] parts = version.split("\\.");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    @ParameterizedTest(name = "{0} restored at parallelism {1}")
    @MethodSource("restorableSavepoints")
    void restoresSavepointAndContinuesAfterCheckpointedPositions(
            String savepointDirectory, int parallelism) throws Exception {
        String savepoint = resource("savepoints/" + savepointDirectory);
        FakeStreamsClient fake = streamAsOfV1();
        assertThat(fake.shardIds())
                .as("FakeStreamsClient must still make the ids the committed savepoints hold")
                .containsExactly(
                        "shardId-00000001700000000000-00000000",
                        "shardId-00000001700000000001-00000001",
                        "shardId-00000001700000000002-00000002");
        String a = shard(fake, 0);
        String c = shard(fake, 1);
        String b = shard(fake, 2);
        RecordingStreamsClient client = new RecordingStreamsClient(fake);
        String name = "migration-" + savepointDirectory + "-p" + parallelism;
        FakeStreamsClients.register(name, client);
        registered.add(name);

        put(fake, b, "b", 3, 5);
        String d = fake.rollover(b);
        put(fake, d, "d", 0, 1);
        JobClient job = job(name, name, parallelism, savepoint);
        await(() -> !CollectingSink.results(name).isEmpty());
        put(fake, d, "d", 1, 2);
        put(fake, c, "c", 3, 5);
        await(() -> CollectingSink.results(name).size() >= 6);
        Thread.sleep(500); // a duplicate or a re-read of A would arrive now
        job.cancel().get(30, TimeUnit.SECONDS);

        List<String> received = CollectingSink.results(name);
        assertThat(received).containsExactlyInAnyOrder("b-3", "b-4", "d-0", "d-1", "c-3", "c-4");
        assertThat(received.stream().filter(r -> !r.startsWith("c")))
                .containsExactly("b-3", "b-4", "d-0", "d-1");
        assertThat(received.stream().filter(r -> r.startsWith("c"))).containsExactly("c-3", "c-4");
        assertThat(client.iteratorRequests())
                .as("shard A was read to its end before the savepoint")
                .noneMatch(r -> r.shardId.equals(a));
        assertThat(client.iteratorRequests())
                .filteredOn(r -> r.shardId.equals(b) || r.shardId.equals(c))
                .allMatch(
                        r -> r.type == ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                        "resumed after the checkpointed record");
        assertThat(client.iteratorRequests()).filteredOn(r -> r.shardId.equals(d)).isNotEmpty();
    }

    @ParameterizedTest(name = "{0} restored at parallelism {1}")
    @MethodSource("restorableSnapshotSavepoints")
    void restoresMidSnapshotSavepointAndEveryItemGetsOneHistory(
            String savepointDirectory, int parallelism) throws Exception {
        String savepoint = resource("savepoints/" + savepointDirectory);
        MidSnapshotSavepoint.Setup setup = MidSnapshotSavepoint.tableAndStream();
        assertThat(setup.stream().shardIds())
                .as("FakeStreamsClient must still make the ids the committed savepoints hold")
                .containsExactly(
                        "shardId-00000001700000000000-00000000",
                        "shardId-00000001700000000001-00000001");
        MidSnapshotSavepoint.changesBeforeSavepoint(setup);
        RecordingStreamsClient client =
                new RecordingStreamsClient(setup.table().withStream(setup.stream()));
        String name = "migration-" + savepointDirectory + "-p" + parallelism;
        FakeStreamsClients.register(name, client);
        registered.add(name);
        Map<String, List<String>> histories = MidSnapshotSavepoint.histories();
        Map<String, List<String>> before = MidSnapshotSavepoint.EMITTED_BEFORE_SAVEPOINT;
        int rowsAfterRestore = rows(histories) - rows(before);

        JobClient job = snapshotJob(name, name, parallelism, savepoint, RESTORED_MAX_STREAM_LAG);
        MidSnapshotSavepoint.changesAfterRestore(setup, true);
        await(() -> !CollectingSink.results(name).isEmpty());
        MidSnapshotSavepoint.changesAfterRestore(setup, false);
        await(() -> CollectingSink.results(name).size() >= rowsAfterRestore);
        Thread.sleep(1_000); // a row emitted twice, or a held row released twice, would come now
        job.cancel().get(30, TimeUnit.SECONDS);

        Map<String, List<String>> after = MidSnapshotSavepoint.byItem(CollectingSink.results(name));
        Map<String, List<String>> whole = new TreeMap<>();
        for (String item : union(histories.keySet(), before.keySet(), after.keySet())) {
            List<String> rows = new ArrayList<>(before.getOrDefault(item, List.of()));
            rows.addAll(after.getOrDefault(item, List.of()));
            whole.put(item, rows);
        }
        assertThat(whole)
                .as("each item's rows before the savepoint (the generator's) and after the restore")
                .isEqualTo(histories);
        assertThat(lastStates(histories))
                .as("every item ends at the table's state")
                .isEqualTo(setup.table().versions());

        FakeTable table = setup.table();
        List<ScanRequest> scans = table.scans();
        assertThat(scans)
                .as("segments 0 and 1 were read before the savepoint")
                .allMatch(r -> r.segment() >= MidSnapshotSavepoint.PART_READ_SEGMENT);
        assertThat(firstScan(scans, MidSnapshotSavepoint.PART_READ_SEGMENT).exclusiveStartKey())
                .as("the part-read segment resumes after its checkpointed key")
                .isEqualTo(
                        Map.of(
                                FakeTable.KEY,
                                AttributeValue.fromS(MidSnapshotSavepoint.PART_READ_AFTER)));
        assertThat(firstScan(scans, MidSnapshotSavepoint.UNREAD_SEGMENT).hasExclusiveStartKey())
                .as("the unread segment starts at its beginning")
                .isFalse();
        // item-08 item-11 | item-15, and item-01 item-05 | item-12 new-02 | (empty): once each.
        assertThat(table.pagesServed(MidSnapshotSavepoint.PART_READ_SEGMENT)).isEqualTo(2);
        assertThat(table.pagesServed(MidSnapshotSavepoint.UNREAD_SEGMENT)).isEqualTo(3);
        assertThat(client.iteratorRequests())
                .as("shards resumed after their checkpointed records")
                .isNotEmpty()
                .allMatch(r -> r.type == ShardIteratorType.AFTER_SEQUENCE_NUMBER);
    }

    private static int rows(Map<String, List<String>> byItem) {
        return byItem.values().stream().mapToInt(List::size).sum();
    }

    @SafeVarargs
    private static Set<String> union(Set<String>... sets) {
        Set<String> all = new TreeSet<>();
        for (Set<String> set : sets) {
            all.addAll(set);
        }
        return all;
    }

    /** Each item's version after its history; items whose history ends with a REMOVE are gone. */
    private static Map<String, Long> lastStates(Map<String, List<String>> histories) {
        Map<String, Long> states = new TreeMap<>();
        histories.forEach(
                (item, rows) -> {
                    String last = rows.get(rows.size() - 1);
                    if (!last.startsWith("REMOVE")) {
                        String version =
                                last.substring(Math.max(last.indexOf(':'), last.indexOf('>')) + 1);
                        states.put(item, Long.parseLong(version));
                    }
                });
        return states;
    }

    private static ScanRequest firstScan(List<ScanRequest> scans, int segment) {
        return scans.stream()
                .filter(r -> r.segment() == segment)
                .findFirst()
                .orElseThrow(() -> new AssertionError("segment " + segment + " was not read"));
    }

    private static String resource(String path) throws URISyntaxException {
        URL url = DynamoDbStreamsSourceMigrationITCase.class.getClassLoader().getResource(path);
        assertThat(url).as("committed savepoint %s", path).isNotNull();
        return Paths.get(url.toURI()).toString();
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /**
     * Writes a savepoint into the directory {@code args[0]}, which must not exist yet: of {@link
     * #job} on {@link #streamAsOfV1()}, or with {@code args[1]} {@value #SNAPSHOT_THEN_STREAM} of
     * {@link #snapshotJob} mid-snapshot ({@link MidSnapshotSavepoint}); see the class Javadoc.
     */
    public static void main(String[] args) throws Exception {
        boolean snapshot = args.length == 2 && SNAPSHOT_THEN_STREAM.equals(args[1]);
        if (args.length != 1 && !snapshot) {
            System.err.println(
                    "usage: DynamoDbStreamsSourceMigrationITCase TARGET_DIRECTORY ["
                            + SNAPSHOT_THEN_STREAM
                            + "]");
            System.exit(2);
        }
        Path target = Paths.get(args[0]).toAbsolutePath();
        if (Files.exists(target)) {
            System.err.println(target + " exists: savepoints are kept forever, pick a new name");
            System.exit(2);
        }
        Path scratch = Files.createTempDirectory("savepoint-generator");
        String written = snapshot ? midSnapshotSavepoint(scratch) : streamSavepoint(scratch);
        copyDirectory(Paths.get(new URI(written)), target);
        System.out.println("Savepoint written to " + target);
        System.exit(0); // the local cluster's threads would keep the JVM alive
    }

    private static String streamSavepoint(Path scratch) throws Exception {
        FakeStreamsClients.register(GENERATOR_CLIENT, streamAsOfV1());
        JobClient job = job(GENERATOR_CLIENT, GENERATOR_CLIENT, 2, null);
        await(() -> CollectingSink.results(GENERATOR_CLIENT).size() >= RECORDS_AT_SAVEPOINT);
        // Let a few checkpoints complete so the enumerator has acknowledged A's end.
        Thread.sleep(1_000);
        List<String> received = CollectingSink.results(GENERATOR_CLIENT);
        if (received.size() != RECORDS_AT_SAVEPOINT) {
            System.err.println("expected " + RECORDS_AT_SAVEPOINT + " records, got " + received);
            System.exit(1);
        }
        System.out.println("Savepoint after " + received);
        return stopWithSavepoint(job, scratch);
    }

    /**
     * Stops segment 2 after one page and segment 3 before any (throttled Scan calls), waits until
     * segments 0 and 1 are read, writes {@link MidSnapshotSavepoint#changesBeforeSavepoint}, waits
     * for their rows, and takes the savepoint; checks before and after that the job saw exactly
     * what {@link MidSnapshotSavepoint} documents.
     */
    private static String midSnapshotSavepoint(Path scratch) throws Exception {
        MidSnapshotSavepoint.Setup setup = MidSnapshotSavepoint.tableAndStream();
        FakeTable table = setup.table();
        table.limitPages(MidSnapshotSavepoint.PART_READ_SEGMENT, 1);
        table.limitPages(MidSnapshotSavepoint.UNREAD_SEGMENT, 0);
        FakeStreamsClients.register(GENERATOR_CLIENT, table.withStream(setup.stream()));
        JobClient job =
                snapshotJob(GENERATOR_CLIENT, GENERATOR_CLIENT, 2, null, GENERATOR_MAX_STREAM_LAG);
        await(() -> Arrays.equals(pagesRead(table), MidSnapshotSavepoint.PAGES_READ));
        Thread.sleep(1_000); // the pages' rows reach the merge (and are held there)
        MidSnapshotSavepoint.changesBeforeSavepoint(setup);
        Map<String, List<String>> expected = MidSnapshotSavepoint.EMITTED_BEFORE_SAVEPOINT;
        await(() -> emittedByGenerator().equals(expected));
        Thread.sleep(500); // a row released too early would come now
        String written = stopWithSavepoint(job, scratch);
        Map<String, List<String>> emitted = emittedByGenerator();
        if (!emitted.equals(expected)
                || !Arrays.equals(pagesRead(table), MidSnapshotSavepoint.PAGES_READ)) {
            System.err.println(
                    "expected "
                            + expected
                            + " and pages "
                            + Arrays.toString(MidSnapshotSavepoint.PAGES_READ)
                            + ", got "
                            + emitted
                            + " and pages "
                            + Arrays.toString(pagesRead(table)));
            System.exit(1);
        }
        System.out.println("Savepoint after " + emitted);
        return written;
    }

    private static Map<String, List<String>> emittedByGenerator() {
        return new TreeMap<>(MidSnapshotSavepoint.byItem(CollectingSink.results(GENERATOR_CLIENT)));
    }

    private static int[] pagesRead(FakeTable table) {
        int[] pages = new int[MidSnapshotSavepoint.SEGMENTS];
        for (int segment = 0; segment < pages.length; segment++) {
            pages[segment] = table.pagesServed(segment);
        }
        return pages;
    }

    private static String stopWithSavepoint(JobClient job, Path scratch) throws Exception {
        return job.stopWithSavepoint(
                        false, scratch.toUri().toString(), SavepointFormatType.CANONICAL)
                .get(60, TimeUnit.SECONDS);
    }

    private static void copyDirectory(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(
                        file, to.resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /** Emits each record's {@code pk}: the fake's records are named after their shard. */
    private static final class KeyDeserializer implements DynamoDbStreamsDeserializer<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(
                Record record, String streamArn, String shardId, Collector<String> out) {
            out.collect(record.dynamodb().keys().get("pk").s());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
