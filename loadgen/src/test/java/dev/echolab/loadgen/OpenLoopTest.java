package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coordinated omission, shown: the server stalls every connection once for 200 ms. Only one message
 * per connection is in flight during the stall, so the latency from the actual send sees 4 slow
 * messages out of thousands (invisible at p99.9); the schedule kept running, so the latency from
 * the intended send time sees the 800 messages that should have gone out during the stall.
 */
class OpenLoopTest {

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void correctedPercentilesShowAPauseTheUncorrectedHide(DriverKind driver) throws Exception {
        Path json = Files.createTempFile("loadgen", ".json");
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.PAUSE_ONCE, 3000, 200)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "4", "--rate", "4000",
                    "--duration", "3s", "--warmup", "0s", "--driver", driver.id(), "--json", json.toString());
            assertEquals(0, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            double uncorrected = Loadgen.number(doc, "/p999_us");
            double corrected = Loadgen.number(doc, "/corrected/p999_us");
            // The corrected latency carries the 200 ms stall; the uncorrected does not.
            assertTrue(corrected >= 100_000, () -> "corrected p99.9 " + corrected + " us\n" + r);
            assertTrue(uncorrected < 50_000, () -> "uncorrected p99.9 " + uncorrected + " us\n" + r);
            double rate = Loadgen.number(doc, "/msgs_per_s");
            assertTrue(rate > 3600 && rate < 4400, () -> "rate " + rate + "\n" + r);
            assertTrue(r.out().contains("corrected") && r.out().contains("uncorrected"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }
}
