package io.github.ddbstreams.flink.sql;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.annotation.Nullable;

/**
 * Flink's SQL Client in embedded mode, in its own JVM, as a user starts it: {@code SqlClient --jar
 * <jar> -f <script>}. Its classpath holds Flink's jars only (no connector, no AWS SDK), so whatever
 * the script needs of ours must come from the jar given with {@code --jar}. Jobs run on a local
 * MiniCluster inside that JVM ({@code execution.target: local}).
 */
final class SqlClientProcess {

    /** What a run printed and how it ended. */
    record Result(int exitCode, String stdout, String log) {

        /** The output and the log's end, for failure messages. */
        String describe() {
            String tail = log.length() > 20_000 ? log.substring(log.length() - 20_000) : log;
            return "exit code "
                    + exitCode
                    + "\n--- stdout ---\n"
                    + stdout
                    + "\n--- log (end) ---\n"
                    + tail;
        }
    }

    private final Path workDir;

    SqlClientProcess(Path workDir) {
        this.workDir = workDir;
    }

    /**
     * Runs {@code script} to its end.
     *
     * @param jar the jar passed with {@code --jar}, or null for none
     */
    Result run(String script, @Nullable Path jar, Duration timeout)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory(workDir, "sql-client");
        Path confDir = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(
                confDir.resolve("config.yaml"),
                String.join(
                        "\n",
                        "execution.target: local",
                        "rest.address: localhost",
                        "rest.bind-address: localhost",
                        "taskmanager.numberOfTaskSlots: 2",
                        "parallelism.default: 1",
                        ""));
        Path log4j = dir.resolve("log4j2.properties");
        Path logFile = dir.resolve("sql-client.log");
        Files.writeString(
                log4j,
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.type = File",
                        "appender.file.name = File",
                        "appender.file.fileName = " + logFile,
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        ""));
        Path scriptFile = dir.resolve("script.sql");
        Files.writeString(scriptFile, script);
        Path stdout = dir.resolve("stdout.txt");

        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        command.add("-Dlog4j.configurationFile=" + log4j.toUri());
        command.add("-cp");
        command.add(Files.readString(ShadedJar.sqlClientClasspathFile()).trim());
        command.add("org.apache.flink.table.client.SqlClient");
        if (jar != null) {
            command.add("--jar");
            command.add(jar.toString());
        }
        command.add("-f");
        command.add(scriptFile.toString());
        command.add("--history");
        command.add(dir.resolve("history").toString());

        ProcessBuilder builder =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(stdout.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        builder.environment().put("FLINK_CONF_DIR", confDir.toString());
        Process process = builder.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        Result result =
                new Result(
                        finished ? process.exitValue() : -1,
                        Files.readString(stdout, StandardCharsets.UTF_8),
                        Files.exists(logFile) ? Files.readString(logFile) : "(no log)");
        if (!finished) {
            throw new AssertionError(
                    "The SQL Client did not finish within " + timeout + ": " + result.describe());
        }
        return result;
    }

    private static java.io.File nullDevice() {
        // The client reads its statements from the file; an empty stdin keeps it from waiting.
        return new java.io.File(
                System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }
}
