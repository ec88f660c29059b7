package dev.echolab.common;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/promises.md names, for every promise of the docs, the tests that hold it as
 * {@code Class#method}; each must exist as a test class of some module with a method of that name,
 * so the table cannot name a test that was renamed or deleted.
 */
class PromiseTableTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern NAMED = Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))#([a-zA-Z0-9_]+)`");

    @Test
    void everyTestThePromiseTableNamesExists() throws IOException {
        String table = Files.readString(ROOT.resolve("docs/promises.md"));
        Map<String, String> sources = testSources();
        List<String> missing = new ArrayList<>();
        Matcher m = NAMED.matcher(table);
        int named = 0;
        while (m.find()) {
            named++;
            String source = sources.get(m.group(1));
            if (source == null) {
                missing.add(m.group(1) + " (no such test class)");
            } else if (!Pattern.compile("\\bvoid " + m.group(2) + "\\(").matcher(source).find()) {
                missing.add(m.group(1) + "#" + m.group(2) + " (no such method)");
            }
        }
        // A positive control: the pattern must find the table's names, or it checks nothing.
        assertTrue(named >= 50, "only " + named + " tests named in docs/promises.md: does the pattern still match?");
        assertTrue(missing.isEmpty(), "docs/promises.md names tests that do not exist: " + missing);
    }

    /** Every test class of every module, by simple name: its source. */
    private static Map<String, String> testSources() throws IOException {
        Map<String, String> sources = new HashMap<>();
        try (Stream<Path> files = Files.walk(ROOT, 12)) {
            for (Path f : files.filter(p -> p.toString().contains("/src/test/java/") && p.toString().endsWith(".java")).toList()) {
                String name = f.getFileName().toString().replace(".java", "");
                sources.put(name, Files.readString(f));
            }
        }
        return sources;
    }
}
