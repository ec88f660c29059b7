package dev.echolab.lab.sample;

import dev.echolab.loadgen.ServerCost;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/loadgen --server-pid} and the lab's {@link Sampler} measure a process's CPU over the
 * same interval alike: both read {@code /proc/PID/stat} through one reader, the lab sampling it
 * every {@link Sampler#PERIOD_MS} and interpolating, the load generator at the interval's ends.
 * The process is this JVM, one thread of it burning CPU over the interval.
 */
class ServerCostAgreementTest {

    @Test
    @Timeout(30)
    void theLoadGeneratorsServerCpuAgreesWithTheLabs() throws Exception {
        long pid = ProcessHandle.current().pid();
        try (Sampler sampler = new Sampler(pid)) {
            Thread.sleep(2 * Sampler.PERIOD_MS);
            ServerCost cost = ServerCost.before(pid);
            long from = System.currentTimeMillis();
            cost.start();
            long until = System.nanoTime() + 1_500_000_000L;
            long spin = 0;
            while (System.nanoTime() < until) {
                spin += Long.numberOfTrailingZeros(spin + System.nanoTime());
            }
            cost.end();
            long to = System.currentTimeMillis();
            Thread.sleep(2 * Sampler.PERIOD_MS);
            double lab = sampler.cpuSecondsBetween(from, to);
            double loadgen = cost.cpuSeconds();
            long spun = spin;
            assertTrue(loadgen >= 1.0, () -> "a thread burned 1.5 s, --server-pid saw " + loadgen + " s (" + spun + ")");
            // The lab interpolates between readings 200 ms apart, whose clock ticks are 10 ms: at
            // most a tick or two on each side of the interval, and 5% for the interpolation.
            assertEquals(lab, loadgen, 0.04 + 0.05 * lab, () -> "lab " + lab + " s, --server-pid " + loadgen + " s");
        }
    }
}
