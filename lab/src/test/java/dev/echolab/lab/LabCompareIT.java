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
            "repeat", "server_args", "rate", "status", "failure", "server_output", "server_exit", "loadgen_exit", "msgs_per_s", "mb_per_s",
            "messages", "p50_us", "p75_us", "p90_us", "p99_us", "p999_us", "max_us", "errors", "mismatches",
            "starved_connections", "loadgen_cpu_pct", "loadgen_saturated", "server_cpu_pct", "server_cpu_us_per_msg",
            "cpu_window", "server_processes", "server_threads_baseline", "server_threads_peak", "server_rss_mb_baseline",
            "server_rss_mb_peak", "rss_per_connection_kb", "threads_per_connection", "voluntary_ctx_switches",
            "involuntary_ctx_switches", "idle_cpu_pct", "elapsed_s");
    static final List<String> ENVIRONMENT_FIELDS = List.of("date", "cpu_model", "cpus", "kernel", "memory",
            "open_files_limit", "jdk", "jvm_flags", "pinning", "loadgen_driver", "echolab_version", "git_commit",
            "settings");

    @Test
    void comparesTwoBackendsAndWritesEveryFile(@TempDir Path out) throws Exception {
        Process p = new ProcessBuilder(ROOT.resolve("bin/lab").toString(), "compare", "--backends", "nio,blocking",
                "--connections", "10", "--duration", "1s", "--warmup", "0s", "--work", "none", "--repeat", "1",
                "--idle", "50", "--no-reference", "--out", out.toString())
                .directory(ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(150, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("all 4 cases ran"), output);

        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertTrue(results.get("complete").asBoolean(), "every case ran");
        for (String f : ENVIRONMENT_FIELDS) {
            assertTrue(results.get("environment").has(f), "environment." + f);
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
            } else {
                assertTrue(c.get("rss_per_connection_kb").isNumber(), c.toString());
            }
        }
        assertEquals(List.of("nio", "blocking"), cases.findValuesAsText("backend").stream().distinct().toList());
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("<td>nio</td>") && html.contains("<td>blocking</td>"), "report names both backends");
        assertTrue(Files.size(out.resolve("report.md")) > 500);
    }
}
