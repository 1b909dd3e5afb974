package io.github.ddbstreams.flink.tools;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import javax.annotation.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code tail}: the stream's changes as JSON lines, in lineage order. */
@Command(
        name = "tail",
        mixinStandardHelpOptions = true,
        description = {
            "Print a stream's changes as JSON lines on stdout, parents' shards before their"
                    + " children's so each item's changes come in order, until Ctrl-C, --max or"
                    + " --duration.",
            "Each line: eventName, approximateCreationTime, keys, oldImage and newImage (when the"
                    + " record has them), shardId, sequenceNumber, eventId, ttlDelete.",
            "With the demo (the default), an item changes every second so there is something to"
                    + " follow."
        })
final class TailCommand implements Callable<Integer> {
    static final long DEMO_WRITE_PERIOD_MILLIS = 1000;

    @Spec CommandSpec spec;

    @Mixin StreamOptions stream;

    @Option(
            names = "--from",
            paramLabel = "trim-horizon|latest",
            defaultValue = "latest",
            converter = StartFrom.Converter.class,
            description =
                    "Start at the oldest retained record (trim-horizon) or at the open shards'"
                            + " tips (latest). Default: ${DEFAULT-VALUE}.")
    StartFrom from;

    @Option(names = "--max", paramLabel = "N", description = "Stop after N changes.")
    @Nullable
    Long max;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s, 5m, 1h, PT30S.")
    @Nullable
    Duration duration;

    private final AtomicBoolean interrupted;
    private final LineageFollower.Sleeper sleeper;

    TailCommand(AtomicBoolean interrupted, LineageFollower.Sleeper sleeper) {
        this.interrupted = interrupted;
        this.sleeper = sleeper;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (max != null && max <= 0) {
            throw new ParameterException(
                    spec.commandLine(), "--max: '" + max + "' must be a positive count of changes");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (StreamTarget target = stream.open(spec, err)) {
            if (target.demo() != null) {
                target.demo().startLiveWrites(DEMO_WRITE_PERIOD_MILLIS);
            }
            err.printf(
                    "tail: %s from %s; Ctrl-C to stop%n", target.streamArn(), from.optionValue());
            err.flush();
            long[] emitted = {0};
            long deadline =
                    duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
            BooleanSupplier stop =
                    () ->
                            interrupted.get()
                                    || (max != null && emitted[0] >= max)
                                    || System.nanoTime() - deadline >= 0;
            new LineageFollower(target.client(), target.streamArn(), from, err, sleeper)
                    .run(
                            event -> {
                                out.println(ChangeJson.toLine(event));
                                // Line by line: a pipe to jq or grep sees each change at once.
                                out.flush();
                                emitted[0]++;
                            },
                            stop);
        }
        return 0;
    }
}
