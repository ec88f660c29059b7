package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Watches a run from the command's thread: one progress line per second, the phase changes, the
 * end of the measurement. It is the only reader of the {@link Run}'s recorders: each second it
 * takes the interval histogram (HdrHistogram's {@code Recorder} swaps it without stopping the
 * writers), prints its p99, and during the measurement adds it to the total and to the
 * {@code --hlog} file.
 *
 * <p>Nothing measured depends on this thread being on time: which phase a value belongs to is
 * decided by the drivers' timestamps ({@link Run#completed}), msgs/s comes from counters, and the
 * CPU figure is divided by the time between its two actual samples. With hundreds of platform
 * client threads pinned to one core the monitor may well run late, and then only the progress
 * lines are late.
 */
final class Monitor {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long PRESIZE_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final Run run;
    private final PrintStream out;
    private final HistogramLogWriter hlog;
    final Histogram latency = new Histogram(3);
    final Histogram corrected = new Histogram(3);
    final Histogram sendLateness = new Histogram(3);
    private final Histogram[] previous = new Histogram[4];
    private boolean measuring;
    private long start;
    private long lastTick;
    private long lastVerified;
    long measureStart;
    long measureEnd;
    private long cpuStart;
    private long cpuStartAt;
    long cpuNanos;
    long cpuWallNanos;

    Monitor(Run run, PrintStream out, HistogramLogWriter hlog) {
        this.run = run;
        this.out = out;
        this.hlog = hlog;
        processCpuNanos();
        previous[0] = presize(run.latency);
        previous[1] = run.corrected == null ? null : presize(run.corrected);
        previous[2] = presize(run.warmup);
        previous[3] = run.sendLateness == null ? null : presize(run.sendLateness);
    }

    /**
     * Grows both of a recorder's histograms to hold a minute before the load starts, and returns
     * the one to recycle at the first interval. An auto-resizing histogram grows inside
     * {@code recordValue}, that is, on the drivers' threads in the middle of the measurement; after
     * this, only a latency above a minute makes it grow (and nothing is ever out of range).
     */
    private static Histogram presize(Recorder recorder) {
        recorder.recordValue(PRESIZE_MICROS);
        Histogram first = recorder.getIntervalHistogram();
        recorder.recordValue(PRESIZE_MICROS);
        return recorder.getIntervalHistogram(first);
    }

    /** Returns when the measurement is over: its time is up, or every connection has ended. */
    void watch(long startNanos) throws InterruptedException {
        start = startNanos;
        lastTick = startNanos;
        long nextTick = startNanos + SECOND;
        if (run.warmEnd() <= startNanos) {
            beginMeasurement();
        }
        while (true) {
            long phaseEnd = measuring ? run.end() : run.warmEnd();
            if (run.awaitAllEnded(Math.min(nextTick, phaseEnd) - System.nanoTime())) {
                endMeasurement(Math.min(run.lastEnded(), run.end()));
                return;
            }
            long now = System.nanoTime();
            if (now >= nextTick) {
                progress(now);
                // A late wake-up (a stalled machine) skips ticks instead of printing a burst of lines.
                nextTick += ((now - nextTick) / SECOND + 1) * SECOND;
            }
            if (!measuring && now >= run.warmEnd()) {
                beginMeasurement();
            } else if (measuring && now >= run.end()) {
                endMeasurement(run.end());
                return;
            }
        }
    }

    /** After the driver has stopped: the last interval, which ends at the run's end by construction. */
    void finish() {
        if (measuring) {
            take();
        }
    }

    private void beginMeasurement() {
        measuring = true;
        measureStart = run.warmEnd();
        cpuStartAt = System.nanoTime();
        cpuStart = processCpuNanos();
    }

    private void endMeasurement(long at) {
        if (!measuring) {
            measureStart = at;
        }
        measureEnd = at;
        if (measuring) {
            cpuNanos = processCpuNanos() - cpuStart;
            cpuWallNanos = System.nanoTime() - cpuStartAt;
        }
    }

    private void progress(long now) {
        long verified = run.verified();
        double rate = (verified - lastVerified) / ((now - lastTick) / 1e9);
        lastVerified = verified;
        lastTick = now;
        Histogram[] h = measuring ? take() : new Histogram[] {warmupInterval(), null};
        String p99 = h[0].getTotalCount() == 0 ? "-" : Long.toString(h[0].getValueAtPercentile(99));
        String open = h[1] == null || h[1].getTotalCount() == 0 ? ""
                : " (corrected " + h[1].getValueAtPercentile(99) + " us)";
        out.printf("[%4.0fs] %-9s %10.0f msgs/s  p99 %s us%s  errors %d  live %d%n",
                (now - start) / 1e9, measuring ? "measuring" : "warm-up", rate, p99, open, run.errorTotal(), run.live());
    }

    /**
     * Takes the measurement's intervals since the last call and adds them to the totals and the
     * log. The previous interval histograms are handed back to the recorders: they keep the size
     * they grew to, so the writers (the drivers' threads) do not allocate to resize fresh ones.
     */
    private Histogram[] take() {
        Histogram l = run.latency.getIntervalHistogram(previous[0]);
        Histogram c = run.corrected == null ? null : run.corrected.getIntervalHistogram(previous[1]);
        previous[0] = l;
        previous[1] = c;
        latency.add(l);
        if (c != null) {
            corrected.add(c);
            previous[3] = run.sendLateness.getIntervalHistogram(previous[3]);
            sendLateness.add(previous[3]);
        }
        log(l, c);
        return new Histogram[] {l, c};
    }

    private Histogram warmupInterval() {
        previous[2] = run.warmup.getIntervalHistogram(previous[2]);
        return previous[2];
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

    /**
     * CPU time of this whole process (all threads, JIT and GC included). The bean is looked up once,
     * before the load starts: its first lookup loads the management classes, which takes seconds
     * when hundreds of client threads share one core.
     */
    static long processCpuNanos() {
        return OS == null ? 0 : OS.getProcessCpuTime();
    }

    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;
}
