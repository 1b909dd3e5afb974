package io.github.ddbstreams.flink.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every relative link in docs/*.md and README.md leads to a file, and to a heading if it names one.
 */
class DocLinksTest {

    private static final Path ROOT = Path.of("..");

    @Test
    void everyRelativeLinkOfTheDocsResolves() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        assertThat(files).hasSizeGreaterThan(5);

        List<String> problems = new ArrayList<>();
        int relative = 0;
        for (Path file : files) {
            MarkdownDoc doc = MarkdownDoc.read(file);
            for (MarkdownDoc.Link link : doc.links()) {
                if (!isExternal(link.target())) {
                    relative++;
                    problems.addAll(problemsOf(doc, link));
                }
            }
        }

        // The docs link each other and their own sections: a parser that finds none is broken.
        assertThat(relative).isGreaterThan(20);
        assertThat(problems).as("broken links").isEmpty();
    }

    @Test
    void reportsAMissingFileAndAMissingHeadingButNotGoodLinks(@TempDir Path dir)
            throws IOException {
        Files.writeString(
                dir.resolve("other.md"),
                "# Other\n\n## Following a table's new stream\n\n## `AwsConfig`: settings\n");
        Files.writeString(
                dir.resolve("doc.md"),
                String.join(
                        "\n",
                        "# Doc",
                        "",
                        "## Two words",
                        "",
                        "[ok](other.md) [ok](other.md#following-a-tables-new-stream)",
                        "[ok](#two-words) [ok](other.md#awsconfig-settings) [ok](./)",
                        "[ok](https://example.com/missing.md) [ok](mailto:someone@example.com)",
                        "A link whose text runs [over",
                        "two lines](missing.md).",
                        "[bad anchor](other.md#following-a-tables-old-stream)",
                        "[bad own anchor](#three-words)",
                        "`[in code](also-missing.md)`",
                        "```",
                        "[in a code block](also-missing.md)",
                        "```",
                        "[ref]: gone/file.md"));

        MarkdownDoc doc = MarkdownDoc.read(dir.resolve("doc.md"));
        List<String> problems = new ArrayList<>();
        for (MarkdownDoc.Link link : doc.links()) {
            if (!isExternal(link.target())) {
                problems.addAll(problemsOf(doc, link));
            }
        }

        assertThat(problems)
                .hasSize(4)
                .anySatisfy(p -> assertThat(p).contains(":9: missing.md: no such file"))
                .anySatisfy(
                        p ->
                                assertThat(p)
                                        .contains(
                                                ":10: other.md#following-a-tables-old-stream:"
                                                        + " no heading"))
                .anySatisfy(p -> assertThat(p).contains(":11: #three-words: no heading"))
                .anySatisfy(p -> assertThat(p).contains(":16: gone/file.md: no such file"));
    }

    @Test
    void anchorsAreGitHubSlugs() {
        assertThat(MarkdownDoc.slug("AWS settings: `AwsConfig`"))
                .isEqualTo("aws-settings-awsconfig");
        assertThat(MarkdownDoc.slug("Following a table's new stream"))
                .isEqualTo("following-a-tables-new-stream");
        assertThat(MarkdownDoc.slug("The `ChangeEvent` type")).isEqualTo("the-changeevent-type");
        assertThat(MarkdownDoc.slug("describe / tail: 2 commands"))
                .isEqualTo("describe--tail-2-commands");
        assertThat(MarkdownDoc.slug("source_options and [a link](x.md)"))
                .isEqualTo("source_options-and-a-link");
    }

    private static boolean isExternal(String target) {
        return target.matches("(?i)[a-z][a-z0-9+.-]*:.*");
    }

    private static List<String> problemsOf(MarkdownDoc doc, MarkdownDoc.Link link)
            throws IOException {
        String where = doc.path + ":" + link.line() + ": " + link.target() + ": ";
        int hash = link.target().indexOf('#');
        String file = hash < 0 ? link.target() : link.target().substring(0, hash);
        String anchor = hash < 0 ? null : link.target().substring(hash + 1);
        Path target = file.isEmpty() ? doc.path : doc.path.getParent().resolve(file).normalize();
        if (!Files.exists(target)) {
            return List.of(where + "no such file " + target);
        }
        if (anchor != null) {
            if (!target.toString().endsWith(".md")) {
                return List.of(where + "an anchor into a file that is not markdown");
            }
            if (!MarkdownDoc.read(target).anchors().contains(anchor)) {
                return List.of(where + "no heading with that anchor in " + target);
            }
        }
        return List.of();
    }
}
