package io.github.ddbstreams.flink.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.ddbstreams.flink.testutils.DynamoDbLocal;
import io.github.ddbstreams.flink.testutils.DynamoDbLocalExtension;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Shard;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/**
 * The commands end to end against embedded DynamoDB Local, through the same options a user types:
 * {@code --table}/{@code --stream-arn} with {@code --region} and {@code --endpoint}, credentials
 * from the default chain (set here through the {@code aws.*} system properties).
 */
class DdbStreamsCliTest {
    @RegisterExtension static final DynamoDbLocalExtension DYNAMODB = new DynamoDbLocalExtension();

    private static final String TABLE = "cli-orders";
    private static final String NO_STREAM_TABLE = "cli-no-stream";
    private static final Pattern TREE_LINE =
            Pattern.compile(
                    "^((?:[| ]  )*)(\\+- )?(shardId-\\S+) \\[(open|closed)] seq (\\S+)"
                            + " age \\S+(?: records (\\d+))?.*$");

    private static final Map<String, String> SAVED_PROPERTIES = new LinkedHashMap<>();

    /** Each key's statuses in the order written, over three shards of one lineage. */
    private static final Map<String, List<String>> WRITTEN = new LinkedHashMap<>();

    @BeforeAll
    static void createLineage() {
        setProperty("aws.accessKeyId", DynamoDbLocal.ACCESS_KEY_ID);
        setProperty("aws.secretAccessKey", DynamoDbLocal.SECRET_ACCESS_KEY);
        DYNAMODB.createTable(TABLE, StreamViewType.NEW_AND_OLD_IMAGES);
        DYNAMODB.createTable(NO_STREAM_TABLE, null);
        write("k1", "v1", "k2", "v1", "k3", "v1");
        DYNAMODB.triggerShardRollovers();
        write("k1", "v2", "k2", "v2");
        DYNAMODB.triggerShardRollovers();
        write("k1", "v3", "k3", "v2");
    }

    @AfterAll
    static void restoreProperties() {
        SAVED_PROPERTIES.forEach(
                (name, old) -> {
                    if (old == null) {
                        System.clearProperty(name);
                    } else {
                        System.setProperty(name, old);
                    }
                });
    }

    @Test
    void describePrintsTheRolledOverLineageAsATreeWithCounts() {
        Result result =
                run(
                        "describe",
                        "--table",
                        TABLE,
                        "--count",
                        "--region",
                        "us-east-1",
                        "--endpoint",
                        DYNAMODB.endpoint().toString());

        assertThat(result.code).as(result.err).isZero();
        List<String> lines = result.outLines();
        assertThat(lines.get(0)).isEqualTo("stream " + DYNAMODB.streamArn(TABLE));
        assertThat(lines.get(1)).contains("3 shards (1 open, 2 closed), 1 lineage root(s)");
        List<Matcher> shards = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            Matcher m = TREE_LINE.matcher(line);
            assertThat(m.matches()).as(line).isTrue();
            shards.add(m);
        }
        assertThat(shards).hasSize(3);
        // Each shard one level deeper than its parent, and the parent the one listed above it.
        Map<String, String> parentOf = new LinkedHashMap<>();
        for (Shard s :
                DYNAMODB.streamsClient()
                        .describeStream(r -> r.streamArn(DYNAMODB.streamArn(TABLE)))
                        .streamDescription()
                        .shards()) {
            parentOf.put(s.shardId(), s.parentShardId());
        }
        for (int i = 0; i < 3; i++) {
            Matcher m = shards.get(i);
            assertThat(m.group(1).length()).isEqualTo(i == 0 ? 0 : 3 * (i - 1));
            assertThat(m.group(2) != null).isEqualTo(i > 0);
            if (i > 0) {
                assertThat(parentOf.get(m.group(3))).isEqualTo(shards.get(i - 1).group(3));
            }
        }
        assertThat(shards).extracting(m -> m.group(4)).containsExactly("closed", "closed", "open");
        assertThat(shards).extracting(m -> m.group(6)).containsExactly("3", "2", "2");
        assertThat(lines.get(4)).endsWith("(so far)");
    }

    @Test
    void tailPrintsJsonLinesWithEachKeysChangesInOrder() throws Exception {
        Result result =
                run(
                        "tail",
                        "--stream-arn",
                        DYNAMODB.streamArn(TABLE),
                        "--from",
                        "trim-horizon",
                        "--max",
                        "7",
                        "--region",
                        "us-east-1",
                        "--endpoint",
                        DYNAMODB.endpoint().toString());

        assertThat(result.code).as(result.err).isZero();
        Map<String, List<String>> read = new LinkedHashMap<>();
        ObjectMapper mapper = new ObjectMapper();
        for (String line : result.outLines()) {
            JsonNode json = mapper.readTree(line);
            assertThat(json.get("eventName").asText()).isIn("INSERT", "MODIFY");
            read.computeIfAbsent(json.get("keys").get("pk").asText(), k -> new ArrayList<>())
                    .add(json.get("newImage").get("status").asText());
        }
        assertThat(read).isEqualTo(WRITTEN);
    }

    @Test
    void describeRunsOnTheDemoByDefault() {
        Result result = run("describe");

        assertThat(result.code).as(result.err).isZero();
        assertThat(result.err).contains("demo: DynamoDB Local at");
        List<String> lines = result.outLines();
        assertThat(lines.get(0)).contains("table/" + DemoStream.TABLE + "/stream/");
        assertThat(lines.subList(2, lines.size()))
                .hasSize(3)
                .satisfies(l -> assertThat(l.get(1)).startsWith("+- ").contains("[closed]"))
                .satisfies(l -> assertThat(l.get(2)).startsWith("   +- ").contains("[open]"));
    }

    @Test
    void badArgumentsNameTheArgument() {
        assertUsageError(run("tail", "--from", "yesterday"), "--from", "'yesterday'");
        assertUsageError(run("tail", "--duration", "10x"), "--duration", "'10x'");
        assertUsageError(run("tail", "--max", "0"), "--max");
        assertUsageError(run("describe", "--stream-arn", "orders"), "--stream-arn", "'orders'");
        assertUsageError(
                run("describe", "--table", TABLE, "--region", "EU-WEST-1"),
                "--region",
                "lower case");
        assertUsageError(
                run("describe", "--table", TABLE, "--endpoint", "localhost:8000"), "--endpoint");
        assertUsageError(run("describe", "--demo", "--table", TABLE), "--demo", "--table");
        assertUsageError(
                run("describe", "--stream-arn", "arn:aws:dynamodb:x", "--table", TABLE),
                "--stream-arn and --table");
        assertUsageError(run("describe", "--region", "eu-west-1"), "--region needs");
        assertUsageError(run("describe", "--bogus"), "--bogus");
        assertUsageError(run(), "Missing command");
    }

    @Test
    void missingStreamsFailWithAMessageNamingThem() {
        String endpoint = DYNAMODB.endpoint().toString();
        String arn =
                "arn:aws:dynamodb:ddblocal:000000000000:table/nope/stream/2020-01-01T00:00:00.000";
        Result noArn =
                run(
                        "describe",
                        "--stream-arn",
                        arn,
                        "--region",
                        "us-east-1",
                        "--endpoint",
                        endpoint);
        Result noStream =
                run(
                        "tail",
                        "--table",
                        NO_STREAM_TABLE,
                        "--region",
                        "us-east-1",
                        "--endpoint",
                        endpoint);
        Result noTable =
                run("describe", "--table", "nope", "--region", "us-east-1", "--endpoint", endpoint);

        assertThat(noArn.code).isEqualTo(DdbStreamsCli.EXIT_FAILED);
        assertThat(noArn.err).contains("error: stream " + arn + " not found");
        assertThat(noStream.code).isEqualTo(DdbStreamsCli.EXIT_FAILED);
        assertThat(noStream.err).contains("'" + NO_STREAM_TABLE + "' has no stream enabled");
        assertThat(noTable.code).isEqualTo(DdbStreamsCli.EXIT_FAILED);
        assertThat(noTable.err).contains("table 'nope' not found");
    }

    @Test
    void helpListsTheCommandsAndTheirOptions() {
        Result top = run("--help");
        Result tail = run("tail", "--help");

        assertThat(top.code).isZero();
        assertThat(top.out).contains("describe", "tail");
        assertThat(tail.code).isZero();
        assertThat(tail.out).contains("--from", "--max", "--duration", "--stream-arn", "--table");
    }

    private static void assertUsageError(Result result, String... fragments) {
        assertThat(result.code).as(result.err).isEqualTo(2);
        assertThat(result.err).startsWith("error: ").contains(fragments).contains("--help");
        assertThat(result.out).isEmpty();
    }

    private static void write(String... keyStatusPairs) {
        for (int i = 0; i < keyStatusPairs.length; i += 2) {
            String key = keyStatusPairs[i];
            String status = keyStatusPairs[i + 1];
            DYNAMODB.putItem(
                    TABLE,
                    Map.of(
                            DynamoDbLocal.HASH_KEY,
                            AttributeValue.fromS(key),
                            "status",
                            AttributeValue.fromS(status)));
            WRITTEN.computeIfAbsent(key, k -> new ArrayList<>()).add(status);
        }
    }

    private static void setProperty(String name, String value) {
        SAVED_PROPERTIES.putIfAbsent(name, System.getProperty(name));
        System.setProperty(name, value);
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                DdbStreamsCli.run(
                        args,
                        new PrintWriter(out, true),
                        new PrintWriter(err, true),
                        new AtomicBoolean(),
                        Clock.systemUTC(),
                        Thread::sleep);
        return new Result(code, out.toString(), err.toString());
    }

    private static final class Result {
        final int code;
        final String out;
        final String err;

        Result(int code, String out, String err) {
            this.code = code;
            this.out = out;
            this.err = err;
        }

        List<String> outLines() {
            return out.isEmpty() ? List.of() : Arrays.asList(out.split("\n"));
        }
    }
}
