package dev.echolab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/lab compare} end to end, tiny: two backends, 10 connections, 1 s, through the real
 * launchers (server and load generator in their own processes).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LabCompareIT {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    /** Every field of a case in results.json (docs/lab.md). */
    static final List<String> CASE_FIELDS = List.of("backend", "reference", "scenario", "connections", "work",
            "repeat", "server_args", "rate", "loadgen_args", "status", "failure", "server_output", "server_exit", "loadgen_exit", "msgs_per_s", "mb_per_s",
            "messages", "p50_us", "p75_us", "p90_us", "p99_us", "p999_us", "max_us", "errors", "mismatches",
            "starved_connections", "loadgen_cpu_pct", "loadgen_saturated", "connects_per_s", "server_cpu_pct", "server_cpu_us_per_msg",
            "cpu_window", "server_processes", "server_threads_baseline", "server_threads_peak", "server_rss_mb_baseline",
            "server_rss_mb_peak", "rss_per_connection_kb", "threads_per_connection", "voluntary_ctx_switches",
            "involuntary_ctx_switches", "idle_cpu_pct", "elapsed_s", "kernel_bill", "host_cpu_pct", "other_load_pct", "verdict",
            "verdict_reason", "attempts", "latency_spectrum", "timeline");
    static final List<String> ENVIRONMENT_FIELDS = List.of("date", "cpu_model", "cpus", "kernel", "memory",
            "open_files_limit", "jdk", "jvm_flags", "pinning", "loadgen_driver", "echolab_version", "git_commit",
            "settings");

    @Test
    void comparesTwoBackendsAndWritesEveryFile(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("bin/lab").toString(), "compare", "--backends", "nio,blocking",
                "--connections", "10", "--duration", "2s", "--warmup", "0s", "--work", "none", "--repeat", "1",
                "--idle", "50", "--retries", "0", "--no-reference", "--out", out.toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("all 4 cases ran"), output);

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(results.get("complete").asBoolean(), "every case ran");
        assertTrue(results.get("verdict").asText().matches("undisturbed: .*|\\d+ of 2 load cases disturbed.*"), results.get("verdict").asText());
        for (String f : ENVIRONMENT_FIELDS) {
            assertTrue(results.get("environment").has(f), "environment." + f);
        }
        for (JsonNode row : results.get("summary")) { // snake_case like the cases (docs/lab.md lists the fields)
            for (String f : List.of("msgs_per_s", "cpu_us_per_msg", "server_cpu_pct", "p99_us", "loadgen_bound", "disturbed")) {
                assertTrue(row.has(f), "summary." + f + " in " + row);
            }
        }
        JsonNode cases = results.get("cases");
        assertEquals(4, cases.size());
        for (JsonNode c : cases) {
            for (String f : CASE_FIELDS) {
                assertTrue(c.has(f), c.get("backend") + " " + c.get("scenario") + " has " + f);
            }
            assertEquals("ok", c.get("status").asText(), c.toString());
            assertEquals(0, c.get("server_exit").asInt(), "server exited 0 on SIGTERM");
            if (c.get("scenario").asText().equals("load")) {
                assertTrue(c.get("msgs_per_s").asDouble() > 0, c.toString());
                assertTrue(c.get("server_cpu_us_per_msg").asDouble() > 0, c.toString());
                assertEquals("measured interval", c.get("cpu_window").asText());
                assertEquals(0, c.get("errors").asInt());
                assertTrue(List.of("ok", "disturbed", "load-generator-bound").contains(c.get("verdict").asText()), c.toString());
                JsonNode attempts = c.get("attempts");
                assertEquals(1, attempts.size(), "--retries 0: one attempt (VerdictTest holds the reruns): " + attempts);
                assertEquals(c.get("verdict"), attempts.get(attempts.size() - 1).get("verdict"), "the case is its last attempt");
                assertSpectrum(c);
                JsonNode timeline = c.get("timeline");
                assertTrue(timeline.size() >= 1 && timeline.get(0).get("msgs_per_s").asDouble() > 0
                        && timeline.get(0).get("server_cpu_pct").isNumber(), "one point a second: " + timeline);
            } else {
                assertTrue(c.get("rss_per_connection_kb").isNumber(), c.toString());
            }
        }
        assertEquals(List.of("nio", "blocking"), cases.findValuesAsText("backend").stream().distinct().toList());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<td>nio</td>") && html.contains("<td>blocking</td>"), "report names both backends");
        assertTrue(Files.size(out.resolve("report.md")) > 500);
    }

    /** From the case's own histogram: percentiles rising to the maximum, latency never falling. */
    private static void assertSpectrum(JsonNode c) {
        JsonNode spectrum = c.get("latency_spectrum");
        assertTrue(spectrum.size() >= 20, "a spectrum of 20 points or more: " + spectrum);
        for (int i = 1; i < spectrum.size(); i++) {
            assertTrue(spectrum.get(i).get("percentile").asDouble() > spectrum.get(i - 1).get("percentile").asDouble()
                    && spectrum.get(i).get("us").asLong() >= spectrum.get(i - 1).get("us").asLong(), "point " + i + ": " + spectrum);
        }
        JsonNode last = spectrum.get(spectrum.size() - 1);
        assertTrue(last.get("percentile").asDouble() < 100, "the maximum is placed below 100%: " + last);
        assertTrue(Math.abs(last.get("us").asLong() - c.get("max_us").asLong()) <= c.get("max_us").asLong() / 100,
                "the last point is the load generator's maximum: " + last + " vs " + c.get("max_us"));
    }
}
