package io.github.ddbstreams.flink.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Flink session cluster made of real processes, as {@code start-cluster.sh} would start it, but
 * from Maven artifacts: one JobManager ({@code StandaloneSessionClusterEntrypoint}) and any number
 * of TaskManagers ({@code TaskManagerRunner}), each a JVM of its own sharing one {@code
 * config.yaml}. Everything binds to localhost. Each process logs to a file in the cluster's
 * directory, which {@link #logTails()} reads back for failure messages.
 *
 * <p>{@link #close()} kills every process this instance started; a shutdown hook does the same if
 * the test JVM exits without closing it, so no JVM outlives the build.
 */
final class FlinkProcessCluster implements AutoCloseable {

    /** One slot per TaskManager: the job's two subtasks then always run on both of them. */
    static final int SLOTS_PER_TASK_MANAGER = 1;

    private static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    private static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    private final Path dir;
    private final String classpath;
    private final int restPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> processes = new CopyOnWriteArrayList<>();
    private final List<Process> taskManagers = new CopyOnWriteArrayList<>();
    private final Thread killer = new Thread(this::killAll, "flink-process-cluster-killer");
    private int started;

    private FlinkProcessCluster(Path dir, String classpath, int restPort) {
        // The processes run in dir and resolve relative paths against it.
        this.dir = dir.toAbsolutePath();
        this.classpath = classpath;
        this.restPort = restPort;
        Runtime.getRuntime().addShutdownHook(killer);
    }

    /**
     * Writes the configuration into {@code dir}, starts the JobManager and {@code taskManagers}
     * TaskManagers, and waits until every TaskManager has registered.
     *
     * @param classpath the processes' classpath: Flink, the connector and their dependencies
     * @param extraConfig further {@code config.yaml} entries (they override the defaults)
     */
    static FlinkProcessCluster start(
            Path dir, String classpath, int taskManagers, Map<String, String> extraConfig)
            throws IOException, InterruptedException {
        int restPort = freePort();
        FlinkProcessCluster cluster = new FlinkProcessCluster(dir, classpath, restPort);
        try {
            cluster.writeConfig(freePort(), extraConfig);
            cluster.launch("jobmanager", JOB_MANAGER_MAIN, List.of("-Xmx512m"));
            for (int i = 0; i < taskManagers; i++) {
                cluster.startTaskManager();
            }
            cluster.awaitTaskManagers(n -> n == taskManagers, Duration.ofSeconds(60));
            return cluster;
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** The classpath of this test run's cluster, as the build wrote it. */
    static String classpathFromBuild() throws IOException {
        String file = System.getProperty("flink.cluster.classpath");
        if (file == null) {
            throw new IllegalStateException(
                    "System property flink.cluster.classpath is not set: run through `mvn verify`,"
                            + " which writes target/flink-cluster.classpath");
        }
        return Files.readString(Paths.get(file)).trim();
    }

    /** The REST (and job submission) port on localhost. */
    int restPort() {
        return restPort;
    }

    /** Starts one more TaskManager process and returns it (registration is asynchronous). */
    Process startTaskManager() throws IOException {
        // The sizes in config.yaml describe these limits; the launch scripts would derive the
        // same flags from them.
        Process process =
                launch(
                        "taskmanager-" + taskManagers.size(),
                        TASK_MANAGER_MAIN,
                        List.of(
                                "-Xmx384m",
                                "-Xms384m",
                                "-XX:MaxDirectMemorySize=192m",
                                "-XX:MaxMetaspaceSize=256m"));
        taskManagers.add(process);
        return process;
    }

    /** Every TaskManager process started so far, in start order, dead or alive. */
    List<Process> taskManagers() {
        return List.copyOf(taskManagers);
    }

    /** Waits until the JobManager counts a number of registered TaskManagers that matches. */
    int awaitTaskManagers(IntPredicate wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int last = -1;
        while (System.nanoTime() < deadline) {
            OptionalInt count = overviewField("taskmanagers");
            if (count.isPresent()) {
                last = count.getAsInt();
                if (wanted.test(last)) {
                    return last;
                }
            }
            checkJobManagerAlive();
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "TaskManagers registered: " + last + " after " + timeout + "\n" + logTails());
    }

    /** A numeric field of the JobManager's {@code /overview}, empty while it does not answer. */
    OptionalInt overviewField(String field) {
        return jsonInt(get("/overview"), field);
    }

    /**
     * A job metric's value from the REST API (for example {@code numRestarts}), empty if the
     * JobManager does not report it within a few seconds: its REST endpoint fetches metrics lazily,
     * so the first queries answer with none.
     */
    OptionalInt jobMetric(String jobId, String metric) throws InterruptedException {
        Pattern value = Pattern.compile("\"value\"\\s*:\\s*\"(\\d+)\"");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            String body = get("/jobs/" + jobId + "/metrics?get=" + metric);
            Matcher m = value.matcher(body == null ? "" : body);
            if (m.find()) {
                return OptionalInt.of(Integer.parseInt(m.group(1)));
            }
            Thread.sleep(250);
        }
        return OptionalInt.empty();
    }

    /** How many checkpoints of the job completed so far, 0 while the JobManager does not say. */
    int completedCheckpoints(String jobId) {
        String body = get("/jobs/" + jobId + "/checkpoints");
        Matcher m =
                Pattern.compile("\"counts\"\\s*:\\s*\\{[^}]*\"completed\"\\s*:\\s*(\\d+)")
                        .matcher(body == null ? "" : body);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The last lines of every process's log and output, for failure messages. */
    String logTails() {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toString().endsWith(".log") || p.toString().endsWith(".out"))
                    .sorted()
                    .map(FlinkProcessCluster::tail)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            return "(logs unreadable: " + e + ")";
        }
    }

    /** Kills every process (SIGKILL) and waits until they are gone. */
    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(killer);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it kills what is left.
        }
    }

    private void killAll() {
        for (Process process : processes) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        for (Process process : processes) {
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void writeConfig(int rpcPort, Map<String, String> extraConfig) throws IOException {
        Map<String, String> config = new java.util.LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(rpcPort));
        config.put("jobmanager.bind-host", "localhost");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        config.put("rest.port", Integer.toString(restPort));
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        // Several TaskManagers share this file: their own ports must be picked at start.
        config.put("taskmanager.rpc.port", "0");
        config.put("taskmanager.data.port", "0");
        config.put("taskmanager.numberOfTaskSlots", Integer.toString(SLOTS_PER_TASK_MANAGER));
        // Without the launch scripts nothing derives these: a TaskManager refuses to start
        // unless its CPU and every memory component are given.
        config.put("taskmanager.cpu.cores", "1");
        config.put("taskmanager.memory.task.heap.size", "256m");
        config.put("taskmanager.memory.framework.heap.size", "128m");
        config.put("taskmanager.memory.framework.off-heap.size", "128m");
        config.put("taskmanager.memory.task.off-heap.size", "0m");
        config.put("taskmanager.memory.managed.size", "32m");
        config.put("taskmanager.memory.network.min", "32m");
        config.put("taskmanager.memory.network.max", "32m");
        config.put("taskmanager.memory.jvm-metaspace.size", "256m");
        config.put("taskmanager.memory.jvm-overhead.min", "192m");
        config.put("taskmanager.memory.jvm-overhead.max", "192m");
        config.put("io.tmp.dirs", Files.createDirectories(dir.resolve("tmp")).toString());
        config.putAll(extraConfig);
        StringBuilder yaml = new StringBuilder();
        config.forEach((key, value) -> yaml.append(key).append(": ").append(value).append('\n'));
        Files.writeString(dir.resolve("config.yaml"), yaml.toString());
        Files.writeString(
                dir.resolve("log4j2.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = File",
                        "appender.file.type = File",
                        "appender.file.name = File",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                        "logger.ddblocal.name = software.amazon.dynamodb",
                        "logger.ddblocal.level = WARN",
                        ""));
    }

    private Process launch(String name, String mainClass, List<String> jvmOptions)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Three JVMs start at once beside the test's on a small CI machine: the client compiler
        // alone and a single-threaded collector make them ready sooner, and these jobs are
        // too short for the optimising compiler to pay off.
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        command.addAll(jvmOptions);
        command.add("-Dlog.file=" + dir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + dir.resolve("log4j2.properties").toUri());
        command.add("-classpath");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(dir.toString());
        Process process =
                new ProcessBuilder(command)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve(name + "-" + started++ + ".out").toFile())
                        .start();
        processes.add(process);
        return process;
    }

    private void checkJobManagerAlive() {
        if (!processes.isEmpty() && !processes.get(0).isAlive()) {
            throw new IllegalStateException("The JobManager process died\n" + logTails());
        }
    }

    private String get(String path) {
        try {
            HttpResponse<String> response =
                    http.send(
                            HttpRequest.newBuilder(
                                            URI.create("http://localhost:" + restPort + path))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : null;
        } catch (IOException e) {
            // Not up yet, or restarting its REST endpoint.
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static OptionalInt jsonInt(String json, String field) {
        if (json == null) {
            return OptionalInt.empty();
        }
        Matcher m =
                Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(\\d+)").matcher(json);
        return m.find() ? OptionalInt.of(Integer.parseInt(m.group(1))) : OptionalInt.empty();
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            int from = Math.max(0, lines.size() - 40);
            return "--- "
                    + file.getFileName()
                    + " (last "
                    + (lines.size() - from)
                    + " lines) ---\n"
                    + String.join("\n", lines.subList(from, lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "--- " + file.getFileName() + ": unreadable (" + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
