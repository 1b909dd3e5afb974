package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quickstart (examples/quickstart), copied as a user would copy it and run with README's one
 * command, {@code mvn compile exec:exec}, against the installed connector: both jobs read its
 * embedded DynamoDB Local's sample orders and print what README says.
 */
class QuickstartITCase {

    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(5);

    @TempDir static Path project;

    @BeforeAll
    static void copyQuickstart() throws IOException {
        NestedMaven.assertInstalledConnectorIsThisBuild();
        Path source = Paths.get(System.getProperty("quickstart.dir"));
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path relative = source.relativize(file);
                if (relative.startsWith("target")) {
                    continue;
                }
                Path copy = project.resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy);
                }
            }
        }
    }

    @Test
    void buildsAgainstTheVersionsOfThisBuild() throws IOException {
        String pom = Files.readString(project.resolve("pom.xml"));
        assertThat(pom)
                .contains("<flink.version>" + System.getProperty("flink.version") + "<")
                .contains("<ddbstreams.version>" + System.getProperty("project.version") + "<")
                .contains("<aws.sdk.version>" + System.getProperty("aws.sdk.version") + "<")
                .contains("<log4j.version>" + System.getProperty("log4j.version") + "<")
                .contains(
                        "<dynamodb.local.version>"
                                + System.getProperty("dynamodb.local.version")
                                + "<");
    }

    @Test
    void dataStreamJobPrintsTheDeletedOrdersAndLogsToItsFile() throws Exception {
        long start = System.nanoTime();
        String output =
                NestedMaven.run(project, "datastream.log", RUN_TIMEOUT, "compile", "exec:exec");
        System.out.printf(
                "QuickstartITCase: DataStream job took %.1f s%n",
                (System.nanoTime() - start) / 1e9);
        // Flink's print sink: "subtask> value" lines.
        List<String> printed =
                output.lines()
                        .filter(line -> line.matches("\\d+> .*"))
                        .map(line -> line.replaceFirst("^\\d+> ", ""))
                        .sorted()
                        .toList();
        assertThat(printed).as(output).containsExactly("order-2", "order-5");
        // Logs go to the file; the console gets warnings and errors only (the jobs' own output
        // must stay readable).
        assertThat(output).as("the console").doesNotContain(" INFO ");
        Path log = project.resolve("target/quickstart.log");
        assertThat(Files.readString(log))
                .as("the log file")
                .contains("io.github.ddbstreams.flink")
                .contains("deleted-orders");
    }

    @Test
    void sqlJobPrintsEachCustomersTotal() throws Exception {
        long start = System.nanoTime();
        String output =
                NestedMaven.run(
                        project, "sql.log", RUN_TIMEOUT, "compile", "exec:exec", "-Djob=SqlJob");
        System.out.printf(
                "QuickstartITCase: SQL job took %.1f s%n", (System.nanoTime() - start) / 1e9);
        // The printed changelog, applied: +I/+U set a customer's total, -U/-D take it away.
        Map<String, BigDecimal> totals = new TreeMap<>();
        output.lines()
                .filter(line -> line.matches("\\| [+-][IUD] \\|.*"))
                .map(line -> line.split("\\|"))
                .forEach(
                        cells -> {
                            String op = cells[1].trim();
                            String customer = cells[2].trim();
                            if (op.startsWith("+")) {
                                totals.put(customer, new BigDecimal(cells[3].trim()));
                            } else {
                                totals.remove(customer);
                            }
                        });
        // Six orders for three customers; two amounts change; carol's two orders are deleted.
        assertThat(totals)
                .as(output)
                .isEqualTo(
                        Map.of("alice", new BigDecimal("91.00"), "bob", new BigDecimal("104.25")));
    }
}
