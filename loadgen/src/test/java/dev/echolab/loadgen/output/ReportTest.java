package dev.echolab.loadgen.output;

import dev.echolab.loadgen.DriverKind;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.Settings;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The report and the JSON made from one {@link Results} with figures chosen so each lands in one
 * place: every line of the text report and every key of the JSON is compared whole, so a figure
 * taken from the wrong field, rounded differently or left out fails.
 */
class ReportTest {

    static final Results.Percentiles LATENCY = new Results.Percentiles(12_000, 110, 175, 290, 990, 4_100, 200_447, 123.456);
    static final Results.Percentiles CORRECTED = new Results.Percentiles(12_000, 120, 185, 300, 1_200, 150_000, 201_000, 3_456.789);
    static final Results.Percentiles LATENESS = new Results.Percentiles(12_000, 7, 9, 11, 90, 140_000, 199_000, 1_234.5);
    static final Results.Percentiles CONNECT = new Results.Percentiles(4, 300, 310, 320, 330, 340, 350, 312.345);
    static final Results.Percentiles HELD = new Results.Percentiles(12_000, 3, 4, 5, 20, 40, 60, 3.5);
    static final Results.Percentiles TURNS = new Results.Percentiles(12_000, 8, 9, 10, 30, 50, 70, 9.5);

    /** No failure, every message sent echoed: {@code messages} of {@code bytes} in all. */
    static Results.Faults noFaults(long messages, long bytes) {
        return new Results.Faults(0, new long[ErrorKind.values().length], 0, 0, 0, 0, messages, messages, 0, bytes, bytes, 0);
    }

    /** A clean open-loop run on the nio driver, every figure fixed (the settings below). */
    static Results openLoop() {
        Settings s = Settings.builder().port(9000).connections(4).rate(4000).duration(Duration.ofSeconds(3))
                .warmup(Duration.ofMillis(500)).driver(DriverKind.NIO).size(32).build();
        return new Results(s, 4, 0.0123, CONNECT, 0, 12_500, 12_000, 384_000, 3.0, LATENCY, CORRECTED, LATENESS,
                new long[ErrorKind.values().length], new String[ErrorKind.values().length], new Results.Fairness(2_990, 3_000, 3_010, 0, 0),
                new Results.Cpu(0.45, 15.0, 2, false), new Results.Self(12, 1, 3, HELD, TURNS), 1_700_000_000_000L, 1_700_000_003_000L, null,
                noFaults(12_500, 400_000));
    }

    /** A closed loop of 10 platform connections with errors, a starved connection, reconnects and a saturated CPU. */
    static Results closedLoopWithErrors() {
        Settings s = Settings.builder().port(9001).connections(10).messages(100).reconnectEvery(25)
                .driver(DriverKind.PLATFORM).build();
        long[] errors = new long[ErrorKind.values().length];
        String[] first = new String[errors.length];
        errors[ErrorKind.TIMEOUT.ordinal()] = 2;
        first[ErrorKind.TIMEOUT.ordinal()] = "connection 3: timeout: no reply in 5s";
        errors[ErrorKind.MISMATCH.ordinal()] = 1;
        first[ErrorKind.MISMATCH.ordinal()] = "connection 4: mismatch at byte 7";
        errors[ErrorKind.LOCAL_LIMIT.ordinal()] = 3;
        first[ErrorKind.LOCAL_LIMIT.ordinal()] = "Too many open files (raise ulimit -n)";
        return new Results(s, 7, 0.5, CONNECT, 28, 700, 700, 70_000, 2.0, LATENCY, null, null, errors, first,
                new Results.Fairness(0, 100, 100, 1, 1), new Results.Cpu(3.9, 195.0, 2, true), new Results.Self(40, 2, 9, null, null),
                1_700_000_000_000L, 1_700_000_002_000L, null, noFaults(700, 70_000));
    }

    @Test
    void theReportPrintsEveryFigureOfAnOpenLoopRunInItsPlace() {
        assertEquals("""
                Running 3s test @ 127.0.0.1:9000
                  4 connections (4 up), driver nio, open loop at 4000 msgs/s, pipeline 1
                  Latency Distribution (us, HdrHistogram): corrected = from the intended send time (coordinated omission), uncorrected = from the actual send
                             corrected  uncorrected
                      50%          120          110
                      75%          185          175
                      90%          300          290
                      99%         1200          990
                    99.9%       150000         4100
                      max       201000       200447
                     mean         3457          123
                  Send lateness: p50 7 us, p99 90 us, max 199000 us behind the schedule (the pacing's own delay, counted in the corrected latency)
                  12000 messages in 3.00s, 0.38 MB echoed; 12500 echoes verified byte for byte in all
                Messages/sec:      4000.00
                Transfer/sec:      0.13 MB
                Connect: 4 of 4 up in 0.01 s (per connection: mean 312 us, p99 330 us, max 350 us)
                Errors: refused 0, timeout 0, reset 0, closed early 0, mismatch 0, local limit 0, other 0
                Fairness: messages per connection min 2990, median 3000, max 3010; every connection got replies
                Load generator CPU: 15% of one core over the measurement (2 cores available)
                Load generator itself: JIT 12 ms, GC 1 (3 ms) during the measurement; replies held p50 3 us, p99 20 us, max 60 us after the kernel reported them, loop turns p99 30 us, max 70 us (a reply arriving in a turn waited for its end too)
                """, print(openLoop()));
    }

    @Test
    void theReportSaysErrorsStarvationReconnectsAndASaturatedLoadGenerator() {
        assertEquals("""
                Running 100 messages per connection @ 127.0.0.1:9001
                  10 connections (7 up), driver platform, closed loop, pipeline 1
                  Latency Distribution (us, HdrHistogram)
                      50%        110
                      75%        175
                      90%        290
                      99%        990
                    99.9%       4100
                      max     200447
                     mean        123
                  700 messages in 2.00s, 0.07 MB echoed; 700 echoes verified byte for byte in all
                Messages/sec:       350.00
                Transfer/sec:      0.04 MB
                Connect: 7 of 10 up in 0.50 s (per connection: mean 312 us, p99 330 us, max 350 us)
                  28 connections opened in the measurement, 14.00 per second (each reopened every 25 messages)
                  3 of 10 connections could not be opened: Too many open files (raise ulimit -n)
                Errors: refused 0, timeout 2, reset 0, closed early 0, mismatch 1, local limit 3, other 0
                Fairness: messages per connection min 0, median 100, max 100; 1 connections got no reply: the server starved them
                Load generator CPU: 195% of one core over the measurement (2 cores available): WARNING results may be bound by the load generator
                Load generator itself: JIT 40 ms, GC 2 (9 ms) during the measurement; replies held not measured by this driver (a blocked read is timed when its thread runs)
                """, print(closedLoopWithErrors()));
    }

    @Test
    void aLoadGeneratorHoldingMuchOfTheP99IsWarnedAbout() {
        Results r = openLoop();
        Results.Percentiles p99Of100 = new Results.Percentiles(10, 50, 60, 70, 100, 100, 100, 50);
        Results.Percentiles held = new Results.Percentiles(10, 10, 10, 10, 20, 20, 20, 10);
        Results.Percentiles turns = new Results.Percentiles(10, 1, 1, 1, 6, 6, 6, 1);
        Results own26 = with(r, p99Of100, new Results.Self(0, 0, 0, held, turns));
        assertEquals("JIT 0 ms, GC 0 (0 ms) during the measurement; replies held p50 10 us, p99 20 us, max 20 us after the kernel "
                + "reported them, loop turns p99 6 us, max 6 us (a reply arriving in a turn waited for its end too): WARNING up "
                + "to 26% of the p99 may be this load generator's", Report.self(own26));
        Results.Percentiles turns5 = new Results.Percentiles(10, 1, 1, 1, 5, 5, 5, 1);
        Results own25 = with(r, p99Of100, new Results.Self(0, 0, 0, held, turns5));
        assertEquals(false, Report.self(own25).contains("WARNING"), Report.self(own25)); // 25 of 100 is a quarter: no warning
        Results.Percentiles turns500 = new Results.Percentiles(10, 1, 1, 1, 500, 500, 500, 1);
        assertEquals(true, Report.self(with(r, p99Of100, new Results.Self(0, 0, 0, held, turns500))).endsWith("up to 100% of the p99 may be this load generator's"));
        Results.Percentiles none = new Results.Percentiles(0, 10, 10, 10, 20, 20, 20, 10);
        assertEquals(false, Report.self(with(r, p99Of100, new Results.Self(0, 0, 0, none, turns500))).contains("WARNING"));
        Results.Percentiles p99Of0 = new Results.Percentiles(10, 0, 0, 0, 0, 0, 0, 0);
        assertEquals(false, Report.self(with(r, p99Of0, new Results.Self(0, 0, 0, held, turns500))).contains("WARNING"));
    }

    private static Results with(Results r, Results.Percentiles latency, Results.Self self) {
        return new Results(r.settings(), r.connectionsUp(), r.connectSeconds(), r.connect(), r.connects(), r.verified(), r.messages(),
                r.bytes(), r.seconds(), latency, r.corrected(), r.sendLateness(), r.errors(), r.firstErrors(), r.fairness(), r.cpu(),
                self, r.measureStartEpochMs(), r.measureEndEpochMs(), r.server(), r.faults());
    }

    @Test
    void theJsonCarriesEachFigureOfTheResultsAtItsKey() {
        Results r = openLoop();
        Map<String, Long> none = new LinkedHashMap<>();
        for (ErrorKind k : ErrorKind.values()) {
            none.put(k.key(), 0L);
        }
        JsonReport expected = new JsonReport(4, 4000.0, 0.13, 110, 175, 290, 990, 4_100, 200_447, 123.46, 0, 0, 4, 12_000, 12_500,
                3.0, 0.5, 0.01, 0, 0.0, 1_700_000_000_000L, 1_700_000_003_000L, 32.0, 15.0,
                new JsonReport.Latency(120, 185, 300, 1_200, 150_000, 201_000, 3_456.79),
                new JsonReport.Latency(7, 9, 11, 90, 140_000, 199_000, 1_234.5), none, Map.of(),
                new JsonReport.Connect(0.01, 312.35, 300, 330, 350), new JsonReport.Fairness(2_990, 3_000, 3_010, 0, 0),
                new JsonReport.Cpu(0.45, 15.0, 2, false),
                new JsonReport.Self(12, 1, 3, new JsonReport.Latency(3, 4, 5, 20, 40, 60, 3.5), new JsonReport.Latency(8, 9, 10, 30, 50, 70, 9.5)),
                new JsonReport.Faults(0, 0, none, 0, 0, 0.0, 0.0, 1.0, 12_500, 12_500, 0, 0, 400_000, 400_000, 0, 0),
                new JsonReport.RunSettings("127.0.0.1", 9000, 4, "nio", 1, 3.0, 0.5, 0, 32, 1, 4000.0, 0.0, 5.0, 5.0, 1, "", 0.0, 0, 0),
                null, List.of(), 0);
        assertEquals(expected, JsonReport.of(r));
    }

    @Test
    void theJsonOfARunWithErrorsCountsThemByKindAndKeepsTheFirstOfEach() {
        JsonReport j = JsonReport.of(closedLoopWithErrors());
        assertEquals(5, j.errors(), "every error but the mismatch");
        assertEquals(1, j.mismatches());
        assertEquals(Map.of("refused", 0L, "timeout", 2L, "reset", 0L, "closed_early", 0L, "mismatch", 1L, "local_limit", 3L, "other", 0L),
                j.errorsByKind());
        assertEquals(Map.of("timeout", "connection 3: timeout: no reply in 5s", "mismatch", "connection 4: mismatch at byte 7",
                "local_limit", "Too many open files (raise ulimit -n)"), j.firstErrors());
        assertEquals(null, j.corrected());
        assertEquals(null, j.sendLateness());
        assertEquals(null, j.self().held());
        assertEquals(14.0, j.connectsPerS());
        assertEquals(28, j.connects());
        assertEquals(100.0, j.msgBytes());
        assertEquals(1, j.exitStatus());
        assertEquals(25, j.settings().reconnectEvery());
        assertEquals(100, j.settings().messages());
        assertEquals(new JsonReport.Cpu(3.9, 195.0, 2, true), j.cpu());
        assertEquals(new JsonReport.Fairness(0, 100, 100, 1, 1), j.fairness());
    }

    private static String print(Results r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Report.print(r, out);
        }
        return bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
    }
}
