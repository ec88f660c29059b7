package dev.echolab.server;

import dev.echolab.server.Tally.Line;
import dev.echolab.server.Tally.Mode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TallyTest {

    private static final int THREADS = 8;
    private static final int UPDATES = 40;
    /** The chapter's sleep between reading the count and writing it back. */
    private static final Work WAIT = new Work(Work.Kind.IO, Duration.ofMillis(2));

    /** THREADS threads each add 1, UPDATES times, with WAIT between the read and the write. */
    private static long run(Tally tally) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            long connection = t;
            threads.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < UPDATES; i++) {
                    try {
                        tally.around(WAIT, 1, connection);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return tally.counted();
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"SYNCHRONIZED", "LOCK", "ATOMIC", "ADDER"})
    void synchronisedModesLoseNoUpdate(Mode mode) throws InterruptedException {
        try (Tally tally = new Tally(mode)) {
            assertEquals((long) THREADS * UPDATES, run(tally));
        }
    }

    @Test
    void theUnsafeCounterLosesTheUpdatesThatOverlapAWait() throws InterruptedException {
        try (Tally tally = new Tally(Mode.UNSAFE)) {
            long counted = run(tally);
            // Eight threads sleeping 2 ms between read and write overlap nearly always; at the very
            // least one update in the run is overwritten.
            assertTrue(counted < (long) THREADS * UPDATES, "counted " + counted);
            assertTrue(counted >= UPDATES, "counted " + counted);
        }
    }

    @Test
    void twoLocksTakenInOppositeOrdersDeadlockAndTheReportNamesThreadsAndLocks() throws InterruptedException {
        try (Tally tally = new Tally(Mode.DEADLOCK)) {
            Work wait = new Work(Work.Kind.IO, Duration.ofMillis(200));
            for (int c = 0; c < 2; c++) {
                long connection = c;
                Thread.ofPlatform().daemon().name("echo-" + c).start(() -> {
                    try {
                        tally.around(wait, 1, connection);
                    } catch (InterruptedException ignored) {
                        // not interruptible while waiting for a monitor; the daemon dies with the JVM
                    }
                });
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[] ids = null;
            for (int i = 0; i < 100 && ids == null; i++) {
                Thread.sleep(50);
                ids = mx.findDeadlockedThreads();
            }
            assertNotNull(ids, "no deadlock within 5 s");
            assertEquals("echo-0 holds lock A and waits for lock B (held by echo-1); "
                    + "echo-1 holds lock B and waits for lock A (held by echo-0)", tally.describe(mx.getThreadInfo(ids, true, false)));
        }
    }

    @Test
    void countsTheLinesARead() {
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        b.put("Thread-0 say hello 1\nThread-0 say hello 2\nThread-0 sa".getBytes(StandardCharsets.US_ASCII));
        assertEquals(2, Tally.lines(b, b.position()));
        assertEquals(1, Tally.lines(b, 21));
        assertEquals(0, Tally.lines(b, 20));
    }

    @Test
    void theTallyLineRoundTrips() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        for (int i = 0; i < 100; i++) {
            Line line = new Line(Mode.values()[r.nextInt(Mode.values().length)].id(), r.nextLong(0, Long.MAX_VALUE));
            assertEquals(Optional.of(line), Line.parse(line.format()));
        }
        assertEquals(Optional.of(new Line("lock", 42)), Line.parse("tally mode=lock counted=42\n"));
        assertEquals(Optional.empty(), Line.parse("connections=1 accepted=1"));
        assertEquals(Mode.ADDER, Mode.parse(" Adder "));
    }

    @Test
    void theDeadlockLineRoundTripsAndIsFoundBehindTheLogsPrefix() {
        Tally.Deadlock d = new Tally.Deadlock("blocking-echo-0 holds lock A and waits for lock B (held by blocking-echo-1); "
                + "blocking-echo-1 holds lock B and waits for lock A (held by blocking-echo-0)");
        assertEquals(Optional.of(d), Tally.Deadlock.parse(d.format()));
        assertEquals(Optional.of(d), Tally.Deadlock.parse("04:12:01.123 [tally-deadlock-watch] WARN  Tally - " + d.format() + "\n"));
        assertEquals(Optional.empty(), Tally.Deadlock.parse("tally mode=deadlock counted=2"));
    }
}
