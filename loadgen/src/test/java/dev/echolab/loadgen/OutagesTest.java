package dev.echolab.loadgen;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The faults' account (docs/loadgen.md, "Faults"): the back-off's steps, the time without service
 * within the measured interval only, and lost = sent - echoed - failed.
 */
class OutagesTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void theBackOffIsNoneThenTenMillisecondsDoublingUpToOneSecond() {
        long[] expected = {0, 10, 20, 40, 80, 160, 320, 640, 1000, 1000};
        for (int attempt = 1; attempt <= expected.length; attempt++) {
            assertEquals(expected[attempt - 1] * MS, Outages.backoffNanos(attempt), "attempt " + attempt);
        }
        assertEquals(1000 * MS, Outages.backoffNanos(Integer.MAX_VALUE));
    }

    @Test
    void downTimeCountsOnlyWithinTheMeasurementAndLostIsWhatIsNeitherEchoedNorFailed() {
        Run run = new Run(Settings.builder().connections(2).warmup(Duration.ofSeconds(1)).duration(Duration.ofSeconds(10)).build());
        run.begin(0); // warm-up [0, 1 s), measurement [1 s, 11 s)
        Outages o = run.outages;
        for (int i = 0; i < 3; i++) {
            o.sending(0, 10);
        }
        o.echoed(0, 10);
        // Connection 0: down from 900 ms (in the warm-up) to 1.05 s: 50 ms of it measured; one message of 10 bytes failed.
        o.failed(0, ErrorKind.RESET, 1, 10, 900 * MS);
        o.failed(0, ErrorKind.REFUSED, 0, 0, 950 * MS); // a failed attempt: the same outage
        o.reconnected(0, 1050 * MS);
        // Connection 1: down from 10.5 s to the end, never served again.
        o.failed(1, ErrorKind.CLOSED_EARLY, 0, 0, 10_500 * MS);
        Results.Faults f = o.results(new long[] {1, 0}, 1000 * MS, 11_000 * MS);
        assertEquals(3, f.failureTotal());
        assertEquals(1, f.failures(ErrorKind.REFUSED));
        assertEquals(1, f.recovered());
        assertEquals(0.55, f.downSeconds(), 1e-9);
        assertEquals(0.5, f.downMaxSeconds(), 1e-9);
        assertEquals(1 - 0.55 / 20, f.availability(2, 10), 1e-9);
        assertEquals(3, f.sentMessages());
        assertEquals(1, f.echoedMessages());
        assertEquals(1, f.failedMessages());
        assertEquals(1, f.lostMessages());
        assertEquals(10, f.lostBytes());
        assertEquals(1, o.down());
    }
}
