package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/loadgen search} through the launcher against a server of known capacity:
 * {@code bin/server --backend nio --work cpu:1ms} burns 1 ms per message on its one event loop.
 * The capacity is measured in the same test by a closed loop before and after the search (the
 * machine is shared, so the baseline is taken here, not assumed, and its capacity moves while
 * others load it), and the search must find it within 15% of what those two saw. The bound is
 * loose (300 ms) so that a hiccup of the shared machine does not fail a step far below the
 * capacity; past it the backlog grows without end, and a step also misses when it achieves less
 * than 95% of its rate.
 */
class SearchIT {

    private static final Path ROOT = ServerProcess.ROOT;

    @Test
    @Timeout(240)
    void findsTheCapacityOfAServerWithAKnownLimit() throws Exception {
        Path baseline = ROOT.resolve("loadgen/target/it-search-baseline.json");
        Path json = ROOT.resolve("loadgen/target/it-search.json");
        try (ServerProcess server = new ServerProcess("--backend", "nio", "--work", "cpu:1ms")) {
            String port = Integer.toString(server.port());
            double capacity = closedLoop(port, baseline);
            Loadgen search = TargetsIT.loadgen("search", "--port", port, "--max-p99", "300ms",
                    "--start", Long.toString(Math.round(capacity * 0.6)), "--factor", "1.25", "--precision", "0.04",
                    "--step-duration", "1s", "--warmup", "1s", "--max-steps", "9", "--json", json.toString());
            assertEquals(0, search.exit(), search::toString);
            double after = closedLoop(port, baseline);
            JsonNode doc = Loadgen.json(json);
            double found = doc.get("capacity").asDouble();
            assertTrue(found >= 0.85 * Math.min(capacity, after) && found <= 1.15 * Math.max(capacity, after),
                    () -> "found " + found + " msgs/s, the closed loop " + capacity + " before and " + after + " after\n"
                            + search.out());
            assertTrue(doc.get("curve").size() >= 2 && doc.get("curve").size() <= 9, doc::toString);
            assertTrue(search.out().contains("Capacity: " + Math.round(found) + " msgs/s"), search::out);
        } finally {
            Files.deleteIfExists(baseline);
            Files.deleteIfExists(json);
        }
    }

    /** Messages per second of a closed loop of 16 connections: the server's capacity now. */
    private static double closedLoop(String port, Path json) throws Exception {
        Loadgen closed = TargetsIT.loadgen("--port", port, "--connections", "16", "--duration", "2s", "--warmup", "1s",
                "--json", json.toString());
        assertEquals(0, closed.exit(), closed::toString);
        return Loadgen.number(Loadgen.json(json), "/msgs_per_s");
    }

    @Test
    @Timeout(60)
    void aSearchWithoutABoundIsBadUsage() throws Exception {
        Loadgen none = TargetsIT.loadgen("search", "--port", "1");
        assertEquals(2, none.exit(), none::toString);
        assertTrue(none.err().startsWith("Missing required option: '--max-p99=DURATION'"), none::err);
        Loadgen negative = TargetsIT.loadgen("search", "--port", "1", "--max-p99", "-10ms");
        assertEquals(2, negative.exit(), negative::toString);
        assertTrue(negative.err().startsWith("Invalid value for option '--max-p99'"), negative::err);
    }
}
