package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A light open loop costs a light load generator: 1,000 connections at 1,000 msgs/s in all, each
 * driver in its own JVM (so the CPU figure is the load generator's alone) against {@code bin/server
 * --backend nio}. A driver that polls whenever a send is near keeps a core busy whatever the rate;
 * one that sleeps until the next reply or send uses a fraction of one.
 */
class OpenLoopCpuIT {

    /**
     * Half of one core: a polling loop keeps at least one core busy, a sleeping one stays well
     * below this even on a loaded machine: with one core kept busy by {@code stress-ng --cpu 1} and
     * this test's 3 s of warm-up, 20-24% for the platform and virtual drivers and 7-12% for nio
     * (the JIT still compiles in the measured seconds). docs/loadgen.md has the steady figures.
     */
    private static final double MAX_PCT_OF_ONE_CORE = 45;

    @RegisterExtension
    static final ServerProcess.ForClass SERVER = new ServerProcess.ForClass();

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(180)
    void aThousandMessagesASecondCostALittleCpu(DriverKind driver) throws Exception {
        Loadgen.WithJson run = Loadgen.childWithJson(List.of(ServerProcess.ROOT.resolve("bin/loadgen").toString(),
                "--port", Integer.toString(SERVER.port()), "--driver", driver.id(), "--connections", "1000",
                "--rate", "1000", "--duration", "4s", "--warmup", "3s"));
        Loadgen r = run.run();
        assertEquals(0, r.exit(), r::toString);
        JsonNode doc = run.doc();
        assertEquals(0, Loadgen.number(doc, "/errors"), r::toString);
        double rate = Loadgen.number(doc, "/msgs_per_s");
        assertTrue(rate > 900 && rate < 1100, () -> "rate " + rate + "\n" + r);
        double cpu = Loadgen.number(doc, "/cpu_pct");
        assertTrue(cpu < MAX_PCT_OF_ONE_CORE, () -> driver + ": load generator CPU " + cpu
                + "% of one core at 1,000 msgs/s (bound " + MAX_PCT_OF_ONE_CORE + "%)\n" + r);
        double late = Loadgen.number(doc, "/send_lateness/p50_us"); // fails the test if the field is missing
        System.out.printf("OpenLoopCpuIT %s: %.0f msgs/s, load generator CPU %.1f%% of one core, send lateness p50 %.0f us%n",
                driver, rate, cpu, late);
        assertTrue(r.out().contains("Send lateness:"), r::toString);
    }
}
