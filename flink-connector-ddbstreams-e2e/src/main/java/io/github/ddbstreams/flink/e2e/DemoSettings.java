package io.github.ddbstreams.flink.e2e;

import io.github.ddbstreams.flink.source.StartingPosition;
import java.time.Duration;
import java.util.Locale;
import javax.annotation.Nullable;
import org.apache.flink.util.TimeUtils;

/** The demo's command-line settings. Immutable; the {@code with...} methods return copies. */
final class DemoSettings {

    static final String USAGE =
            String.join(
                    System.lineSeparator(),
                    "Usage: DemoJob [options]",
                    "",
                    "Without --stream-arn or --table: starts an embedded DynamoDB Local, writes a mix",
                    "of inserts, updates and deletes, rolls the stream's shards over, and prints every",
                    "change the Flink job reads. Needs no AWS account.",
                    "",
                    "  --duration D          how long to write: 60s, 2min or plain seconds (default 30s)",
                    "  --rate N              writes per second (default 20)",
                    "  --keys N              number of distinct items, at most 100 (default 50)",
                    "  --rollover-every D    shard rollover interval (default 10s)",
                    "",
                    "  --stream-arn ARN      read this real DynamoDB stream instead, for the duration",
                    "  --table NAME          read the current stream of this real table instead",
                    "  --region R            AWS region (default: the AWS SDK's default region chain)",
                    "  --endpoint URL        DynamoDB endpoint override, e.g. http://localhost:8000",
                    "  --from P              latest (default) or trim-horizon",
                    "  --max N               stop once N changes are printed (default: no limit)",
                    "",
                    "A real stream is read with the AWS SDK's default credentials chain.");

    final Duration duration;
    final int writesPerSecond;
    final int keys;
    final Duration rolloverEvery;
    final boolean print;
    @Nullable final String streamArn;
    @Nullable final String tableName;
    @Nullable final String region;
    @Nullable final String endpoint;
    final StartingPosition awsStartingPosition;

    /** Real-stream mode: stop once this many changes are printed; 0 means no limit. */
    final int maxChanges;

    final boolean help;

    private DemoSettings(Values v) {
        this.duration = v.duration;
        this.writesPerSecond = v.writesPerSecond;
        this.keys = v.keys;
        this.rolloverEvery = v.rolloverEvery;
        this.print = v.print;
        this.streamArn = v.streamArn;
        this.tableName = v.tableName;
        this.region = v.region;
        this.endpoint = v.endpoint;
        this.awsStartingPosition = v.awsStartingPosition;
        this.maxChanges = v.maxChanges;
        this.help = v.help;
    }

    static DemoSettings defaults() {
        return new DemoSettings(new Values());
    }

    /**
     * Parses command-line arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static DemoSettings parse(String... args) {
        Values v = new Values();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                v.help = true;
                return new DemoSettings(v);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--duration":
                    v.duration = parseDuration(flag, value);
                    break;
                case "--rollover-every":
                    v.rolloverEvery = parseDuration(flag, value);
                    break;
                case "--rate":
                    v.writesPerSecond = positive(flag, value);
                    break;
                case "--keys":
                    v.keys = positive(flag, value);
                    if (v.keys > 100) {
                        throw new IllegalArgumentException("--keys must be at most 100");
                    }
                    break;
                case "--stream-arn":
                    v.streamArn = value;
                    break;
                case "--table":
                    v.tableName = value;
                    break;
                case "--region":
                    v.region = value;
                    break;
                case "--endpoint":
                    v.endpoint = value;
                    break;
                case "--from":
                    v.awsStartingPosition = parseStart(value);
                    break;
                case "--max":
                    v.maxChanges = positive(flag, value);
                    break;
                default:
                    throw new IllegalArgumentException("Unknown option " + flag);
            }
        }
        if (v.streamArn != null && v.tableName != null) {
            throw new IllegalArgumentException("Give --stream-arn or --table, not both");
        }
        return new DemoSettings(v);
    }

    /** True when an existing stream is read instead of a demo table in DynamoDB Local. */
    boolean isAws() {
        return streamArn != null || tableName != null;
    }

    DemoSettings withDuration(Duration duration) {
        Values v = values();
        v.duration = duration;
        return new DemoSettings(v);
    }

    DemoSettings withRolloverEvery(Duration rolloverEvery) {
        Values v = values();
        v.rolloverEvery = rolloverEvery;
        return new DemoSettings(v);
    }

    DemoSettings withoutPrinting() {
        Values v = values();
        v.print = false;
        return new DemoSettings(v);
    }

    private Values values() {
        Values v = new Values();
        v.duration = duration;
        v.writesPerSecond = writesPerSecond;
        v.keys = keys;
        v.rolloverEvery = rolloverEvery;
        v.print = print;
        v.streamArn = streamArn;
        v.tableName = tableName;
        v.region = region;
        v.endpoint = endpoint;
        v.awsStartingPosition = awsStartingPosition;
        v.maxChanges = maxChanges;
        v.help = help;
        return v;
    }

    /** Plain digits are seconds; anything else is Flink's duration syntax (60s, 2min, 500ms). */
    private static Duration parseDuration(String flag, String value) {
        Duration d;
        try {
            d =
                    value.matches("\\d+")
                            ? Duration.ofSeconds(Long.parseLong(value))
                            : TimeUtils.parseDuration(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    flag + ": '" + value + "' is not a duration such as 60s, 2min or 45", e);
        }
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(flag + " must be positive");
        }
        return d;
    }

    private static int positive(String flag, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(flag + ": '" + value + "' is not a positive integer");
    }

    private static StartingPosition parseStart(String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "latest":
                return StartingPosition.latest();
            case "trim-horizon":
            case "trim_horizon":
                return StartingPosition.trimHorizon();
            default:
                throw new IllegalArgumentException(
                        "--from: '" + value + "' is neither latest nor trim-horizon");
        }
    }

    /** The mutable values a settings object is made from. */
    private static final class Values {
        Duration duration = Duration.ofSeconds(30);
        int writesPerSecond = 20;
        int keys = 50;
        Duration rolloverEvery = Duration.ofSeconds(10);
        boolean print = true;
        @Nullable String streamArn;
        @Nullable String tableName;
        @Nullable String region;
        @Nullable String endpoint;
        StartingPosition awsStartingPosition = StartingPosition.latest();
        int maxChanges;
        boolean help;
    }
}
