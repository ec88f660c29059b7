package dev.echolab.loadgen;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The warm-up records what the measurement records, into its own phase; the monitor reads the right one. */
class RunPhasesTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static Run run(double rate) {
        Duration second = Duration.ofSeconds(1);
        return new Run(new Settings("127.0.0.1", 8080, 2, second, second, 0, 0, 1, rate, DriverKind.NIO, 1,
                second, second, Duration.ZERO, null, null, false));
    }

    @Test
    void eachEchoGoesToThePhaseOfItsOwnTimestamp() {
        Run run = run(100);
        long t0 = System.nanoTime();
        run.begin(t0); // warm-up [t0, t0 + 1 s), measurement [t0 + 1 s, t0 + 2 s)
        run.completed(0, 25, t0, t0, 100_000, t0 + 999 * MS);      // warm-up
        run.completed(1, 25, t0, t0, 200_000, t0 + 1000 * MS);     // first instant of the measurement
        run.completed(1, 30, t0, t0, -1, t0 + 1999 * MS);          // measured; held not known
        run.completed(0, 25, t0, t0, 300_000, t0 + 2000 * MS);     // after the end: counted as verified only
        run.loopTurn(5 * MS, t0 + 500 * MS);
        run.loopTurn(7 * MS, t0 + 1500 * MS);

        assertEquals(1, run.warm.latency.getIntervalHistogram().getTotalCount());
        assertEquals(1, run.warm.corrected.getIntervalHistogram().getTotalCount());
        assertEquals(1, run.warm.held.getIntervalHistogram().getTotalCount());
        assertEquals(1, run.warm.loopTurns.getIntervalHistogram().getTotalCount());
        assertEquals(2, run.measured.latency.getIntervalHistogram().getTotalCount());
        assertEquals(2, run.measured.sendLateness.getIntervalHistogram().getTotalCount());
        assertEquals(200, run.measured.held.getIntervalHistogram().getMaxValue(), 1); // the -1 is not recorded
        assertEquals(7000, run.measured.loopTurns.getIntervalHistogram().getMaxValue(), 10);
        assertEquals(4, run.verified());
        assertEquals(55, run.measuredBytes());
        assertEquals(0, run.measuredPerConnection()[0]);
        assertEquals(2, run.measuredPerConnection()[1]);
    }

    /**
     * A monitor thread kept off the core (hundreds of platform client threads on one core) may see
     * nothing until every connection has ended: the measurement still spans warm-up end to end,
     * and its latencies are in the result.
     */
    @Test
    void aMonitorThatNeverSawTheWarmupEndStillReportsTheMeasurement() throws InterruptedException {
        Run run = run(0);
        long t0 = System.nanoTime() - 1500 * MS; // the warm-up ended half a second ago
        run.begin(t0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Monitor m = new Monitor(run, new PrintStream(out, true, StandardCharsets.UTF_8), null); // before the load, as in a run
        run.completed(0, 25, t0, 0, 50_000, t0 + 1200 * MS);
        run.completed(1, 25, t0, 0, 50_000, t0 + 1300 * MS);
        run.ended(true);
        run.ended(true);
        m.watch(t0); // as if it last looked at the start of the load
        m.finish();

        Results r = Results.of(run, 0, new org.HdrHistogram.Histogram(3), m);
        assertEquals(run.warmEnd(), m.measureStart);
        assertTrue(r.seconds() > 0.4 && r.seconds() <= 1.0, () -> "measured " + r.seconds() + " s");
        assertEquals(2, r.messages());
        assertEquals(2, r.latency().count());
        assertEquals(2, r.self().held().count());
        assertNull(run.measured.corrected, "a closed loop has no corrected latency");
    }
}
