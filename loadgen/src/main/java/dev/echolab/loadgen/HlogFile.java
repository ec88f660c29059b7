package dev.echolab.loadgen;

import org.HdrHistogram.HistogramLogWriter;

import java.io.FileNotFoundException;
import java.nio.file.Path;

/**
 * The optional {@code --hlog} file: an HdrHistogram interval log (one histogram per second of the
 * measurement) that {@code HistogramLogProcessor} can merge with logs from other machines.
 */
final class HlogFile implements AutoCloseable {

    private final HistogramLogWriter writer;

    private HlogFile(HistogramLogWriter writer) {
        this.writer = writer;
    }

    static HlogFile open(Path path) throws FileNotFoundException {
        if (path == null) {
            return new HlogFile(null);
        }
        HistogramLogWriter w = new HistogramLogWriter(path.toFile());
        long now = System.currentTimeMillis();
        w.outputComment("echolab loadgen; values in microseconds");
        w.outputLogFormatVersion();
        w.outputStartTime(now);
        w.setBaseTime(now);
        w.outputLegend();
        return new HlogFile(w);
    }

    HistogramLogWriter writer() {
        return writer;
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }
}
