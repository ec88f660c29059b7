package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Coordinated omission, shown: the server stalls every connection once for 200 ms. Only one message
 * per connection is in flight during the stall, so the latency from the actual send sees 4 slow
 * messages out of thousands (invisible at p99.9); the schedule kept running, so the latency from
 * the intended send time sees the 800 messages that should have gone out during the stall.
 *
 * <p>The correction is bounded from both sides by its definition: each message's corrected latency
 * is its uncorrected latency plus its send lateness. So no corrected percentile is below the
 * uncorrected one, and (as P(a + b > x + y) is at most P(a > x) + P(b > y)) the corrected median
 * is at most the uncorrected p75 plus the send lateness' p75: a correction that adds to every
 * sample breaks the second, one that forgets the lateness breaks the first at p99.9. The stall
 * delays under a tenth of the run's sends (800 of 12,000, and the catching up after it), so the
 * send lateness carries the stall at p99.9 and not at p90.
 */
class OpenLoopTest {

    private static final long STALL_US = 200_000;

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void correctedPercentilesShowAPauseTheUncorrectedHideAndAddOnlyTheSendLateness(DriverKind driver) throws Exception {
        Path json = Files.createTempFile("loadgen", ".json");
        try (FaultyEchoServer server = new FaultyEchoServer(FaultyEchoServer.Fault.PAUSE_ONCE, 3000, STALL_US / 1000)) {
            Loadgen r = Loadgen.run("--port", Integer.toString(server.port()), "--connections", "4", "--rate", "4000",
                    "--duration", "3s", "--warmup", "0s", "--driver", driver.id(), "--json", json.toString());
            assertEquals(0, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            double uncorrected = Loadgen.number(doc, "/p999_us");
            double corrected = Loadgen.number(doc, "/corrected/p999_us");
            // The corrected latency carries the 200 ms stall; the uncorrected does not.
            assertTrue(corrected >= STALL_US / 2, () -> "corrected p99.9 " + corrected + " us\n" + r);
            assertTrue(uncorrected < STALL_US / 4, () -> "uncorrected p99.9 " + uncorrected + " us\n" + r);
            // From below: corrected = uncorrected + lateness >= uncorrected, sample by sample.
            for (String p : List.of("p50_us", "p75_us", "p90_us", "p99_us", "p999_us", "max_us")) {
                double u = Loadgen.number(doc, "/" + p);
                double c = Loadgen.number(doc, "/corrected/" + p);
                assertTrue(c >= u, () -> "corrected " + p + " " + c + " below the uncorrected " + u + "\n" + doc);
            }
            // From above: the median gains at most what the sends' lateness explains. The slack is
            // HdrHistogram's (3 significant digits) and each figure's rounding to a microsecond.
            double median = Loadgen.number(doc, "/corrected/p50_us");
            double explained = Loadgen.number(doc, "/p75_us") + Loadgen.number(doc, "/send_lateness/p75_us");
            assertTrue(median <= explained * 1.002 + 2, () -> "corrected p50 " + median
                    + " us exceeds uncorrected p75 + send lateness p75 = " + explained + " us\n" + doc);
            // The send lateness: the stall held the sends due during it, and only those.
            double lateTail = Loadgen.number(doc, "/send_lateness/p999_us");
            double lateP90 = Loadgen.number(doc, "/send_lateness/p90_us");
            assertTrue(lateTail >= STALL_US / 2, () -> "send lateness p99.9 " + lateTail + " us\n" + doc);
            assertTrue(lateP90 < STALL_US / 2, () -> "send lateness p90 " + lateP90 + " us\n" + doc);
            double rate = Loadgen.number(doc, "/msgs_per_s");
            assertTrue(rate > 3600 && rate < 4400, () -> "rate " + rate + "\n" + r);
            assertTrue(r.out().contains("corrected") && r.out().contains("uncorrected"), r::toString);
        } finally {
            Files.deleteIfExists(json);
        }
    }
}
