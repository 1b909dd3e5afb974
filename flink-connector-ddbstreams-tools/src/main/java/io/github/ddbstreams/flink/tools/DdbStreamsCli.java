package io.github.ddbstreams.flink.tools;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ddbstreams-cli}: operator tooling for DynamoDB Streams. {@code describe} prints a stream's
 * shard lineage as a tree; {@code tail} prints its changes as JSON lines. Both run on an embedded
 * DynamoDB Local demo by default, and on a real stream with {@code --stream-arn} or {@code --table}
 * (plus {@code --region}, the default credentials chain or {@code --profile}).
 *
 * <p>Exit codes: 0 success, 1 the command failed (AWS error, missing stream), 2 bad arguments.
 */
@Command(
        name = "ddbstreams-cli",
        mixinStandardHelpOptions = true,
        version = "ddbstreams-cli 0.1.0-SNAPSHOT",
        subcommands = {DescribeCommand.class, TailCommand.class},
        description =
                "Look at a DynamoDB stream: its shard lineage (describe), its changes (tail).")
public final class DdbStreamsCli implements Runnable {
    /** Exit code of a command that failed at run time (usage errors exit with 2). */
    public static final int EXIT_FAILED = 1;

    private static final long SHUTDOWN_WAIT_MILLIS = 3000;

    @Spec CommandSpec spec;

    /** Runs the tool and exits the JVM with its exit code. */
    public static void main(String[] args) {
        // DynamoDB Local carries log4j configurations that log to stdout, where tail writes its
        // JSON lines.
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "ddbstreams-cli-log4j2.xml");
        }
        // Under exec:java a logger context created late (on Ctrl-C, by another class loader)
        // would warn that it cannot register log4j's shutdown hook; the tool exits explicitly
        // and needs no such hook.
        System.setProperty("log4j2.shutdownHookEnabled", "false");
        AtomicBoolean interrupted = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    // Ctrl-C: let tail finish the line it is writing and close.
                                    interrupted.set(true);
                                    try {
                                        finished.await(SHUTDOWN_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                                    } catch (InterruptedException e) {
                                        Thread.currentThread().interrupt();
                                    }
                                },
                                "ddbstreams-cli-shutdown"));
        Charset charset = Charset.defaultCharset();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, charset), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, charset), true);
        int code = run(args, out, err, interrupted, Clock.systemUTC(), Thread::sleep);
        finished.countDown();
        // DynamoDB Local leaves a non-daemon scheduler thread behind: exit explicitly.
        System.exit(code);
    }

    /** Runs the tool without exiting; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, out, err, new AtomicBoolean(), Clock.systemUTC(), Thread::sleep);
    }

    static int run(
            String[] args,
            PrintWriter out,
            PrintWriter err,
            AtomicBoolean interrupted,
            Clock clock,
            LineageFollower.Sleeper sleeper) {
        IFactory factory =
                new IFactory() {
                    @Override
                    public <K> K create(Class<K> type) throws Exception {
                        if (type == DescribeCommand.class) {
                            return type.cast(new DescribeCommand(clock));
                        }
                        if (type == TailCommand.class) {
                            return type.cast(new TailCommand(interrupted, sleeper));
                        }
                        return CommandLine.defaultFactory().create(type);
                    }
                };
        CommandLine cmd = new CommandLine(new DdbStreamsCli(), factory);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setParameterExceptionHandler(
                (e, arguments) -> {
                    CommandLine failed = e.getCommandLine();
                    failed.getErr().println("error: " + e.getMessage());
                    failed.getErr()
                            .println(
                                    "Run '"
                                            + failed.getCommandSpec().qualifiedName()
                                            + " --help' for usage.");
                    failed.getErr().flush();
                    return failed.getCommandSpec().exitCodeOnInvalidInput();
                });
        cmd.setExecutionExceptionHandler(
                (e, failed, parseResult) -> {
                    failed.getErr().println("error: " + messageOf(e));
                    failed.getErr().flush();
                    return EXIT_FAILED;
                });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    @Override
    public void run() {
        throw new ParameterException(
                spec.commandLine(), "Missing command: use 'describe' or 'tail'");
    }

    private static String messageOf(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.toString() : message;
    }
}
