package io.github.ddbstreams.flink.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceBuilder;
import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.source.aws.AwsConfigBuilder;
import io.github.ddbstreams.flink.table.DynamoDbStreamsDynamicTableFactory;
import io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.annotation.Internal;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.util.TimeUtils;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The docs list every option and setter the code has, under their real names and defaults, and
 * nothing the code does not have: docs/usage.md the DataStream options and builder methods,
 * docs/sql.md every option the table factory accepts.
 */
class OptionsDocumentedTest {

    private static final Path DOCS = Path.of("..", "docs");

    /** A method signature in a table cell: `name(args)`. */
    private static final Pattern SIGNATURE = Pattern.compile("`(\\w+)\\(([^)`]*)\\)`");

    @Test
    void usageListsEveryDataStreamOptionWithItsConstantAndDefault() throws IOException {
        Map<String, List<String>> rows =
                byKey(
                        MarkdownDoc.read(DOCS.resolve("usage.md"))
                                .tableRows("Configuration options"),
                        1);
        Map<String, String> constants = constantNames(DynamoDbStreamsSourceOptions.class);

        SoftAssertions.assertSoftly(
                softly -> {
                    for (ConfigOption<?> option : DynamoDbStreamsSourceOptions.all()) {
                        String key = option.key();
                        softly.assertThat(option.description().toString())
                                .as("description of %s", key)
                                .isNotBlank();
                        List<String> row = rows.get(key);
                        softly.assertThat(row)
                                .as("docs/usage.md, 'Configuration options', a row for %s", key)
                                .isNotNull();
                        if (row == null) {
                            continue;
                        }
                        softly.assertThat(row.get(0))
                                .as("docs/usage.md: the constant of %s", key)
                                .isEqualTo("`" + constants.get(key) + "`");
                        checkDefault(softly, "docs/usage.md", option, row.get(3));
                    }
                    softly.assertThat(
                                    unknown(
                                            rows.keySet(),
                                            keys(DynamoDbStreamsSourceOptions.all())))
                            .as("docs/usage.md lists options that do not exist")
                            .isEmpty();
                });
    }

    @Test
    void sqlListsEveryOptionTheTableFactoryAccepts() throws IOException {
        Map<String, List<String>> rows =
                byKey(MarkdownDoc.read(DOCS.resolve("sql.md")).tableRows("Options"), 0);
        DynamoDbStreamsDynamicTableFactory factory = new DynamoDbStreamsDynamicTableFactory();
        Set<ConfigOption<?>> accepted = new HashSet<>(factory.requiredOptions());
        accepted.addAll(factory.optionalOptions());
        // Forwarded DataStream options and Flink's scan.parallelism count as much as our own.
        assertThat(keys(accepted))
                .contains("stream-arn", "aws.region", "source.on-trimmed-data", "scan.parallelism");

        SoftAssertions.assertSoftly(
                softly -> {
                    softly.assertThat(rows)
                            .as("docs/sql.md lists 'connector'")
                            .containsKey("connector");
                    for (ConfigOption<?> option : accepted) {
                        List<String> row = rows.get(option.key());
                        softly.assertThat(row)
                                .as("docs/sql.md, 'Options', a row for %s", option.key())
                                .isNotNull();
                        if (row != null) {
                            checkDefault(softly, "docs/sql.md", option, row.get(1));
                        }
                    }
                    Set<String> known = keys(accepted);
                    known.add("connector");
                    softly.assertThat(unknown(rows.keySet(), known))
                            .as("docs/sql.md lists options the factory does not accept")
                            .isEmpty();
                });
    }

    @Test
    void everyTableOptionHasADescription() {
        for (ConfigOption<?> option : optionsOf(DynamoDbStreamsTableOptions.class)) {
            assertThat(option.description().toString()).as(option.key()).isNotBlank();
        }
    }

    @Test
    void usageListsEveryAwsConfigBuilderMethod() throws IOException {
        checkMethodsListed(AwsConfigBuilder.class, "AWS settings: `AwsConfig`", Set.of("build"));
    }

    @Test
    void usageListsEverySourceBuilderMethod() throws IOException {
        // streamsClientFactory is @Internal (docs/usage.md says so under the table), but Flink
        // 1.20's
        // @Internal is not kept at run time, so the -Pflink-1.20 run needs it named here.
        checkMethodsListed(
                DynamoDbStreamsSourceBuilder.class,
                "Builder settings",
                Set.of("streamsClientFactory"));
    }

    /**
     * Every public method of {@code type} (but {@code @Internal} ones and {@code except}) has a
     * signature of its name and arity in the first column of the tables under {@code section}.
     */
    private static void checkMethodsListed(Class<?> type, String section, Set<String> except)
            throws IOException {
        Set<String> documented = new HashSet<>();
        for (List<String> row : MarkdownDoc.read(DOCS.resolve("usage.md")).tableRows(section)) {
            Matcher m = SIGNATURE.matcher(row.get(0));
            while (m.find()) {
                documented.add(m.group(1) + "/" + arity(m.group(2)));
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Method method : type.getDeclaredMethods()) {
            if (Modifier.isPublic(method.getModifiers())
                    && !method.isSynthetic()
                    && !method.isAnnotationPresent(Internal.class)
                    && !except.contains(method.getName())) {
                String name = method.getName() + "/" + method.getParameterCount();
                if (!documented.contains(name)) {
                    missing.add(name);
                }
            }
        }
        assertThat(missing)
                .as(
                        "%s methods (name/arity) missing from docs/usage.md, '%s'",
                        type.getSimpleName(), section)
                .isEmpty();
    }

    /** The number of parameters in "A, Map<K, V>, C": commas inside type arguments do not count. */
    private static int arity(String parameters) {
        if (parameters.isBlank()) {
            return 0;
        }
        int depth = 0;
        int count = 1;
        for (char c : parameters.toCharArray()) {
            if (c == '<') {
                depth++;
            } else if (c == '>') {
                depth--;
            } else if (c == ',' && depth == 0) {
                count++;
            }
        }
        return count;
    }

    /** The documented default must be the code's, when the code has one. */
    private static void checkDefault(
            SoftAssertions softly, String doc, ConfigOption<?> option, String cell) {
        if (!option.hasDefaultValue()) {
            return;
        }
        Object value = option.defaultValue();
        String expected =
                value instanceof Duration
                        ? TimeUtils.formatWithHighestUnit((Duration) value)
                        : value instanceof Enum ? ((Enum<?>) value).name() : String.valueOf(value);
        softly.assertThat(cell.replace("`", "").trim())
                .as("%s: the default of %s", doc, option.key())
                .isEqualTo(expected);
    }

    /** The rows of a table by the option key in column {@code column} (backticks dropped). */
    private static Map<String, List<String>> byKey(List<List<String>> rows, int column) {
        Map<String, List<String>> byKey = new LinkedHashMap<>();
        for (List<String> row : rows) {
            assertThat(row)
                    .as("a row with an option key in column %s: %s", column, row)
                    .hasSizeGreaterThan(column);
            byKey.put(row.get(column).replace("`", "").trim(), row);
        }
        assertThat(byKey).as("option table rows").isNotEmpty();
        return byKey;
    }

    private static Set<String> unknown(Set<String> documented, Set<String> known) {
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(known);
        return unknown;
    }

    private static Set<String> keys(Iterable<ConfigOption<?>> options) {
        Set<String> keys = new HashSet<>();
        options.forEach(o -> keys.add(o.key()));
        return keys;
    }

    /** Each option key of {@code holder}'s constants, with the constant's name. */
    private static Map<String, String> constantNames(Class<?> holder) {
        Map<String, String> names = new LinkedHashMap<>();
        for (Field field : holder.getFields()) {
            ConfigOption<?> option = optionIn(field);
            if (option != null) {
                names.put(option.key(), field.getName());
            }
        }
        return names;
    }

    private static List<ConfigOption<?>> optionsOf(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : holder.getFields()) {
            ConfigOption<?> option = optionIn(field);
            if (option != null) {
                options.add(option);
            }
        }
        return options;
    }

    private static ConfigOption<?> optionIn(Field field) {
        if (!Modifier.isStatic(field.getModifiers())
                || !ConfigOption.class.isAssignableFrom(field.getType())) {
            return null;
        }
        try {
            return (ConfigOption<?>) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
