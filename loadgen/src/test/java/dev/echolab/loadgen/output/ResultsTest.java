package dev.echolab.loadgen.output;

import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Results;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures {@link Results} derives: rates, fairness, the load generator's CPU and the exit status. */
class ResultsTest {

    @Test
    void ratesAreOverTheMeasuredSecondsAndZeroWithoutThem() {
        Results r = ReportTest.closedLoopWithErrors(); // 700 messages, 70,000 bytes, 28 connects in 2 s
        assertEquals(350.0, r.msgsPerSecond());
        assertEquals(0.035, r.megabytesPerSecond(), 1e-12);
        assertEquals(14.0, r.connectsPerSecond());
        Results none = seconds(r, 0);
        assertEquals(0.0, none.msgsPerSecond());
        assertEquals(0.0, none.megabytesPerSecond());
        assertEquals(0.0, none.connectsPerSecond());
        Results tiny = seconds(r, 1e-300); // any measured time counts
        assertTrue(tiny.msgsPerSecond() > 0 && tiny.megabytesPerSecond() > 0 && tiny.connectsPerSecond() > 0);
    }

    private static Results seconds(Results r, double seconds) {
        return new Results(r.settings(), r.connectionsUp(), r.connectSeconds(), r.connect(), r.connects(), r.verified(), r.messages(),
                r.bytes(), seconds, r.latency(), r.corrected(), r.sendLateness(), r.errors(), r.firstErrors(), r.fairness(), r.cpu(),
                r.self(), r.measureStartEpochMs(), r.measureEndEpochMs(), r.server(), r.faults());
    }

    private static Results with(Results r, long verified, long[] errors, Results.Fairness fairness) {
        return new Results(r.settings(), r.connectionsUp(), r.connectSeconds(), r.connect(), r.connects(), verified, r.messages(),
                r.bytes(), r.seconds(), r.latency(), r.corrected(), r.sendLateness(), errors, r.firstErrors(), fairness, r.cpu(),
                r.self(), r.measureStartEpochMs(), r.measureEndEpochMs(), r.server(), r.faults());
    }

    @Test
    void onlyACleanRunThatVerifiedSomethingExitsZero() {
        Results clean = ReportTest.openLoop();
        assertEquals(0, clean.exitStatus());
        long[] none = new long[ErrorKind.values().length];
        Results.Fairness fair = clean.fairness();
        assertEquals(1, with(clean, 0, none, fair).exitStatus(), "nothing verified");
        assertEquals(0, with(clean, 1, none, fair).exitStatus(), "one verified echo is something");
        assertEquals(1, with(clean, 1, none, new Results.Fairness(0, 1, 1, 1, 1)).exitStatus(), "a starved connection");
        for (ErrorKind k : ErrorKind.values()) {
            long[] one = new long[none.length];
            one[k.ordinal()] = 1;
            assertEquals(1, with(clean, 1, one, fair).exitStatus(), k::key);
        }
    }

    @Test
    void errorLinesAreTheFirstOfEachKindAndConnectionsNotOpenedAreCounted() {
        Results r = ReportTest.closedLoopWithErrors();
        assertEquals("connection 3: timeout: no reply in 5s", r.errorLine(ErrorKind.TIMEOUT));
        assertEquals("3 of 10 connections could not be opened: Too many open files (raise ulimit -n)", r.errorLine(ErrorKind.LOCAL_LIMIT));
        assertEquals(null, r.errorLine(ErrorKind.RESET));
        assertEquals(null, ReportTest.openLoop().errorLine(ErrorKind.LOCAL_LIMIT));
        assertEquals(5, r.errorsButMismatches());
        assertEquals(2, r.errors(ErrorKind.TIMEOUT));
    }

    @Test
    void fairnessIsTheMinMedianAndMaxOfTheCounts() {
        assertEquals(new Results.Fairness(1, 5, 9, 2, 0), Results.Fairness.of(new long[] {9, 1, 5, 7, 3}, 2));
        assertEquals(new Results.Fairness(1, 7, 9, 0, 0), Results.Fairness.of(new long[] {9, 1, 7, 3}, 0), "the upper median of an even count");
        assertEquals(new Results.Fairness(4, 4, 4, 0, 0), Results.Fairness.of(new long[] {4}, 0));
        assertEquals(new Results.Fairness(0, 0, 0, 3, 0), Results.Fairness.of(new long[0], 3));
        assertEquals(new Results.Fairness(0, 0, 6, 0, 2), Results.Fairness.of(new long[] {6, 0, 0}, 0), "two completed nothing");
    }

    @Test
    void cpuIsAShareOfOneCoreAndSaturatedAbove90PercentOfEveryCore() {
        int cores = Runtime.getRuntime().availableProcessors();
        Results.Cpu half = Results.Cpu.of(500_000_000L, 2_000_000_000L);
        assertEquals(0.5, half.seconds());
        assertEquals(25.0, half.percentOfOneCore());
        assertEquals(cores, half.cores());
        assertFalse(half.saturated());
        long wall = 1_000_000_000L;
        assertFalse(Results.Cpu.of(wall * 9 * cores / 10, wall).saturated(), "90% of every core is not saturated");
        assertTrue(Results.Cpu.of(wall * 9 * cores / 10 + 1_000_000, wall).saturated(), "above it is");
        Results.Cpu noTime = Results.Cpu.of(5, 0);
        assertEquals(0.0, noTime.percentOfOneCore());
        assertFalse(noTime.saturated());
    }

    @Test
    void withoutAMonitorTheLoadGeneratorsOwnFiguresAreZero() {
        assertEquals(new Results.Self(0, 0, 0, null, null), Results.Self.of(null, true));
        assertEquals(new Results.Self(0, 0, 0, null, null), Results.Self.of(null, false));
    }
}
