package dev.echolab.loadgen.output;

import dev.echolab.loadgen.LoadgenCommand;
import org.HdrHistogram.DoubleHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/loadgen merge} over logs written here with known values and times: the merged
 * percentiles are those of every value of every log, the rate the sum of each log's messages over
 * its own covered time, and the overlap what the logs' intervals say.
 */
class MergeReportTest {

    @TempDir
    Path dir;

    /** A log of {@code seconds} one-second intervals from {@code startMs}, each holding {@code values}; with an uncorrected series when given. */
    private Path log(String name, long startMs, int seconds, long[] values, long[] uncorrected) throws IOException {
        Path file = dir.resolve(name);
        // Base time 0: the interval times are written and read back as they are (epoch milliseconds).
        try (HlogFile hlog = HlogFile.open(file, 0)) {
            HistogramLogWriter w = hlog.writer();
            for (int s = 0; s < seconds; s++) {
                w.outputIntervalHistogram(histogram(startMs + s * 1000L, values, null));
                if (uncorrected != null) {
                    w.outputIntervalHistogram(histogram(startMs + s * 1000L, uncorrected, MergeCommand.UNCORRECTED));
                }
            }
        }
        return file;
    }

    private static Histogram histogram(long startMs, long[] values, String tag) {
        Histogram h = new Histogram(3);
        for (long v : values) {
            h.recordValue(v);
        }
        h.setStartTimeStamp(startMs);
        h.setEndTimeStamp(startMs + 1000);
        h.setTag(tag);
        return h;
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run merge(Path... files) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            MergeCommand m = new MergeCommand();
            m.files = List.of(files);
            m.parent = new LoadgenCommand(o, e);
            exit = m.call();
        }
        return new Run(exit, out.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"),
                err.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void twoOverlappingClosedLoopLogsAddTheirHistogramsAndSumTheirRates() throws IOException {
        Path a = log("a.hlog", 1_000_000, 4, new long[] {100, 100, 100, 100}, null);
        Path b = log("b.hlog", 1_002_000, 4, new long[] {300, 300}, null);
        Run r = merge(a, b);
        assertEquals(0, r.exit(), r::toString);
        assertEquals("Merged 2 interval logs (HdrHistogram, values in us)\n"
                + "  " + a + ": 4 intervals, 16 messages in 4.00 s (4.00 msgs/s), 1970-01-01T00:16:40Z to 1970-01-01T00:16:44Z\n"
                + "  " + b + ": 4 intervals, 8 messages in 4.00 s (2.00 msgs/s), 1970-01-01T00:16:42Z to 1970-01-01T00:16:46Z\n"
                + "  Latency Distribution (us, HdrHistogram)\n"
                + "      50%        100\n"
                + "      75%        300\n"
                + "      90%        300\n"
                + "      99%        300\n"
                + "    99.9%        300\n"
                + "      max        300\n"
                + "     mean        167\n"
                + "  24 messages in all\n"
                + "Messages/sec:         6.00 (each log's messages over its own measured time, summed)\n"
                + "  the logs overlap for 2.00 s of the 6.00 s from the first start to the last end\n", r.out());
        assertEquals("", r.err());
    }

    @Test
    void openLoopLogsShowCorrectedBesideUncorrectedAndOneLogHasNothingToOverlap() throws IOException {
        Path a = log("open.hlog", 5_000, 2, new long[] {1000, 2000}, new long[] {10, 20});
        Run r = merge(a);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("Merged 1 interval log (HdrHistogram"), r.out());
        assertTrue(r.out().contains(": 2 intervals, 4 messages in 2.00 s (2.00 msgs/s), "), r.out()); // the uncorrected ones not counted
        assertTrue(r.out().contains("      50%         1000           10\n"), r.out());
        assertTrue(r.out().contains("      max         2000           20\n"), r.out());
        assertTrue(r.out().contains("  4 messages in all\n"), r.out());
        assertTrue(r.out().contains("Messages/sec:         2.00 "), r.out());
        assertTrue(r.out().endsWith("  one log: nothing to overlap\n"), r.out());
    }

    @Test
    void logsOneAfterAnotherAreSaidNotToOverlapAndAProcessesLogCountsEachSecondOnce() throws IOException {
        Path a = log("first.hlog", 0, 2, new long[] {50}, null);
        Path b = log("second.hlog", 10_000, 2, new long[] {50}, null);
        Run r = merge(a, b);
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().endsWith("  the logs do not overlap in time: the sum is what they made one after another, not a rate "
                + "reached at once\n"), r.out());
        // Two processes write one interval each per second: the seconds are covered once, the messages are both's.
        Path twice = dir.resolve("processes.hlog");
        try (HlogFile hlog = HlogFile.open(twice, 0)) {
            for (int s = 0; s < 3; s++) {
                hlog.writer().outputIntervalHistogram(histogram(s * 1000L, new long[] {7}, null));
                hlog.writer().outputIntervalHistogram(histogram(s * 1000L + 500, new long[] {7}, null));
            }
        }
        Run p = merge(twice);
        assertTrue(p.out().contains(": 6 intervals, 6 messages in 3.50 s (1.71 msgs/s), "), p.out());
    }

    @Test
    void anOpenAndAClosedLoopLogAreNotMerged() throws IOException {
        Path open = log("open.hlog", 0, 1, new long[] {1}, new long[] {1});
        Path closed = log("closed.hlog", 0, 1, new long[] {1}, null);
        Run r = merge(open, closed);
        assertEquals(1, r.exit());
        assertEquals("cannot merge " + open + " (open loop) with " + closed + " (closed loop): their histograms measure different "
                + "things\n", r.err());
        assertEquals("", r.out());
        Run back = merge(closed, open);
        assertEquals("cannot merge " + closed + " (closed loop) with " + open + " (open loop): their histograms measure different "
                + "things\n", back.err());
    }

    @Test
    void hlogFilesReadBackWhatWasWrittenAndRefuseFloatingPointLogs() throws IOException {
        Path file = log("one.hlog", 3_000, 2, new long[] {5, 6}, new long[] {1});
        List<Histogram> read = HlogFile.read(file);
        assertEquals(4, read.size());
        assertEquals(2, read.get(0).getTotalCount());
        assertEquals(MergeCommand.UNCORRECTED, read.get(1).getTag());
        assertEquals(3_000, read.get(0).getStartTimeStamp());
        assertEquals(4_000, read.get(0).getEndTimeStamp());
        List<String> header = Files.readAllLines(HlogFileHeader.write(dir.resolve("header.hlog"), 1_234_567));
        assertEquals("#" + HlogFile.UNIT_COMMENT, header.get(0));
        assertTrue(header.get(1).startsWith("#[Histogram log format version "), header::toString);
        assertTrue(header.get(2).startsWith("#[StartTime: 1234.567 "), header::toString);
        assertEquals("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"", header.get(3));
        assertTrue(header.get(4).startsWith("1.000,1.000,"), () -> "an interval a second after the start, as its offset: " + header);
        assertEquals(5, header.size(), "written out at close");
        try (HlogFile none = HlogFile.open(null, 0)) {
            assertEquals(null, none.writer());
        }
        Path doubles = dir.resolve("doubles.hlog");
        try (PrintStream ps = new PrintStream(doubles.toFile(), StandardCharsets.UTF_8)) {
            HistogramLogWriter w = new HistogramLogWriter(ps);
            DoubleHistogram d = new DoubleHistogram(3);
            d.recordValue(1.5);
            w.outputIntervalHistogram(d);
        }
        IOException e = assertThrows(IOException.class, () -> HlogFile.read(doubles));
        assertEquals(doubles + " holds floating-point histograms, not an echolab loadgen log", e.getMessage());
    }

    /** A log with its header and one interval a second after its start, closed. */
    private static final class HlogFileHeader {
        static Path write(Path file, long startMs) throws IOException {
            HlogFile hlog = HlogFile.open(file, startMs);
            hlog.writer().outputIntervalHistogram(histogram(startMs + 1000, new long[] {3}, null));
            hlog.close();
            return file;
        }
    }
}
