package dev.echolab.loadgen;

import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.loadgen.output.JsonStream;
import dev.echolab.loadgen.output.Progress;
import dev.echolab.loadgen.processes.ChildResult;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every JSON the load generator hands another process, written and read back through its one type
 * with random values: the report ({@code --json}, the lab), a child's result (the {@code --processes}
 * parent) and the per-second progress ({@code --json-stream}, the parent's view of its children).
 */
class FormatsTest {

    private static final int ROUNDS = 300;
    private static final Pattern EXPONENT = Pattern.compile("[:,\\[]-?[0-9.]+[eE]");

    @Test
    void reportsRoundTrip() {
        Random r = new Random(27);
        for (int i = 0; i < ROUNDS; i++) {
            JsonReport report = report(r, r.nextInt(100_000), r.nextBoolean());
            String json = report.toJson();
            assertEquals(report, JsonReport.parse(json), json);
            assertFalse(EXPONENT.matcher(json).find(), () -> "a number with an exponent: " + json);
        }
    }

    @Test
    void childResultsRoundTrip() {
        Random r = new Random(28);
        for (int i = 0; i < ROUNDS; i++) {
            Histogram h = new Histogram(3);
            for (int v = r.nextInt(1000); v > 0; v--) {
                h.recordValue(1 + r.nextInt(10_000_000));
            }
            List<Long> counts = new ArrayList<>();
            for (int c = r.nextInt(50); c > 0; c--) {
                counts.add(r.nextLong(1_000_000_000L));
            }
            ChildResult c = childResult(r, counts.size(), counts, Map.of("connect", ChildResult.encode(h),
                    "latency", ChildResult.encode(h)));
            String line = c.line();
            assertTrue(line.startsWith(ChildResult.PREFIX) && !line.contains("\n"), line);
            ChildResult back = ChildResult.parse(line.substring(ChildResult.PREFIX.length()));
            assertEquals(c, back, line);
            assertEquals(h, ChildResult.decode(back.histograms().get("latency")));
        }
    }

    @Test
    void progressRoundTripsAloneAndInAStream() {
        Random r = new Random(29);
        List<String> lines = new ArrayList<>();
        List<Progress> written = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            Map<String, Long> errors = new LinkedHashMap<>();
            for (ErrorKind k : ErrorKind.values()) {
                errors.put(k.key(), r.nextLong(1L << 40));
            }
            Progress p = new Progress(Progress.SCHEMA, Progress.TYPE, r.nextDouble() * 1e5, r.nextBoolean() ? "warm-up" : "measuring",
                    r.nextDouble() * 1e7, r.nextBoolean() ? null : percentiles(r), r.nextBoolean() ? null : percentiles(r), errors,
                    r.nextLong(1L << 30), 1 + r.nextInt(64), r.nextLong(1L << 30), r.nextLong(1L << 20));
            String line = p.toJson();
            assertEquals(p, Progress.parse(line), line);
            lines.add(line);
            written.add(p);
        }
        JsonReport report = report(r, 10, true);
        lines.add(report.toJson());
        JsonStream.Contents read = JsonStream.read(lines);
        assertEquals(written, read.progress());
        assertEquals(report, read.report());
        assertThrows(IllegalArgumentException.class, () -> Progress.parse(written.getFirst().toJson().replace("\"schema\":1", "\"schema\":2")));
    }

    private static Progress.Percentiles percentiles(Random r) {
        return new Progress.Percentiles(r.nextLong(1L << 40), r.nextLong(1L << 40), r.nextLong(1L << 40));
    }

    @Test
    void aReportWithAKeyMissingIsRefused() {
        String json = report(new Random(1), 5, true).toJson().replace("\"msgs_per_s\":", "\"msgs_per_second\":");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JsonReport.parse(json));
        assertTrue(e.getMessage().startsWith("not a load generator report"), e.getMessage());
    }

    /** A child's clean result: {@code up} connections, no errors; random figures otherwise. */
    static ChildResult childResult(Random r, int up, List<Long> perConnection, Map<String, String> histograms) {
        return new ChildResult(report(r, up, false), r.nextLong(1L << 40), r.nextDouble() * 100, r.nextDouble() * 10,
                r.nextDouble() * 200, perConnection, histograms);
    }

    /** A report of {@code connections} connections with random figures; errors of random kinds or none. */
    static JsonReport report(Random r, int connections, boolean errors) {
        Map<String, Long> byKind = new LinkedHashMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        for (ErrorKind k : ErrorKind.values()) {
            long n = errors && r.nextBoolean() ? 1 + r.nextInt(1000) : 0;
            byKind.put(k.key(), n);
            if (n > 0) {
                first.put(k.key(), "first " + k.key() + " \"quoted\"\nand on a second line " + r.nextInt());
            }
        }
        boolean open = r.nextBoolean();
        boolean nio = r.nextBoolean();
        return new JsonReport(connections, r.nextDouble() * 1e6, r.nextDouble() * 1e3, r.nextLong(1 << 20), r.nextLong(1 << 20),
                r.nextLong(1 << 20), r.nextLong(1 << 20), r.nextLong(1 << 20), r.nextLong(1L << 40), r.nextDouble() * 1e4,
                errors ? r.nextInt(1000) : 0, errors ? r.nextInt(10) : 0, connections + r.nextInt(10), r.nextLong(1L << 40),
                r.nextLong(1L << 40), r.nextDouble() * 100, r.nextDouble() * 10, r.nextDouble() * 10,
                r.nextLong(1L << 30), r.nextDouble() * 1e5, r.nextLong(1L << 42), r.nextLong(1L << 42), r.nextDouble() * 100, r.nextDouble() * 400,
                open ? latency(r) : null, open ? latency(r) : null, byKind, first,
                new JsonReport.Connect(r.nextDouble() * 10, r.nextDouble() * 1e5, r.nextLong(1 << 20), r.nextLong(1 << 20),
                        r.nextLong(1 << 24)),
                new JsonReport.Fairness(r.nextLong(1000), r.nextLong(1000), r.nextLong(1000), errors ? r.nextInt(10) : 0, errors ? r.nextInt(10) : 0),
                new JsonReport.Cpu(r.nextDouble() * 100, r.nextDouble() * 800, 1 + r.nextInt(64), r.nextBoolean()),
                new JsonReport.Self(r.nextLong(10_000), r.nextLong(100), r.nextLong(10_000), nio ? latency(r) : null,
                        nio ? latency(r) : null),
                new JsonReport.Faults(r.nextInt(11), r.nextLong(1000), byKind, r.nextLong(1000), r.nextLong(100),
                        r.nextLong(1 << 20) / 1e3, r.nextLong(1 << 16) / 1e3, r.nextLong(1_000_000) / 1e6, r.nextLong(1L << 40), r.nextLong(1L << 40),
                        r.nextLong(1000), errors ? r.nextLong(10) : 0, r.nextLong(1L << 40), r.nextLong(1L << 40),
                        r.nextLong(1L << 20), errors ? r.nextLong(1000) : 0),
                new JsonReport.RunSettings(r.nextBoolean() ? "127.0.0.1" : "localhost", 1 + r.nextInt(65_535), connections,
                        DriverKind.values()[r.nextInt(3)].id(), 1 + r.nextInt(64), r.nextLong(1L << 40) / 1e9,
                        r.nextLong(1L << 40) / 1e9, r.nextInt(1000), r.nextInt(4096), 1 + r.nextInt(64),
                        open ? r.nextDouble() * 1e9 : 0, r.nextLong(1L << 34) / 1e9, 1.5e-4, r.nextLong(1L << 34) / 1e9,
                        1 + r.nextInt(64), r.nextBoolean() ? "" : "127.0.0.1,127.0.0.2", r.nextDouble() * 1e4,
                        r.nextBoolean() ? 0 : 1 + r.nextInt(1000), r.nextBoolean() ? 0 : 1 + r.nextInt(100)),
                r.nextBoolean() ? null : new ServerCost.Figures(r.nextLong(1 << 22), r.nextDouble() * 100, r.nextDouble() * 100,
                        r.nextDouble() * 200, r.nextLong(1L << 32), r.nextLong(1L << 32), r.nextLong(1L << 32),
                        r.nextDouble() * 1e5, r.nextInt(1000), r.nextInt(1000), r.nextDouble(), r.nextDouble(),
                        r.nextBoolean() ? null : "the process ended"),
                r.nextBoolean() ? List.of() : List.of(new Targets.Verdict("--max-p99", r.nextLong(1 << 20), 10_000, "us",
                        r.nextBoolean()), new Targets.Verdict("--min-rate", r.nextDouble() * 1e5, 5e4, "msgs/s", r.nextBoolean())),
                errors ? 1 : 0);
    }

    private static JsonReport.Latency latency(Random r) {
        return new JsonReport.Latency(r.nextLong(1 << 20), r.nextLong(1 << 20), r.nextLong(1 << 20), r.nextLong(1 << 20),
                r.nextLong(1 << 20), r.nextLong(1L << 40), r.nextDouble() * 1e5);
    }
}
