package dev.echolab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/lab chapter} end to end, tiny: the processes experiment's two Java rows for 1 s each,
 * through the real launchers. What it checks is what the experiment rests on: the server's CPU is
 * summed over its whole process tree (one process for {@code --threads 2}, a parent and two
 * children for {@code --processes 2}), not what the figures are.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChapterIT {

    @Test
    void measuresThreadsAndProcessesOfOneServerOverItsWholeProcessTree(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder(LabCompareIT.ROOT.resolve("bin/lab").toString(), "chapter", "--experiment", "processes",
                "--runtimes", "nio", "--duration", "1s", "--warmup", "0s", "--retries", "0", "--out", out.toString())
                .directory(LabCompareIT.ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(100, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("| nio --threads 2 ") && output.contains("| nio --processes 2 "), "the table on stdout:\n" + output);

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(results.get("command").asText().startsWith("bin/lab chapter --experiment processes"), results.get("command").asText());
        JsonNode rows = results.get("experiments").get(0).get("rows");
        assertEquals(2, rows.size(), rows.toString());
        JsonNode threads = rows.get(0);
        JsonNode processes = rows.get(1);
        assertEquals("nio --threads 2", threads.get("runtime").asText());
        assertEquals("nio --processes 2", processes.get("runtime").asText());
        for (JsonNode r : rows) {
            assertEquals("ok", r.get("status").asText(), r.toString());
            assertTrue(r.get("msgs_per_s").asDouble() > 0 && r.get("cores_used").asDouble() > 0, r.toString());
        }
        assertEquals(1, threads.get("processes").asInt(), "one JVM");
        assertEquals(3, processes.get("processes").asInt(), "the --processes parent and its two children");
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("## processes: ") && md.contains("cores used"), md);
    }
}
