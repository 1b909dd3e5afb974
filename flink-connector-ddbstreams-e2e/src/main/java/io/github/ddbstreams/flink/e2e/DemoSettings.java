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
                    "  --duration D          how long to run: 60s, 2min or plain seconds (default 30s)",
                    "  --rate N              local mode: writes per second (default 20)",
                    "  --keys N              local mode: number of distinct items (default 50)",
                    "  --rollover-every D    local mode: shard rollover interval (default 10s)",
                    "",
                    "  --stream-arn ARN      read this real DynamoDB stream instead",
                    "  --table NAME          read the current stream of this real table instead",
                    "  --region R            AWS region (default: the SDK's default region chain)",
                    "  --from P              latest (default) or trim-horizon",
                    "",
                    "Real AWS mode uses the default AWS credentials chain.");

    final Duration duration;
    final int writesPerSecond;
    final int keys;
    final Duration rolloverEvery;
    final boolean print;
    @Nullable final String streamArn;
    @Nullable final String tableName;
    @Nullable final String region;
    final StartingPosition awsStartingPosition;
    final boolean help;

    private DemoSettings(
            Duration duration,
            int writesPerSecond,
            int keys,
            Duration rolloverEvery,
            boolean print,
            @Nullable String streamArn,
            @Nullable String tableName,
            @Nullable String region,
            StartingPosition awsStartingPosition,
            boolean help) {
        this.duration = duration;
        this.writesPerSecond = writesPerSecond;
        this.keys = keys;
        this.rolloverEvery = rolloverEvery;
        this.print = print;
        this.streamArn = streamArn;
        this.tableName = tableName;
        this.region = region;
        this.awsStartingPosition = awsStartingPosition;
        this.help = help;
    }

    static DemoSettings defaults() {
        return new DemoSettings(
                Duration.ofSeconds(30),
                20,
                50,
                Duration.ofSeconds(10),
                true,
                null,
                null,
                null,
                StartingPosition.latest(),
                false);
    }

    /**
     * Parses command-line arguments.
     *
     * @throws IllegalArgumentException naming the bad argument
     */
    static DemoSettings parse(String... args) {
        DemoSettings s = defaults();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (flag.equals("--help") || flag.equals("-h")) {
                return s.copy(s.duration, s.rolloverEvery, s.writesPerSecond, s.keys, true);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("Missing value after " + flag);
            }
            String value = args[++i];
            switch (flag) {
                case "--duration":
                    s = s.withDuration(parseDuration(flag, value));
                    break;
                case "--rollover-every":
                    s = s.withRolloverEvery(parseDuration(flag, value));
                    break;
                case "--rate":
                    s = s.copy(s.duration, s.rolloverEvery, positive(flag, value), s.keys, false);
                    break;
                case "--keys":
                    int keys = positive(flag, value);
                    if (keys > 100) {
                        throw new IllegalArgumentException("--keys must be at most 100");
                    }
                    s = s.copy(s.duration, s.rolloverEvery, s.writesPerSecond, keys, false);
                    break;
                case "--stream-arn":
                    s = s.withAws(value, s.tableName, s.region, s.awsStartingPosition);
                    break;
                case "--table":
                    s = s.withAws(s.streamArn, value, s.region, s.awsStartingPosition);
                    break;
                case "--region":
                    s = s.withAws(s.streamArn, s.tableName, value, s.awsStartingPosition);
                    break;
                case "--from":
                    s = s.withAws(s.streamArn, s.tableName, s.region, parseStart(value));
                    break;
                default:
                    throw new IllegalArgumentException("Unknown option " + flag);
            }
        }
        if (s.streamArn != null && s.tableName != null) {
            throw new IllegalArgumentException("Give --stream-arn or --table, not both");
        }
        return s;
    }

    /** True when a real stream is read instead of a local one. */
    boolean isAws() {
        return streamArn != null || tableName != null;
    }

    DemoSettings withDuration(Duration duration) {
        return copy(duration, rolloverEvery, writesPerSecond, keys, help);
    }

    DemoSettings withRolloverEvery(Duration rolloverEvery) {
        return copy(duration, rolloverEvery, writesPerSecond, keys, help);
    }

    DemoSettings withoutPrinting() {
        return new DemoSettings(
                duration,
                writesPerSecond,
                keys,
                rolloverEvery,
                false,
                streamArn,
                tableName,
                region,
                awsStartingPosition,
                help);
    }

    private DemoSettings copy(
            Duration duration, Duration rolloverEvery, int rate, int keys, boolean help) {
        return new DemoSettings(
                duration,
                rate,
                keys,
                rolloverEvery,
                print,
                streamArn,
                tableName,
                region,
                awsStartingPosition,
                help);
    }

    private DemoSettings withAws(
            @Nullable String arn,
            @Nullable String table,
            @Nullable String region,
            StartingPosition start) {
        return new DemoSettings(
                duration,
                writesPerSecond,
                keys,
                rolloverEvery,
                print,
                arn,
                table,
                region,
                start,
                help);
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
}
