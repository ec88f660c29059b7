package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code --json} schema as docs/loadgen.md's table states it, read from the doc itself so the
 * doc and the tests cannot drift: each row's backticked keys are top-level keys, and the first
 * {@code {a, b, c}} in its meaning lists the keys of that object ("the same" reuses the row
 * above's). A row that says "`null` in the closed loop" is null there and an object in the open loop.
 */
final class DocumentedJson {

    private static final Path DOC = Path.of("").toAbsolutePath().getParent().resolve("docs/loadgen.md");
    private static final Pattern KEY = Pattern.compile("`([a-z0-9_]+)`");
    private static final Pattern OBJECT = Pattern.compile("`\\{([a-z0-9_]+(?:, [a-z0-9_]+)*)}`");

    /**
     * A documented top-level key: the keys of its object (or of each element of its array; empty
     * for a plain value), whether the closed loop leaves it null, and whether it is null unless its
     * option was given ({@code `null` without it}).
     */
    record Key(String name, Set<String> nested, boolean nullInClosedLoop, boolean nullWithoutItsOption) {
    }

    private DocumentedJson() {
    }

    /** Every row of the table under "## JSON (`--json FILE`)", in the doc's order. */
    static List<Key> keys() {
        List<String> lines;
        try {
            lines = Files.readAllLines(DOC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int start = lines.indexOf("## JSON (`--json FILE`)");
        assertTrue(start >= 0, "docs/loadgen.md has no section \"## JSON (`--json FILE`)\"");
        List<Key> keys = new ArrayList<>();
        Set<String> previous = Set.of();
        for (String line : lines.subList(start + 1, lines.size())) {
            if (line.startsWith("## ")) {
                break;
            }
            if (!line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split(" \\| ", 2);
            String meaning = cells[1];
            Matcher o = OBJECT.matcher(meaning);
            Set<String> nested = o.find() ? new LinkedHashSet<>(List.of(o.group(1).split(", ")))
                    : meaning.contains("the same") ? previous : Set.of();
            boolean nullClosed = meaning.contains("`null` in the closed loop");
            Matcher k = KEY.matcher(cells[0]);
            while (k.find()) {
                keys.add(new Key(k.group(1), nested, nullClosed, meaning.contains("`null` without it")));
            }
            previous = nested;
        }
        // A positive control: the table must still read as this parser expects.
        assertTrue(keys.size() >= 30 && keys.stream().anyMatch(key -> key.name().equals("p50_us"))
                && keys.stream().anyMatch(key -> key.nested().contains("p50_us")), "docs/loadgen.md's JSON table read as " + keys);
        return keys;
    }

    /**
     * {@code doc} has exactly the documented top-level keys, each object exactly its documented keys
     * at its own path, and the open loop's objects where {@code openLoop} (null otherwise).
     */
    static void assertAtTheirDocumentedPaths(JsonNode doc, boolean openLoop) {
        Map<String, Key> documented = new LinkedHashMap<>();
        keys().forEach(k -> documented.put(k.name(), k));
        Set<String> top = new LinkedHashSet<>();
        doc.fieldNames().forEachRemaining(top::add);
        assertEquals(documented.keySet(), top, () -> "top-level keys against docs/loadgen.md: " + doc);
        for (Key k : documented.values()) {
            JsonNode v = doc.get(k.name());
            if (v.isNull() && k.nullWithoutItsOption()) {
                continue;
            }
            if (v.isArray() && !k.nested().isEmpty()) {
                for (JsonNode element : v) {
                    Set<String> inner = new LinkedHashSet<>();
                    element.fieldNames().forEachRemaining(inner::add);
                    assertEquals(k.nested(), inner, () -> "keys of an element of " + k.name() + " against docs/loadgen.md: " + doc);
                }
                continue;
            }
            if (k.nullInClosedLoop() && !openLoop) {
                assertTrue(v.isNull(), () -> k.name() + " is not null in the closed loop: " + doc);
            } else if (!k.nested().isEmpty()) {
                assertTrue(v.isObject(), () -> k.name() + " is not an object: " + doc);
                Set<String> inner = new LinkedHashSet<>();
                v.fieldNames().forEachRemaining(inner::add);
                assertEquals(k.nested(), inner, () -> "keys of " + k.name() + " against docs/loadgen.md: " + doc);
            } else {
                assertTrue(v.isValueNode() || k.name().equals("first_errors"), () -> k.name() + " is not a value: " + doc);
            }
        }
    }
}
