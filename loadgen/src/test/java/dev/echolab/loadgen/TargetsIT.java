package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Targets through the launcher, on one {@code bin/server --backend nio --port 0}: a bound every
 * round trip meets exits 0, one no round trip can meet (1us) exits 3, and bad bounds exit 2.
 */
class TargetsIT {

    private static final Path ROOT = ServerProcess.ROOT;
    private static ServerProcess server;

    @BeforeAll
    static void startServer() throws Exception {
        server = new ServerProcess();
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    static Loadgen loadgen(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/loadgen").toString()));
        command.addAll(List.of(args));
        return Loadgen.child(command);
    }

    @Test
    @Timeout(120)
    void aTargetMetExitsZeroAndOneMissedExitsThree() throws Exception {
        Path json = ROOT.resolve("loadgen/target/it-targets.json");
        String port = Integer.toString(server.port());
        Loadgen met = loadgen("--port", port, "--connections", "4", "--duration", "1s", "--warmup", "300ms",
                "--max-p99", "10s", "--max-errors", "0", "--min-rate", "1");
        assertEquals(0, met.exit(), met::toString);
        assertTrue(met.out().contains("Target --max-p99: measured "), met::out);
        assertTrue(met.out().contains(" msgs/s, bound 1 msgs/s: ok\n"), met::out);
        assertTrue(met.out().strip().endsWith("Target --max-errors: measured 0 errors, bound 0 errors: ok"), met::out);

        Loadgen missed = loadgen("--port", port, "--connections", "4", "--duration", "1s", "--warmup", "300ms",
                "--rate", "2k", "--max-p99", "1us", "--max-p999", "10s", "--json", json.toString());
        assertEquals(3, missed.exit(), missed::toString);
        assertTrue(missed.out().contains("bound 1 us: missed"), missed::out);
        JsonNode targets = Loadgen.json(json).get("targets");
        assertEquals(2, targets.size(), targets::toString);
        assertEquals("--max-p99", targets.get(0).get("option").asText(), targets::toString);
        assertTrue(!targets.get(0).get("ok").asBoolean() && targets.get(1).get("ok").asBoolean(), targets::toString);
        assertEquals(3, Loadgen.number(Loadgen.json(json), "/exit_status"));
        Files.deleteIfExists(json);
    }

    /** {@code --server-pid}: the server's cost in the report and the JSON; a process that is gone is bad usage. */
    @Test
    @Timeout(120)
    void serverPidReportsTheServersCost() throws Exception {
        Path json = ROOT.resolve("loadgen/target/it-server-pid.json");
        Loadgen r = loadgen("--port", Integer.toString(server.port()), "--connections", "4", "--duration", "1s",
                "--warmup", "300ms", "--server-pid", Long.toString(server.pid()), "--json", json.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().contains("Server: pid " + server.pid() + ": CPU "), r::out);
        JsonNode cost = Loadgen.json(json).get("server");
        assertTrue(cost.get("cpu_user_us_per_msg").asDouble() + cost.get("cpu_system_us_per_msg").asDouble() > 0, cost::toString);
        assertTrue(cost.get("rss_end_bytes").asLong() > 1 << 20 && cost.get("threads_end").asInt() >= 1, cost::toString);
        assertTrue(cost.get("ended").isNull(), cost::toString);
        Files.deleteIfExists(json);

        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Loadgen bad = loadgen("--port", Integer.toString(server.port()), "--server-pid", Long.toString(gone.pid()));
        assertEquals(2, bad.exit(), bad::toString);
        assertEquals("--server-pid " + gone.pid() + ": no such process is running\n", bad.err());
    }

    @Test
    @Timeout(60)
    void aBoundThatIsNoBoundIsBadUsage() throws Exception {
        for (String[] bad : new String[][] {{"--max-p99", "-5ms"}, {"--max-p99", "0"}, {"--min-rate", "-1"},
                {"--max-errors", "-1"}}) {
            Loadgen r = loadgen("--port", Integer.toString(server.port()), bad[0], bad[1]);
            assertEquals(2, r.exit(), r::toString);
            assertTrue(r.err().startsWith("Invalid value for option '" + bad[0] + "'"), r::err);
        }
    }
}
