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
        Path doc = root.resolve("docs/page.md");
        Files.writeString(doc, """
                # page

                <!-- render:cpu data=compare -->
                <!-- /render -->

                it used <!-- fig compare backend=B scenario=load connections=N work=none cpu_us_per_msg 1 --><!-- /fig --> µs.
                """.replace("backend=B", "backend=" + measured().get("backend").asText())
                .replace("connections=N", "connections=" + measured().get("connections").asText()));
        assertTrue(!check(root).isEmpty(), "a block never rendered differs from its data");
        render(root);
        String rendered = Files.readString(doc);
        assertEquals(List.of(), check(root), "rendered, the doc matches its data");
        render(root);
        assertEquals(rendered, Files.readString(doc), "rendering twice changes nothing");

        // one number of the table changed by hand
        String server = "| " + measured().get("backend").asText() + " ";
        String table = rendered.substring(rendered.indexOf(server));
        String digit = table.replaceFirst("(?s)^[^0-9]*([0-9]).*", "$1");
        String changed = rendered.replaceFirst("(" + java.util.regex.Pattern.quote(server) + "[^0-9]*)" + digit,
                "$1" + (digit.equals("9") ? "8" : "9"));
        assertNotEquals(rendered, changed);
        Files.writeString(doc, changed);
        List<Docs.Difference> diffs = check(root);
        assertEquals(1, diffs.size(), diffs.toString());
        assertEquals(Path.of("docs/page.md"), diffs.getFirst().doc());
        assertEquals(3, diffs.getFirst().line());
        assertTrue(diffs.getFirst().what().contains("render:cpu data=compare"), diffs.toString());

        // one number of the data changed: the table and the sentence quoting it both differ
        Files.writeString(doc, rendered);
        Path data = root.resolve("docs/data/compare/results.json");
        ObjectNode json = (ObjectNode) Dataset.JSON.readTree(data.toFile());
        for (var row : json.withArray("summary")) {
            if (row.get("backend").equals(measured().get("backend")) && row.get("scenario").asText().equals("load")) {
                ((ObjectNode) row).put("cpu_us_per_msg", row.get("cpu_us_per_msg").asDouble() + 1);
            }
        }
        Dataset.JSON.writeValue(data.toFile(), json);
        List<String> what = check(root).stream().map(Docs.Difference::what).toList();
        assertTrue(what.stream().anyMatch(w -> w.startsWith("block render:cpu")), what.toString());
        assertTrue(what.stream().anyMatch(w -> w.startsWith("figure 'compare backend=" + measured().get("backend").asText())), what.toString());
    }

    /** A load row of the published data with a CPU figure, other than the reference's. */
    private static JsonNode measured() {
        return Dataset.load(REPO.resolve("docs/data"), "compare").rows().stream()
                .filter(r -> r.get("scenario").asText().equals("load") && !r.get("backend").asText().equals(Figures.REFERENCE)
                        && r.get("cpu_us_per_msg").isNumber())
                .findFirst().orElseThrow(() -> new AssertionError("docs/data/compare has no measured load row"));
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
