package dev.echolab.loadgen.output;

import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The optional {@code --hlog} file: an HdrHistogram interval log (one histogram per second of the
 * measurement) that {@code HistogramLogProcessor} can merge with logs from other machines.
 */
public final class HlogFile implements AutoCloseable {

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
        w.outputComment("echolab loadgen; values in microseconds");
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
