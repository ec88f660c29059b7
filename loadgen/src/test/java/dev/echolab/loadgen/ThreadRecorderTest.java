package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A selector thread's own recorder: what it records in a section reaches the monitor's take,
 * in the right phase, every value with its count, once.
 */
class ThreadRecorderTest {

    private static final long US = TimeUnit.MICROSECONDS.toNanos(1);

    private static Histogram[] take(ThreadRecorder r, int phase) {
        Histogram[] h = {new Histogram(3), new Histogram(3), new Histogram(3), new Histogram(3)};
        r.takeInto(phase, h[0], h[1], h[2], h[3]);
        return h;
    }

    @Test
    void everyRoundTripReachesItsPhaseOnceWithItsCount() {
        ThreadRecorder r = new ThreadRecorder(true);
        long now = 1_000_000 * US;
        long stamp = r.open();
        r.record(0, now - 100 * US, now - 100 * US, 5 * US, now); // three with equal values
        r.record(0, now - 100 * US, now - 100 * US, 5 * US, now);
        r.record(0, now - 100 * US, now - 100 * US, 5 * US, now);
        r.record(0, now - 200 * US, now - 300 * US, 5 * US, now); // sent 100 us after its slot
        r.record(1, now - 100 * US, now - 100 * US, 5 * US, now); // same values, other phase
        r.verified(5);
        r.close(stamp);

        Histogram[] warm = take(r, 0);
        assertEquals(4, warm[0].getTotalCount());
        assertEquals(3, warm[0].getCountAtValue(100));
        assertEquals(1, warm[0].getCountAtValue(200));
        assertEquals(1, warm[1].getCountAtValue(300), "corrected: from the intended send");
        assertEquals(3, warm[2].getCountAtValue(0), "send lateness");
        assertEquals(1, warm[2].getCountAtValue(100));
        assertEquals(4, warm[3].getCountAtValue(5), "held");
        Histogram[] measured = take(r, 1);
        assertEquals(1, measured[0].getTotalCount());
        assertEquals(1, measured[0].getCountAtValue(100));
        assertEquals(5, r.published());

        assertEquals(0, take(r, 0)[0].getTotalCount(), "a take holds only what came after the last");
        stamp = r.open();
        r.record(0, now - 7 * US, now, 0, now);
        r.close(stamp);
        assertEquals(1, take(r, 0)[0].getCountAtValue(7));
    }

    @Test
    void closedLoopLeavesCorrectedAndLatenessAlone() {
        ThreadRecorder r = new ThreadRecorder(false);
        long stamp = r.open();
        r.record(1, 0, 0, 2 * US, 40 * US);
        r.close(stamp);
        Histogram[] h = take(r, 1);
        assertEquals(1, h[0].getCountAtValue(40));
        assertEquals(0, h[1].getTotalCount());
        assertEquals(0, h[2].getTotalCount());
        assertEquals(1, h[3].getCountAtValue(2));
    }
}
