package dev.echolab.lab.run;

import dev.echolab.lab.sample.Sampler;
import dev.echolab.loadgen.output.JsonStream;
import dev.echolab.loadgen.output.Progress;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;
import org.HdrHistogram.HistogramLogReader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The curves of one load case, for the report's charts: the latency spectrum (every percentile, not
 * just p50 … p99.9) and what happened second by second, warm-up included.
 */
public final class CaseSeries {

    /** Percentile steps per halving of the distance to 100%: ~4 x log2(messages) points, about 60-90. */
    private static final int TICKS_PER_HALF_DISTANCE = 4;

    private CaseSeries() {
    }

    /**
     * The spectrum of the measured interval: the load generator's per-second histograms (its
     * {@code --hlog} file, untagged: the closed loop's only histogram) added up, then HdrHistogram's
     * percentile iteration, as its own plots and wrk2 draw it. The last point is the maximum, placed at
     * {@code 1 - 1/count}. Null when the file is missing or holds no round trip.
     */
    static List<CaseResult.Percentile> latencySpectrum(Path hlog) throws IOException {
        if (!Files.exists(hlog)) {
            return null;
        }
        Histogram total = new Histogram(3);
        try (HistogramLogReader r = new HistogramLogReader(hlog.toFile())) {
            for (EncodableHistogram h = r.nextIntervalHistogram(); h != null; h = r.nextIntervalHistogram()) {
                if (h.getTag() == null && h instanceof Histogram interval) {
                    total.add(interval);
                }
            }
        }
        long count = total.getTotalCount();
        if (count == 0) {
            return null;
        }
        double last = 100.0 * (1 - 1.0 / count);
        List<CaseResult.Percentile> points = new ArrayList<>();
        for (HistogramIterationValue v : total.percentiles(TICKS_PER_HALF_DISTANCE)) {
            double p = v.getPercentileLevelIteratedTo();
            if (p >= last) {
                break;
            }
            points.add(new CaseResult.Percentile(p, v.getValueIteratedTo()));
        }
        points.add(new CaseResult.Percentile(last, total.getMaxValue()));
        return points;
    }

    /**
     * One point per second of the load generator's {@code --json-stream} (its {@link Progress}
     * objects), with the server's CPU over the same second from the {@link Sampler}. Their seconds
     * count from the load's start; the measurement began {@code warmupS} later, at
     * {@code measureStartEpochMs} (0: nothing was measured). Null without them.
     */
    static List<CaseResult.Second> timeline(Path stream, long measureStartEpochMs, double warmupS, Sampler sampler)
            throws IOException {
        if (measureStartEpochMs == 0 || !Files.exists(stream)) {
            return null;
        }
        List<CaseResult.Second> points = new ArrayList<>();
        for (Progress p : JsonStream.read(stream).progress()) {
            double t = Math.round(p.elapsedS()) - warmupS;
            long end = measureStartEpochMs + Math.round(t * 1000);
            double cpuPct = 100 * sampler.cpuSecondsBetween(end - 1000, end);
            points.add(new CaseResult.Second(t, p.msgsPerS(), cpuPct));
        }
        return points.isEmpty() ? null : points;
    }
}
