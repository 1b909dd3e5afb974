package io.github.ddbstreams.flink.e2e.bench;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.StartingPosition;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumState;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumStateSerializer;
import io.github.ddbstreams.flink.source.enumerator.DynamoDbStreamsSourceEnumerator;
import io.github.ddbstreams.flink.source.enumerator.EnumeratorSettings;
import io.github.ddbstreams.flink.source.enumerator.assign.LineageAffinityAssigner;
import io.github.ddbstreams.flink.source.enumerator.discovery.DescribeStreamPacer;
import io.github.ddbstreams.flink.source.enumerator.lineage.DiscoveredShard;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardGraph;
import io.github.ddbstreams.flink.source.enumerator.lineage.ShardNode;
import io.github.ddbstreams.flink.source.event.FinishesReportedEvent;
import io.github.ddbstreams.flink.source.split.ShardSplit;
import io.github.ddbstreams.flink.testutils.FakeStreamsClient;
import io.github.ddbstreams.flink.testutils.ForwardingStreamsClient;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.configuration.Configuration;
import software.amazon.awssdk.services.dynamodb.model.SequenceNumberRange;
import software.amazon.awssdk.services.dynamodb.model.Shard;

/**
 * Benchmark 5, enumerator scale. (a) A {@link ShardGraph} of 100,000 shards (10,000 lineages of 10
 * generations, 90% finished, the rest assigned): the serialized enumerator state in bytes and the
 * time to snapshot and serialize it, against the 20 MB and 1 s targets. (b) An hour of discovery on
 * a fake stream with steady rollovers (every open shard rolls over every 4 hours, as on AWS, with
 * 24 hours of closed shards listed too), simulated interval by interval on the real enumerator:
 * DescribeStream calls per hour (incremental listings, child lookups, and the full listing every 10
 * minutes), against listing the whole stream every discovery interval.
 */
final class EnumeratorScaleBenchmark {
    private static final long HOUR = Duration.ofHours(1).toMillis();
    private static final long ROLLOVER_MILLIS = 4 * HOUR;
    private static final long TARGET_BYTES = 20L << 20;
    private static final long TARGET_SNAPSHOT_MILLIS = 1000;

    private EnumeratorScaleBenchmark() {}

    static List<BenchResult> run(BenchMode mode, PrintStream log) throws Exception {
        List<BenchResult> results = new ArrayList<>(graphState(mode, log));
        results.addAll(discovery(mode, log));
        return results;
    }

    private static List<BenchResult> graphState(BenchMode mode, PrintStream log) throws Exception {
        int lineages = 10_000;
        int generations = 10;
        long now = System.currentTimeMillis();
        long first = now - generations * ROLLOVER_MILLIS;
        Random random = new Random(42);
        ShardGraph graph = new ShardGraph(Duration.ofHours(24).toMillis());
        String[] previous = new String[lineages];
        String[][] ids = new String[generations][lineages];
        for (int g = 0; g < generations; g++) {
            List<DiscoveredShard> listed = new ArrayList<>(lineages);
            for (int l = 0; l < lineages; l++) {
                long created = first + g * ROLLOVER_MILLIS + l;
                String id = String.format("shardId-%020d-%08x", created, random.nextInt());
                listed.add(new DiscoveredShard(id, previous[l], g < generations - 1, created));
                ids[g][l] = id;
                previous[l] = id;
            }
            graph.addShards(listed, false, now);
        }
        for (int g = 0; g < generations; g++) {
            for (int l = 0; l < lineages; l++) {
                graph.markAssigned(ids[g][l], l % 4);
                if (g < generations - 1) {
                    graph.markFinished(ids[g][l], l % 4);
                }
            }
        }
        DynamoDbStreamsSourceEnumStateSerializer serializer =
                new DynamoDbStreamsSourceEnumStateSerializer();
        int warmups = mode.pick(2, 5);
        int reps = mode.pick(3, 10);
        List<Double> snapshotMillis = new ArrayList<>();
        List<Double> restoreMillis = new ArrayList<>();
        int bytes = 0;
        for (int i = 0; i < warmups + reps; i++) {
            // The previous round's restored copy is the benchmark's garbage, not the enumerator's.
            System.gc();
            long t0 = System.nanoTime();
            List<ShardNode> snapshot = graph.snapshot();
            byte[] serialized =
                    serializer.serialize(
                            new DynamoDbStreamsSourceEnumState(
                                    FakeStreamsClient.STREAM_ARN, snapshot, Map.of(), now, true));
            long t1 = System.nanoTime();
            DynamoDbStreamsSourceEnumState restored =
                    serializer.deserialize(serializer.getVersion(), serialized);
            ShardGraph copy =
                    ShardGraph.restore(
                            restored.getStreams().get(0).getShards(),
                            Duration.ofHours(24).toMillis());
            long t2 = System.nanoTime();
            if (copy.size() != graph.size()) {
                throw new IllegalStateException("restored " + copy.size() + " shards");
            }
            bytes = serialized.length;
            if (i >= warmups) {
                snapshotMillis.add((t1 - t0) / 1e6);
                restoreMillis.add((t2 - t1) / 1e6);
            }
        }
        Samples snapshot = new Samples(snapshotMillis);
        Samples restore = new Samples(restoreMillis);
        String name = String.format("enumerator/graph of %,d shards", graph.size());
        log.printf(
                "%s: %,d bytes, snapshot+serialize %s ms, deserialize+restore %s ms%n",
                name, bytes, snapshot, restore);
        List<BenchResult> results = new ArrayList<>();
        results.add(
                new BenchResult(
                        name,
                        "serialized state",
                        bytes / 1048576.0,
                        "MB",
                        "target",
                        TARGET_BYTES / 1048576.0,
                        "< 20 MB",
                        bytes < TARGET_BYTES));
        results.add(
                new BenchResult(
                        name,
                        "snapshot+serialize, max of " + reps,
                        snapshot.max(),
                        "ms",
                        "target",
                        TARGET_SNAPSHOT_MILLIS,
                        "< 1 s",
                        snapshot.max() < TARGET_SNAPSHOT_MILLIS));
        results.add(
                new BenchResult(
                        name,
                        "deserialize+restore, max of " + reps,
                        restore.max(),
                        "ms",
                        "target (snapshot's)",
                        TARGET_SNAPSHOT_MILLIS,
                        "",
                        null));
        return results;
    }

    private static List<BenchResult> discovery(BenchMode mode, PrintStream log) throws Exception {
        int open = mode.pick(1_000, 10_000);
        int historyGenerations = 6; // 24 h retention / a rollover every 4 h
        Configuration conf = new Configuration();
        long intervalMillis =
                conf.get(DynamoDbStreamsSourceOptions.SHARD_DISCOVERY_INTERVAL).toMillis();
        long fullListingMillis =
                conf.get(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL).toMillis();
        // The enumerator times full listings by the wall clock: measured apart, see below.
        conf.set(DynamoDbStreamsSourceOptions.SHARD_FULL_LISTING_INTERVAL, Duration.ofDays(1));
        // The hour is simulated, but the pacer sleeps in real time: at 5 calls/s it would stretch
        // the simulated hour to the calls' real pace (25 minutes for 7,600 calls). Pacing only
        // delays calls, never drops them, so the count is the same without it; its own tests cover
        // it. (EnumeratorSettings does not apply the builder's 10/s bound.)
        conf.set(DynamoDbStreamsSourceOptions.DESCRIBE_STREAM_MAX_CALLS_PER_SECOND, 1e6);
        FakeStreamsClient fake = new FakeStreamsClient();
        fake.setClock(System.currentTimeMillis() - 24 * HOUR);
        String[] lineage = new String[open];
        for (int l = 0; l < open; l++) {
            lineage[l] = fake.addShard(null);
        }
        for (int g = 0; g < historyGenerations; g++) {
            fake.advanceClock(ROLLOVER_MILLIS);
            for (int l = 0; l < open; l++) {
                lineage[l] = fake.rollover(lineage[l]);
            }
        }
        int streamShards = fake.shardIds().size();
        SimulatedEnumeratorContext context = new SimulatedEnumeratorContext();
        ChildLookups children = new ChildLookups(fake);
        DynamoDbStreamsSourceEnumerator enumerator =
                new DynamoDbStreamsSourceEnumerator(
                        context,
                        children,
                        Map.of(FakeStreamsClient.STREAM_ARN, StartingPosition.latest()),
                        Map.of(),
                        new EnumeratorSettings(StartingPosition.latest(), conf, false),
                        new LineageAffinityAssigner(),
                        null,
                        DescribeStreamPacer.Clock.SYSTEM);
        enumerator.start();
        long before = describeCalls(fake, children);
        context.runPending();
        long fullListingCalls = describeCalls(fake, children) - before;
        if (context.assignedSplits != open) {
            throw new IllegalStateException(
                    "assigned " + context.assignedSplits + " shards, not " + open);
        }

        int intervals = (int) (HOUR / intervalMillis);
        double rolloversPerInterval = (double) open * intervalMillis / ROLLOVER_MILLIS;
        Random random = new Random(7);
        double due = 0;
        int rollovers = 0;
        long start = System.nanoTime();
        before = describeCalls(fake, children);
        for (int i = 0; i < intervals; i++) {
            fake.advanceClock(intervalMillis);
            for (due += rolloversPerInterval; due >= 1; due--) {
                int l = random.nextInt(open);
                String parent = lineage[l];
                lineage[l] = fake.rollover(parent);
                children.rolledOver(parent, lineage[l]);
                rollovers++;
                // What the reader of the parent reports once it has read the parent's end.
                enumerator.handleSourceEvent(
                        0,
                        new FinishesReportedEvent(
                                List.of(ShardSplit.idOf(FakeStreamsClient.STREAM_ARN, parent))));
                context.runPending();
            }
            context.runPeriodic();
        }
        long hourCalls = describeCalls(fake, children) - before;
        long simulationMillis = (System.nanoTime() - start) / 1_000_000;
        if (context.assignedSplits != open + rollovers) {
            throw new IllegalStateException(
                    "assigned " + context.assignedSplits + ", not " + (open + rollovers));
        }
        double perHour = hourCalls + fullListingCalls * ((double) HOUR / fullListingMillis);
        double fullEveryInterval = (double) fullListingCalls * intervals;
        String name =
                String.format(
                        "enumerator/discovery %,d open shards (%,d listed), %,d rollovers/h",
                        open, streamShards, rollovers);
        log.printf(
                "%s: simulated hour took %d ms; %d calls in the hour (incremental + child"
                        + " lookups), a full listing costs %d calls%n",
                name, simulationMillis, hourCalls, fullListingCalls);
        List<BenchResult> results = new ArrayList<>();
        results.add(
                new BenchResult(
                        name,
                        "DescribeStream calls per hour",
                        perHour,
                        "calls/h",
                        "full listing every interval",
                        fullEveryInterval,
                        "grows with new shards, not all shards",
                        perHour < fullEveryInterval / 10));
        results.add(
                new BenchResult(
                        name,
                        "DescribeStream calls per second",
                        perHour / 3600,
                        "calls/s",
                        "account limit",
                        10,
                        "well under 10/s",
                        perHour / 3600 < 10));
        return results;
    }

    private static long describeCalls(FakeStreamsClient fake, ChildLookups children) {
        // A child lookup is a DescribeStream call with a ShardFilter on AWS.
        return fake.describeStreamCalls.get() + children.calls;
    }

    /**
     * Answers child lookups from the rollovers the simulation made, rather than by the fake's scan
     * of every shard, which would make a simulated hour of a large stream take minutes; counts
     * them. Everything else goes to the fake.
     */
    private static final class ChildLookups extends ForwardingStreamsClient {
        private final Map<String, Shard> childByParent = new HashMap<>();
        long calls;

        ChildLookups(FakeStreamsClient fake) {
            super(fake);
        }

        void rolledOver(String parent, String child) {
            childByParent.put(
                    parent,
                    Shard.builder()
                            .shardId(child)
                            .parentShardId(parent)
                            .sequenceNumberRange(SequenceNumberRange.builder().build())
                            .build());
        }

        @Override
        public List<Shard> listChildShards(String streamArn, String parentShardId) {
            calls++;
            Shard child = childByParent.get(parentShardId);
            return child == null ? List.of() : List.of(child);
        }
    }
}
