package io.github.ddbstreams.flink.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** CI runs exactly the test command README.md gives, so what README promises is what CI checks. */
class CiCommandTest {

    // Tests run in the module's directory.
    private static final Path ROOT = Paths.get("..");

    @Test
    void ciRunsReadmesTestCommand() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("\n## Run the tests\n");
        assertThat(section).as("README's \"Run the tests\" section").isNotNegative();
        Matcher block =
                Pattern.compile("```sh\\n(.*?)\\n```", Pattern.DOTALL)
                        .matcher(readme.substring(section));
        assertThat(block.find()).as("a sh block in \"Run the tests\"").isTrue();

        List<String> commands =
                Files.readAllLines(ROOT.resolve(".ci/run")).stream()
                        .filter(line -> line.startsWith("mvn "))
                        .toList();
        assertThat(commands).containsExactly(block.group(1).trim());
    }
}
