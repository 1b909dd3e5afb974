package io.github.ddbstreams.flink.docs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A markdown file as the docs tests read it: its headings (and their GitHub anchors), the tables of
 * a section, and its links. Fenced code blocks are skipped, as GitHub renders no heading, table or
 * link inside them.
 */
final class MarkdownDoc {
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~).*");
    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]*`");
    private static final Pattern LINK =
            Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern LINK_DEFINITION =
            Pattern.compile("^ {0,3}\\[[^\\]]+\\]:[ \\t]*(\\S+)", Pattern.MULTILINE);
    private static final Pattern CELL_DIVIDER = Pattern.compile("(?<!\\\\)\\|");

    /** A link target and the (1-based) line it is on. */
    record Link(String target, int line) {}

    record Heading(int level, String text, int index) {}

    final Path path;
    private final List<String> lines;
    private final boolean[] inCode;

    private MarkdownDoc(Path path, List<String> lines) {
        this.path = path;
        this.lines = lines;
        this.inCode = new boolean[lines.size()];
        boolean code = false;
        for (int i = 0; i < lines.size(); i++) {
            boolean fence = FENCE.matcher(lines.get(i)).matches();
            inCode[i] = code || fence;
            if (fence) {
                code = !code;
            }
        }
    }

    static MarkdownDoc read(Path path) throws IOException {
        return new MarkdownDoc(path, Files.readAllLines(path));
    }

    List<Heading> headings() {
        List<Heading> headings = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = HEADING.matcher(lines.get(i));
            if (!inCode[i] && m.matches()) {
                headings.add(new Heading(m.group(1).length(), m.group(2), i));
            }
        }
        return headings;
    }

    /** The anchors GitHub gives the headings: the slug, then slug-1, slug-2 for repeats. */
    Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (Heading heading : headings()) {
            String slug = slug(heading.text());
            int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    /**
     * GitHub's anchor of a heading: its rendered text in lower case, without punctuation other than
     * '-' and '_', spaces turned into '-'.
     */
    static String slug(String heading) {
        String text =
                heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
                        .replaceAll("<[^>]+>", "")
                        .replace("`", "")
                        .replace("*", "");
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M}\\p{Pc} -]", "")
                .replace(' ', '-');
    }

    /**
     * The body rows of every table in the section under the heading {@code title} (up to the next
     * heading of the same or a higher level), each as its trimmed cells; header and separator rows
     * are left out.
     *
     * @throws IllegalArgumentException if the file has no such heading
     */
    List<List<String>> tableRows(String title) {
        Heading section =
                headings().stream()
                        .filter(h -> h.text().equals(title))
                        .findFirst()
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                path + " has no heading '" + title + "'"));
        int end =
                headings().stream()
                        .filter(h -> h.index() > section.index() && h.level() <= section.level())
                        .mapToInt(Heading::index)
                        .findFirst()
                        .orElse(lines.size());
        List<List<String>> rows = new ArrayList<>();
        int rowOfTable = 0; // a table's first row is its header, its second the delimiter row
        for (int i = section.index() + 1; i < end; i++) {
            String line = lines.get(i).trim();
            if (inCode[i] || !line.startsWith("|")) {
                rowOfTable = 0;
                continue;
            }
            if (++rowOfTable > 2) {
                rows.add(cells(line));
            }
        }
        return rows;
    }

    private static List<String> cells(String row) {
        String inner = row.substring(1, row.endsWith("|") ? row.length() - 1 : row.length());
        return Arrays.stream(CELL_DIVIDER.split(inner, -1)).map(String::trim).toList();
    }

    /**
     * Every link and link definition outside code, images included. A link's text may run over
     * several lines, as wrapped prose does.
     */
    List<Link> links() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            // Code lines stay as empty lines, so that offsets still give line numbers.
            text.append(inCode[i] ? "" : INLINE_CODE.matcher(lines.get(i)).replaceAll(""));
            text.append('\n');
        }
        List<Link> links = new ArrayList<>();
        Matcher inline = LINK.matcher(text);
        while (inline.find()) {
            links.add(new Link(inline.group(1), lineOf(text, inline.start(1))));
        }
        Matcher definition = LINK_DEFINITION.matcher(text);
        while (definition.find()) {
            links.add(new Link(definition.group(1), lineOf(text, definition.start(1))));
        }
        return links;
    }

    private static int lineOf(CharSequence text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }
}
