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
 * {@code bin/lab sweep} end to end, through the real launchers, on a server of known capacity: nio
 * spinning {@code --work cpu:D} per message on its one loop serves at most one message per D, so of
 * the doubling rates offered the first above 1/D must pass the bound (its backlog grows every second)
 * and the sweep must stop at its first miss: every step before it under the bound, none after.
 * A busy machine can only lower the capacity, so the knee may come a step earlier, never later.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class SweepIT {

    @Test
    void stopsAtTheFirstStepWhoseP99PassesTheBound(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder(LabCompareIT.ROOT.resolve("bin/lab").toString(), "sweep", "--backends", "nio", "--peers", "none",
                "--work", "cpu:2ms", "--connections", "20", "--start-rate", "200", "--factor", "2", "--max-steps", "4",
                "--max-p99", "100ms", "--duration", "2s", "--warmup", "1s", "--retries", "0", "--out", out.toString())
                .directory(LabCompareIT.ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(140, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);

        JsonNode model = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("models").get(0);
        JsonNode steps = model.get("steps");
        assertTrue(steps.size() <= 3, "stopped by 800 msgs/s at the latest: " + steps);
        JsonNode last = steps.get(steps.size() - 1);
        assertTrue(last.get("p99_us").asLong() > 100_000 || last.get("errors").asLong() > 0
                || last.get("achieved").asDouble() < 0.95 * last.get("offered").asDouble(), "the last step missed: " + last);
        for (int i = 0; i < steps.size() - 1; i++) {
            JsonNode s = steps.get(i);
            assertTrue(s.get("p99_us").asLong() <= 100_000 && s.get("errors").asLong() == 0, "a step before the miss met the bound: " + s);
        }
        if (steps.size() > 1) {
            assertEquals(steps.get(steps.size() - 2).get("offered").asDouble(), model.get("highest_rate_under_bound").asDouble(), model.toString());
        }
        assertTrue(output.contains("nio:"), output);
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("\"name\":\"sweep\"") && html.contains("nio p99"), "report.html carries the sweep's chart");
        assertTrue(Files.size(out.resolve("sweep.png")) > 5_000, "report.md's chart drawn");
    }
}
