package io.github.ddbstreams.flink.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.ddbstreams.flink.source.DynamoDbStreamsSourceOptions;
import io.github.ddbstreams.flink.table.DynamoDbStreamsTableOptions;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;

/** The docs list every option, each with a description in code: a new option needs both. */
class OptionsDocumentedTest {

    private static final Path DOCS = Path.of("..", "docs");

    @Test
    void everyDataStreamOptionIsDocumentedAndDescribed() throws IOException {
        String usage = Files.readString(DOCS.resolve("usage.md"));
        for (ConfigOption<?> option : DynamoDbStreamsSourceOptions.all()) {
            assertThat(usage).as("docs/usage.md lists %s", option.key()).contains(option.key());
            assertThat(option.description().toString()).isNotBlank();
        }
    }

    @Test
    void everySqlOptionIsDocumented() throws IOException {
        String sql = Files.readString(DOCS.resolve("sql.md"));
        List<ConfigOption<?>> options = optionsOf(DynamoDbStreamsTableOptions.class);
        assertThat(options).isNotEmpty();
        for (ConfigOption<?> option : options) {
            assertThat(sql).as("docs/sql.md lists %s", option.key()).contains(option.key());
        }
    }

    private static List<ConfigOption<?>> optionsOf(Class<?> holder) {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : holder.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.isAssignableFrom(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return options;
    }
}
