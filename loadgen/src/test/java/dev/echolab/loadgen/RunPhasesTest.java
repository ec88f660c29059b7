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
        return new Run(Settings.builder().connections(2).duration(second).warmup(second).rate(rate).driver(DriverKind.NIO)
                .connectTimeout(second).timeout(second).build());
    }

    /** {@code --rate 1000} over 2 connections, warm-up 2 s, with a ramp of {@code ramp}. */
    private static Run ramped(Duration ramp) {
        Duration second = Duration.ofSeconds(1);
        return new Run(Settings.builder().connections(2).duration(second).warmup(Duration.ofSeconds(2)).rate(1000)
                .driver(DriverKind.NIO).connectTimeout(second).timeout(second).ramp(ramp).build());
    }

    /** How many messages of the 2 connections are due by {@code at} ns after the start. */
    private static long dueBy(Run run, long t0, long at) {
        long n = 0;
        for (long seq = 1; seq < 10_000; seq++) {
            for (int id = 0; id < 2; id++) {
                if (run.intended(id, seq) - t0 <= at) {
                    n++;
                }
            }
        }
        return n;
    }

    /**
     * {@code --ramp 1s} at 1,000 msgs/s: the rate rises in a straight line, so R t² / 2T messages
     * are due by t (125 by 0.5 s, 500 by 1 s), then 1,000 a second; the schedule never goes back.
     */
    @Test
    void aRampRaisesTheRateInAStraightLineThenHoldsIt() {
        Run run = ramped(Duration.ofSeconds(1));
        long t0 = System.nanoTime();
        run.begin(t0);
        assertEquals(125, dueBy(run, t0, 500 * MS), 1);
        assertEquals(500, dueBy(run, t0, 1000 * MS), 1);
        assertEquals(1000, dueBy(run, t0, 1500 * MS), 1);
        assertEquals(3000, dueBy(run, t0, 3500 * MS), 1);
        long previous = Long.MIN_VALUE;
        for (long seq = 1; seq < 2000; seq++) {
            for (int id = 0; id < 2; id++) {
                long due = run.intended(id, seq);
                assertTrue(due >= previous, "slot " + seq + "/" + id + " due before the one before it");
                if (due - t0 > 1001 * MS) {
                    assertEquals(MS, due - previous, 1, "full rate after the ramp: one message a millisecond");
                }
                previous = due;
            }
        }
    }

    /** Without a ramp, message s of the schedule is due at exactly s / R, as before ramps existed. */
    @Test
    void noRampIsTheFullRateFromTheFirstMessage() {
        Run run = ramped(Duration.ZERO);
        long t0 = 1_000_000_000L;
        run.begin(t0);
        for (long seq = 1; seq < 100; seq++) {
            for (int id = 0; id < 2; id++) {
                assertEquals(t0 + (long) (((seq - 1) * 2 + id) * 1e6), run.intended(id, seq));
            }
        }
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
        Monitor m = new Monitor(run, new PrintStream(out, true, StandardCharsets.UTF_8), p -> { }, null); // before the load, as in a run
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
