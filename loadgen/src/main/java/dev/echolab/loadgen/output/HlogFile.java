package dev.echolab.loadgen.output;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code --hlog} file: an HdrHistogram interval log (one histogram per second of the
 * measurement) that {@code HistogramLogProcessor} can merge with logs from other machines.
 */
public final class HlogFile implements AutoCloseable {

    /**
     * The log's unit, in a comment line HdrHistogram's reader skips: its {@code HistogramLogProcessor}
     * assumes nanoseconds (it divides by 10^6 for milliseconds) unless told otherwise.
     */
    public static final String UNIT_COMMENT = "echolab loadgen; values in microseconds "
            + "(HistogramLogProcessor -outputValueUnitRatio 1000 prints them in milliseconds)";

    /** {@code --hgrm}'s values are the histograms' microseconds divided by this: milliseconds. */
    public static final double HGRM_SCALING = 1000.0;

    private final HistogramLogWriter writer;

    private HlogFile(HistogramLogWriter writer) {
        this.writer = writer;
    }

    public static HlogFile open(Path path) throws FileNotFoundException {
        return open(path, System.currentTimeMillis());
    }

    /** A log whose interval times count from {@code startMillis} (epoch milliseconds); none for a null path. */
    public static HlogFile open(Path path, long startMillis) throws FileNotFoundException {
        if (path == null) {
            return new HlogFile(null);
        }
        HistogramLogWriter w = new HistogramLogWriter(path.toFile());
        w.outputComment(UNIT_COMMENT);
        w.outputLogFormatVersion();
        w.outputStartTime(startMillis);
        w.setBaseTime(startMillis);
        w.outputLegend();
        return new HlogFile(w);
    }

    /**
     * Every interval histogram of a log, with its tag ({@code uncorrected} in an open loop's log)
     * and its absolute start and end times, read by HdrHistogram's own {@code HistogramLogReader}.
     *
     * @throws IOException a file that cannot be read or is not an interval log of integer histograms
     */
    public static List<Histogram> read(Path path) throws IOException {
        List<Histogram> out = new ArrayList<>();
        try (HistogramLogReader r = new HistogramLogReader(path.toFile())) {
            for (EncodableHistogram h = r.nextIntervalHistogram(); h != null; h = r.nextIntervalHistogram()) {
                if (!(h instanceof Histogram histogram)) {
                    throw new IOException(path + " holds floating-point histograms, not an echolab loadgen log");
                }
                out.add(histogram);
            }
        } catch (RuntimeException e) {
            throw new IOException(path + " is not an HdrHistogram interval log (" + e.getMessage() + ")", e);
        }
        return out;
    }

    /**
     * {@code --hgrm}: {@code h}'s percentile distribution as HdrHistogram prints it
     * ({@code outputPercentileDistribution}, the format {@code HistogramLogProcessor} writes to its
     * {@code .hgrm} file and HdrHistogram's plotter reads), values in milliseconds.
     */
    public static void writeHgrm(Path file, Histogram h) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, StandardCharsets.US_ASCII)) {
            h.outputPercentileDistribution(out, HGRM_SCALING);
        }
    }

    public HistogramLogWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
