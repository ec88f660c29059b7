package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Watches a run from the command's thread: one progress line per second, the warm-up cut, the end
 * of the measurement. It is the only reader of the {@link Run}'s recorders: each second it takes
 * the interval histogram (HdrHistogram's {@code Recorder} swaps it without stopping the writers),
 * prints its p99, and during the measurement adds it to the total and to the {@code --hlog} file.
 * "Reset the recorders after the warm-up" is one more interval taken and thrown away.
 */
final class Monitor {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Run run;
    private final PrintStream out;
    private final HistogramLogWriter hlog;
    final Histogram latency = new Histogram(3);
    final Histogram corrected = new Histogram(3);
    private boolean measuring;
    private Histogram[] previous = new Histogram[2];
    private long lastTake;
    private long start;
    long measureStart;
    long measureEnd;
    private long cpuStart;
    long cpuNanos;

    Monitor(Run run, PrintStream out, HistogramLogWriter hlog) {
        this.run = run;
        this.out = out;
        this.hlog = hlog;
    }

    /** Returns when the measurement is over: its time is up, or every connection has ended. */
    void watch(long startNanos) throws InterruptedException {
        start = startNanos;
        lastTake = startNanos;
        long nextTick = startNanos + SECOND;
        if (run.warmEnd() <= startNanos) {
            beginMeasurement(startNanos);
        }
        while (true) {
            long phaseEnd = measuring ? run.end() : run.warmEnd();
            long now = System.nanoTime();
            if (run.awaitAllEnded(Math.min(nextTick, phaseEnd) - now)) {
                endMeasurement(Math.min(System.nanoTime(), run.end()));
                return;
            }
            now = System.nanoTime();
            if (now >= nextTick) {
                progress(now);
                // A late wake-up (a stalled machine) skips ticks instead of printing a burst of lines.
                nextTick += ((now - nextTick) / SECOND + 1) * SECOND;
            }
            if (!measuring && now >= run.warmEnd()) {
                take(now);
                beginMeasurement(run.warmEnd());
            } else if (measuring && now >= run.end()) {
                endMeasurement(run.end());
                return;
            }
        }
    }

    /** After the driver has stopped: the last interval, which ends at the run's end by construction. */
    void finish() {
        take(System.nanoTime());
    }

    private void beginMeasurement(long at) {
        measuring = true;
        measureStart = at;
        cpuStart = processCpuNanos();
    }

    private void endMeasurement(long at) {
        measureEnd = measuring ? at : measureStart;
        cpuNanos = measuring ? processCpuNanos() - cpuStart : 0;
    }

    private void progress(long now) {
        double seconds = (now - lastTake) / 1e9;
        Histogram[] h = take(now);
        String p99 = h[0].getTotalCount() == 0 ? "-" : Long.toString(h[0].getValueAtPercentile(99));
        String open = h[1] == null || h[1].getTotalCount() == 0 ? ""
                : " (corrected " + h[1].getValueAtPercentile(99) + " us)";
        out.printf("[%4.0fs] %-9s %10.0f msgs/s  p99 %s us%s  errors %d  live %d%n",
                (now - start) / 1e9, measuring ? "measuring" : "warm-up", h[0].getTotalCount() / seconds,
                p99, open, run.errorTotal(), run.live());
    }

    /**
     * Takes the intervals since the last call; during the measurement they join the totals and the
     * log. The previous interval histograms are handed back to the recorders: they keep the size
     * they grew to, so the writers (the drivers' threads) do not allocate to resize fresh ones.
     */
    private Histogram[] take(long now) {
        lastTake = now;
        Histogram l = run.latency.getIntervalHistogram(previous[0]);
        Histogram c = run.corrected == null ? null : run.corrected.getIntervalHistogram(previous[1]);
        previous = new Histogram[] {l, c};
        if (measuring) {
            latency.add(l);
            if (c != null) {
                corrected.add(c);
            }
            log(l, c);
        }
        return new Histogram[] {l, c};
    }

    /** Open loop: the corrected histogram is the untagged (main) one; closed loop: the only one. */
    private void log(Histogram l, Histogram c) {
        if (hlog == null) {
            return;
        }
        if (c == null) {
            hlog.outputIntervalHistogram(l);
        } else {
            hlog.outputIntervalHistogram(c);
            l.setTag("uncorrected");
            hlog.outputIntervalHistogram(l);
        }
    }

    /** CPU time of this whole process (all threads, JIT and GC included). */
    static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
