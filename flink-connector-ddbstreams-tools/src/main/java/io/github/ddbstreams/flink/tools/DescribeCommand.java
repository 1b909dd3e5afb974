package io.github.ddbstreams.flink.tools;

import io.github.ddbstreams.flink.source.client.StreamsClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.model.GetRecordsResponse;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;

/** {@code describe}: the stream's shard lineage as a tree. */
@Command(
        name = "describe",
        mixinStandardHelpOptions = true,
        description = {
            "Print a stream's shard lineage as a tree: each shard open or closed, its sequence"
                    + " number range and its age (from the creation time in its id).",
            "Children are indented under their parent; a root whose parent is no longer listed"
                    + " says so."
        })
final class DescribeCommand implements Callable<Integer> {
    /** Open shards have no end: stop counting after this many empty pages in a row. */
    static final int EMPTY_PAGES_AT_TIP = 3;

    @Spec CommandSpec spec;

    @Mixin StreamOptions stream;

    @Option(
            names = "--count",
            description =
                    "Also count each shard's records by reading it from TRIM_HORIZON (one"
                            + " GetRecords call per 1000 records: billed, and slow on big"
                            + " streams). Open shards are counted up to their current tip.")
    boolean count;

    private final Clock clock;

    DescribeCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (StreamTarget target = stream.open(spec, spec.commandLine().getErr())) {
            StreamListing listing = StreamListing.list(target.client(), target.streamArn());
            long open = listing.shards.stream().filter(StreamListing::isOpen).count();
            ShardTree tree = new ShardTree(listing.shards);
            out.println("stream " + target.streamArn());
            out.printf(
                    "status %s, view %s, %d shards (%d open, %d closed), %d lineage root(s)%n",
                    listing.status,
                    listing.viewType,
                    listing.shards.size(),
                    open,
                    listing.shards.size() - open,
                    tree.roots().size());
            Map<String, String> counts = new HashMap<>();
            if (count) {
                for (Shard shard : listing.shards) {
                    counts.put(shard.shardId(), countRecords(target, shard));
                }
            }
            List<String> lines = tree.render(clock.instant(), s -> counts.get(s.shardId()));
            lines.forEach(out::println);
            out.flush();
        }
        return 0;
    }

    private static String countRecords(StreamTarget target, Shard shard) {
        StreamsClient client = target.client();
        String iterator;
        try {
            iterator =
                    client.getShardIterator(
                            target.streamArn(),
                            shard.shardId(),
                            ShardIteratorType.TRIM_HORIZON,
                            null);
        } catch (ResourceNotFoundException e) {
            return "records ? (shard gone)";
        }
        boolean open = StreamListing.isOpen(shard);
        long records = 0;
        int emptyInARow = 0;
        while (iterator != null) {
            GetRecordsResponse response = client.getRecords(iterator, 1000);
            records += response.records().size();
            emptyInARow = response.records().isEmpty() ? emptyInARow + 1 : 0;
            iterator = response.nextShardIterator();
            // A closed shard may answer empty pages before its end: only an open one has a tip.
            if (iterator != null && open && emptyInARow >= EMPTY_PAGES_AT_TIP) {
                return "records " + records + " (so far)";
            }
        }
        return "records " + records;
    }
}
