package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.StreamSpecification;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * A new user's first job, built the way README.md's "Use it" section says: a Maven project whose
 * dependencies are exactly README's XML block and whose main class is README's DataStream job,
 * built by a nested Maven against the <b>installed</b> connector (README's test command installs
 * first) and run in a JVM of its own on exactly the project's runtime classpath.
 *
 * <p>Both snippets are read from README.md, so the README cannot drift from what works. The job
 * runs unchanged: it reaches the embedded DynamoDB Local through the AWS SDK's own environment
 * variables (endpoint, credentials), as a user would point it at any other endpoint.
 */
class UserProjectITCase {

    private static final String REGION = "eu-west-1"; // the README job's region
    private static final String TABLE = "orders"; // the README job's table
    private static final String KEY = "order_id"; // and its hash key
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);

    private static DynamoDbLocal dynamoDb;

    @TempDir static Path project;

    @BeforeAll
    static void startDynamoDb() {
        dynamoDb = DynamoDbLocal.start();
    }

    @AfterAll
    static void stopDynamoDb() {
        if (dynamoDb != null) {
            dynamoDb.close();
        }
    }

    @Test
    void readmeJobWithReadmeDependenciesPrintsTheDeletedOrders() throws Exception {
        NestedMaven.assertInstalledConnectorIsThisBuild();
        Readme readme = Readme.read(Paths.get(System.getProperty("readme")));
        assertThat(readme.dependencyArtifactIds())
                .as("README's dependencies")
                .containsExactlyInAnyOrder(
                        "flink-streaming-java", "flink-clients", "flink-connector-ddbstreams");
        assertThat(readme.dependencies())
                .as("README names the Flink version the connector is built against")
                .contains("<version>" + System.getProperty("flink.version") + "</version>")
                .contains("<version>" + System.getProperty("project.version") + "</version>");

        writeProject(readme);
        long buildStart = System.nanoTime();
        NestedMaven.run(
                project,
                "build.log",
                BUILD_TIMEOUT,
                "package",
                "dependency:build-classpath",
                "-Dmdep.includeScope=runtime",
                "-Dmdep.outputFile=runtime.classpath");
        System.out.printf(
                "UserProjectITCase: user project built in %.1f s%n",
                (System.nanoTime() - buildStart) / 1e9);

        writeOrders();
        String classpath =
                project.resolve("target/classes")
                        + java.io.File.pathSeparator
                        + Files.readString(project.resolve("runtime.classpath")).trim();
        long jobStart = System.nanoTime();
        Set<String> printed = runJobUntilPrinted(classpath, Set.of("order-2", "order-5"));
        System.out.printf(
                "UserProjectITCase: job printed the deleted orders after %.1f s%n",
                (System.nanoTime() - jobStart) / 1e9);
        // The removes come last on the stream's one shard: once they are printed, every earlier
        // change went through the filter, and only the deleted orders may show.
        assertThat(printed).containsExactlyInAnyOrder("order-2", "order-5");
    }

    private static void writeProject(Readme readme) throws IOException {
        String pom =
                String.join(
                        "\n",
                        "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">",
                        "  <modelVersion>4.0.0</modelVersion>",
                        "  <groupId>example</groupId>",
                        "  <artifactId>first-job</artifactId>",
                        "  <version>1.0</version>",
                        "  <properties>",
                        "    <maven.compiler.release>17</maven.compiler.release>",
                        "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>",
                        "  </properties>",
                        readme.dependencies(),
                        // Plugins this build already resolved: the nested build downloads nothing
                        // the connector's own build did not.
                        "  <build><pluginManagement><plugins>",
                        plugin("maven-compiler-plugin", "3.13.0"),
                        plugin("maven-resources-plugin", "3.3.1"),
                        plugin("maven-jar-plugin", "3.4.1"),
                        plugin("maven-surefire-plugin", System.getProperty("surefire.version")),
                        plugin("maven-dependency-plugin", "3.8.1"),
                        "  </plugins></pluginManagement></build>",
                        "</project>",
                        "");
        Files.writeString(project.resolve("pom.xml"), pom);
        Path source = project.resolve("src/main/java/example/DeletedOrders.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, readme.jobAsClass("example", "DeletedOrders"));
    }

    private static String plugin(String artifactId, String version) {
        return "    <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>"
                + artifactId
                + "</artifactId><version>"
                + version
                + "</version></plugin>";
    }

    /** Six orders, one updated, two deleted: the README job prints the deleted ones' keys. */
    private static void writeOrders() {
        try (DynamoDbClient client =
                DynamoDbClient.builder()
                        .endpointOverride(dynamoDb.endpoint())
                        .region(Region.of(REGION))
                        .credentialsProvider(
                                StaticCredentialsProvider.create(
                                        AwsBasicCredentials.create(
                                                DynamoDbLocal.ACCESS_KEY_ID,
                                                DynamoDbLocal.SECRET_ACCESS_KEY)))
                        .build()) {
            client.createTable(
                    b ->
                            b.tableName(TABLE)
                                    .keySchema(
                                            KeySchemaElement.builder()
                                                    .attributeName(KEY)
                                                    .keyType(KeyType.HASH)
                                                    .build())
                                    .attributeDefinitions(
                                            AttributeDefinition.builder()
                                                    .attributeName(KEY)
                                                    .attributeType(ScalarAttributeType.S)
                                                    .build())
                                    .billingMode(BillingMode.PAY_PER_REQUEST)
                                    .streamSpecification(
                                            StreamSpecification.builder()
                                                    .streamEnabled(true)
                                                    .streamViewType(
                                                            StreamViewType.NEW_AND_OLD_IMAGES)
                                                    .build()));
            for (int i = 1; i <= 6; i++) {
                put(client, "order-" + i, "new");
            }
            put(client, "order-3", "paid");
            for (String deleted : List.of("order-2", "order-5")) {
                client.deleteItem(
                        b -> b.tableName(TABLE).key(Map.of(KEY, AttributeValue.fromS(deleted))));
            }
        }
    }

    private static void put(DynamoDbClient client, String key, String status) {
        client.putItem(
                b ->
                        b.tableName(TABLE)
                                .item(
                                        Map.of(
                                                KEY,
                                                AttributeValue.fromS(key),
                                                "status",
                                                AttributeValue.fromS(status))));
    }

    /**
     * Runs the job (unbounded, as README writes it) until it has printed every expected key, then
     * stops its JVM. Returns the keys it printed.
     */
    private static Set<String> runJobUntilPrinted(String classpath, Set<String> expected)
            throws Exception {
        Path out = project.resolve("job.out");
        Path err = project.resolve("job.err");
        ProcessBuilder builder =
                new ProcessBuilder(javaExecutable(), "-cp", classpath, "example.DeletedOrders")
                        .directory(project.toFile())
                        .redirectOutput(out.toFile())
                        .redirectError(err.toFile());
        // The AWS SDK's own settings: the unchanged README job reaches DynamoDB Local.
        builder.environment().put("AWS_ENDPOINT_URL", dynamoDb.endpoint().toString());
        builder.environment().put("AWS_ACCESS_KEY_ID", DynamoDbLocal.ACCESS_KEY_ID);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", DynamoDbLocal.SECRET_ACCESS_KEY);
        builder.environment().remove("AWS_PROFILE");
        Process job = builder.start();
        try {
            long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
            Set<String> printed = printedKeys(out);
            while (!printed.containsAll(expected)) {
                assertThat(job.isAlive())
                        .as(
                                "The job ended (exit code %s) before printing %s; it printed %s."
                                        + " Its stderr:%n%s",
                                job.isAlive() ? "-" : job.exitValue(),
                                expected,
                                printed,
                                NestedMaven.tail(err))
                        .isTrue();
                assertThat(System.nanoTime())
                        .as(
                                "The job printed %s, not %s, within %s. Its stderr:%n%s",
                                printed, expected, JOB_TIMEOUT, NestedMaven.tail(err))
                        .isLessThan(deadline);
                Thread.sleep(200);
                printed = printedKeys(out);
            }
            return printed;
        } finally {
            job.destroyForcibly();
            job.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Lines of Flink's print sink: {@code "N> value"} with parallelism above 1, else the value. */
    private static Set<String> printedKeys(Path out) throws IOException {
        Set<String> keys = new TreeSet<>();
        for (String line : Files.readAllLines(out)) {
            String value = line.replaceFirst("^\\d+> ", "").trim();
            if (!value.isEmpty()) {
                keys.add(value);
            }
        }
        return keys;
    }

    private static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The two snippets of README.md's "Use it" section. */
    record Readme(String dependencies, String job) {

        private static final Pattern ARTIFACT_ID =
                Pattern.compile("<artifactId>([^<]+)</artifactId>");

        static Readme read(Path readme) throws IOException {
            String text = Files.readString(readme);
            int section = text.indexOf("\n## Use it\n");
            assertThat(section).as("README.md has a \"## Use it\" section").isNotNegative();
            int next = text.indexOf("\n## ", section + 1);
            String useIt = text.substring(section, next < 0 ? text.length() : next);
            return new Readme(block(useIt, "xml"), block(useIt, "java"));
        }

        private static String block(String section, String language) {
            Matcher matcher =
                    Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL)
                            .matcher(section);
            assertThat(matcher.find())
                    .as("README's \"Use it\" section has a %s block", language)
                    .isTrue();
            return matcher.group(1);
        }

        List<String> dependencyArtifactIds() {
            List<String> ids = new ArrayList<>();
            Matcher matcher = ARTIFACT_ID.matcher(dependencies);
            while (matcher.find()) {
                ids.add(matcher.group(1));
            }
            return ids;
        }

        /** README's imports, then its statements as the body of {@code main}. */
        String jobAsClass(String packageName, String className) {
            StringBuilder imports = new StringBuilder();
            StringBuilder body = new StringBuilder();
            for (String line : job.split("\n")) {
                (line.startsWith("import ") ? imports : body).append(line).append('\n');
            }
            return "package "
                    + packageName
                    + ";\n\n"
                    + imports
                    + "\npublic class "
                    + className
                    + " {\n    public static void main(String[] args) throws Exception {\n"
                    + body
                    + "    }\n}\n";
        }
    }
}
