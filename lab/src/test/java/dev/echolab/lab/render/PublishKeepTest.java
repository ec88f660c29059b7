package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What publish keeps of a run: its figures, verdicts and machine; not the curves, not where this machine kept it. */
class PublishKeepTest {

    @Test
    void aRunIsKeptWithoutItsCurvesAndWithoutTheOutputFolder(@TempDir Path dir) throws IOException {
        Path run = dir.resolve("run/results.json");
        Files.createDirectories(run.getParent());
        Files.writeString(run, """
                {"command": "bin/lab chapter --duration 5s --out /tmp/x/chapter-1 --warmup 2s",
                 "verdict": "undisturbed: every load case ok (1)",
                 "environment": {"command": "bin/lab chapter --duration 5s --out=/tmp/x/chapter-1 --warmup 2s", "cpus": 2},
                 "cases": [{"backend": "nio", "msgs_per_s": 1000.5, "timeline": [{"t_s": 0}], "latency_spectrum": [{"percentile": 50}]}]}
                """);
        Path target = dir.resolve("docs/data/chapter");
        Files.createDirectories(target.resolve("stale"));
        PublishCommand.keep(target, List.of(run, run), "quick", 1.25);

        assertFalse(Files.exists(target.resolve("stale")), "the dataset is replaced, not merged");
        for (String i : List.of("1", "2")) {
            JsonNode kept = Dataset.JSON.readTree(target.resolve(i).resolve("results.json").toFile());
            assertEquals("bin/lab chapter --duration 5s --warmup 2s", kept.get("command").asText());
            assertEquals("bin/lab chapter --duration 5s --warmup 2s", kept.get("environment").get("command").asText());
            assertEquals("undisturbed: every load case ok (1)", kept.get("verdict").asText());
            JsonNode c = kept.get("cases").get(0);
            assertEquals(1000.5, c.get("msgs_per_s").asDouble());
            assertFalse(c.has("timeline") || c.has("latency_spectrum"), c.toString());
            assertEquals("quick", kept.get("publish").get("scale").asText());
            assertEquals(1.3, kept.get("publish").get("minutes").asDouble());
        }
        assertTrue(Dataset.load(dir.resolve("docs/data"), "chapter").runs().size() == 2);
    }
}
