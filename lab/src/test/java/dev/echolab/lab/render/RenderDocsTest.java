package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The docs say what their data says: every generated block and figure of README.md and docs/ is
 * made again from docs/data and compared ({@code bin/lab render --check}); and the check does
 * catch a changed number, in a doc or in its data, by file, line and block.
 */
class RenderDocsTest {

    /** The repository: surefire runs in the module's folder. */
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyGeneratedPartOfTheDocsMatchesItsData() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Docs.Difference> diffs = RenderCommand.run(new Docs(REPO), true, new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals(List.of(), diffs, "run bin/lab render (and commit docs/):\n" + out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theCheckNamesTheBlockWhoseNumberChanged(@TempDir Path root) throws IOException {
        copyData(root);
        JsonNode row = measured();
        String server = row.get("backend").asText();
        Path doc = root.resolve("docs/page.md");
        Files.writeString(doc, """
                # page

                <!-- render:idle data=compare -->
                <!-- /render -->

                <!-- render:cpu data=compare -->
                <!-- /render -->

                it held <!-- fig compare backend=B scenario=idle rss_per_connection_kb 1 --><!-- /fig --> KB each.
                """.replace("backend=B", "backend=" + server));
        assertTrue(!check(root).isEmpty(), "blocks never rendered differ from their data");
        render(root);
        String rendered = Files.readString(doc);
        assertEquals(List.of(), check(root), "rendered, the doc matches its data");
        render(root);
        assertEquals(rendered, Files.readString(doc), "rendering twice changes nothing");

        // one number of the idle table changed by hand
        String prefix = "| " + server + (row.path("reference").asBoolean() ? " (peer)" : "") + " | ";
        int at = rendered.indexOf(prefix);
        assertTrue(at > 0, rendered);
        int digit = at + prefix.length();
        while (!Character.isDigit(rendered.charAt(digit))) {
            digit++;
        }
        char d = rendered.charAt(digit);
        String changed = rendered.substring(0, digit) + (d == '9' ? '8' : '9') + rendered.substring(digit + 1);
        Files.writeString(doc, changed);
        List<Docs.Difference> diffs = check(root);
        assertEquals(1, diffs.size(), diffs.toString());
        assertEquals(Path.of("docs/page.md"), diffs.getFirst().doc());
        assertEquals(3, diffs.getFirst().line());
        assertEquals("block render:idle data=compare", diffs.getFirst().what(), diffs.toString());

        // one number of the data changed: the table and the sentence quoting it both differ
        Files.writeString(doc, rendered);
        Path data = root.resolve("docs/data/compare/results.json");
        ObjectNode json = (ObjectNode) Dataset.JSON.readTree(data.toFile());
        for (JsonNode r : json.withArray("summary")) {
            if (r.get("backend").asText().equals(server) && r.get("scenario").asText().equals("idle")) {
                ((ObjectNode) r).put("rss_per_connection_kb", r.get("rss_per_connection_kb").asDouble() + 1);
            }
        }
        Dataset.JSON.writeValue(data.toFile(), json);
        List<String> what = check(root).stream().map(Docs.Difference::what).toList();
        assertEquals(2, what.size(), what.toString());
        assertEquals("block render:idle data=compare", what.get(0));
        assertTrue(what.get(1).startsWith("figure 'compare backend=" + server), what.toString());
    }

    /** An idle row of the published data with a memory figure (idle cases are not judged, so a run always has them). */
    private static JsonNode measured() {
        return Dataset.load(REPO.resolve("docs/data"), "compare").rows().stream()
                .filter(r -> r.get("scenario").asText().equals("idle") && r.get("rss_per_connection_kb").isNumber())
                .findFirst().orElseThrow(() -> new AssertionError("docs/data/compare has no idle row with a figure"));
    }

    private static List<Docs.Difference> check(Path root) throws IOException {
        return RenderCommand.run(new Docs(root), true, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static void render(Path root) throws IOException {
        RenderCommand.run(new Docs(root), false, new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private static void copyData(Path root) throws IOException {
        Path from = REPO.resolve("docs/data/compare");
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.sorted(Comparator.naturalOrder()).toList()) {
                Path to = root.resolve("docs/data/compare").resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
    }
}
