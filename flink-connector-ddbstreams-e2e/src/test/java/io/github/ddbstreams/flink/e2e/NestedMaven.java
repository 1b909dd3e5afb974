package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Maven on a project of its own (a user's project, the quickstart) in a child process, with
 * the local repository of the build that runs the test, so it sees what that build installed. The
 * failsafe configuration passes {@code maven.home} and {@code maven.repo.local}.
 */
final class NestedMaven {

    private NestedMaven() {}

    /**
     * Runs {@code mvn -B -q -ntp ARGS} in {@code project}, its output (both streams) going to
     * {@code project/LOG}, and returns that output; fails with its tail unless Maven exits with 0.
     */
    static String run(Path project, String log, Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("maven.home"), "bin", "mvn").toString());
        command.addAll(
                List.of(
                        "-B",
                        "-q",
                        "-ntp",
                        "-Dmaven.repo.local=" + System.getProperty("maven.repo.local")));
        command.addAll(List.of(args));
        Path output = project.resolve(log);
        Process process =
                new ProcessBuilder(command)
                        .directory(project.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(output.toFile())
                        .start();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError(
                    String.join(" ", command) + " took over " + timeout + ":\n" + tail(output));
        }
        assertThat(process.exitValue())
                .as("%s failed:%n%s", String.join(" ", command), tail(output))
                .isZero();
        return Files.readString(output);
    }

    /** The last 60 lines of a file, for failure messages. */
    static String tail(Path file) throws IOException {
        if (!Files.exists(file)) {
            return "(no output)";
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    static Path localRepository() {
        return Paths.get(System.getProperty("maven.repo.local"));
    }

    /**
     * Fails unless the connector in the local repository is this build's: a nested build would
     * otherwise test a stale one (installed from another checkout, or before a pom change).
     */
    static void assertInstalledConnectorIsThisBuild() throws IOException {
        String version = System.getProperty("project.version");
        Path installedPom =
                localRepository()
                        .resolve("io/github/ddbstreams/flink-connector-ddbstreams")
                        .resolve(version)
                        .resolve("flink-connector-ddbstreams-" + version + ".pom");
        Path modulePom = Paths.get(System.getProperty("connector.pom"));
        String hint = "run `mvn install` first, as README's test command does";
        assertThat(installedPom).as("The installed connector: %s", hint).exists();
        assertThat(Files.readString(installedPom))
                .as(
                        "The installed connector's pom (%s) differs from %s: %s",
                        installedPom, modulePom, hint)
                .isEqualTo(Files.readString(modulePom));
    }
}
