package dev.echolab.loadgen;

import dev.echolab.loadgen.output.Progress;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Watches a run from the command's thread: one {@link Progress} per second, the phase changes, the
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
public final class Monitor {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long PRESIZE_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final Run run;
    private final PrintStream out;
    private final Consumer<Progress> onSecond;
    private final HistogramLogWriter hlog;
    /** {@code --server-pid}, read where this process's own counters are; null without it. */
    ServerCost server;
    public final Histogram latency = new Histogram(3);
    public final Histogram corrected = new Histogram(3);
    public final Histogram sendLateness = new Histogram(3);
    public final Histogram held = new Histogram(3);
    public final Histogram loopTurns = new Histogram(3);
    private final Intervals warm;
    private final Intervals measured;
    private boolean measuring;
    private boolean logged;
    /** The take in {@link #finish}: its interval ends at the measurement's end in the log. */
    private boolean last;
    private long start;
    private long lastTick;
    private long lastVerified;
    long measureStart;
    long measureEnd;
    /** The process's counters where the measurement began (or, if this thread never saw it begin, the load). */
    private Sample first;
    long cpuNanos;
    long cpuWallNanos;
    /** JIT compilation time and garbage collections in this process over the measurement. */
    long jitMillis;
    long gcCount;
    long gcMillis;

    Monitor(Run run, PrintStream out, Consumer<Progress> onSecond, HistogramLogWriter hlog) {
        this.run = run;
        this.out = out;
        this.onSecond = onSecond;
        this.hlog = hlog;
        Sample.take(); // sets up the beans and the sampling code before the load, not inside it
        warm = new Intervals(run, run.warm, 0);
        measured = new Intervals(run, run.measured, 1);
    }

    /**
     * A phase's recorders and the interval histograms to recycle: each take hands the previous
     * ones back, so they keep the size they grew to and the writers (the drivers' threads) do not
     * allocate to resize fresh ones. Each take adds the selector threads' own recorders'
     * intervals ({@link ThreadRecorder}) of the same phase. What a take returns is valid until the
     * next take.
     */
    private static final class Intervals {
        private final Run run;
        private final int phaseIndex;
        private final Recorder[] recorders;
        private final Histogram[] spare;

        Intervals(Run run, Run.Phase phase, int phaseIndex) {
            this.run = run;
            this.phaseIndex = phaseIndex;
            recorders = new Recorder[] {phase.latency, phase.corrected, phase.sendLateness, phase.held, phase.loopTurns};
            spare = new Histogram[recorders.length];
            for (int i = 0; i < recorders.length; i++) {
                spare[i] = recorders[i] == null ? null : presize(recorders[i]);
            }
        }

        /** Latency, corrected, send lateness (these two null in the closed loop), held and loop turns since the last take. */
        Histogram[] take() {
            for (int i = 0; i < recorders.length; i++) {
                if (recorders[i] != null) {
                    spare[i] = recorders[i].getIntervalHistogram(spare[i]);
                }
            }
            for (ThreadRecorder r : run.threadRecorders) {
                r.takeInto(phaseIndex, spare[0], spare[1], spare[2], spare[3]);
            }
            return spare.clone();
        }
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
        first = Sample.take();
        if (server != null) {
            server.start();
        }
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
            last = true;
            take();
        }
    }

    private void beginMeasurement() {
        measuring = true;
        measureStart = run.warmEnd();
        if (System.nanoTime() < run.end()) {
            first = Sample.take();
            if (server != null) {
                server.start();
            }
        } else {
            // Seen only after the end: a sample now would cover microseconds. Keep the load's.
            out.println("the monitor thread was kept off its core until after the measurement: the load generator's"
                    + " CPU, JIT and GC figures below cover the whole run, warm-up included");
        }
    }

    /**
     * Ends the measurement at {@code at}. Its interval is {@code [warmEnd, at]} however late this
     * thread saw either boundary: with hundreds of platform client threads on one core it can be
     * kept off the core for seconds, even past the end (then every connection has ended before it
     * saw the warm-up end). Only the process counters (CPU, JIT, GC) are read by this thread, over
     * the interval it did see: from the measurement's start as seen here, or from the load's start
     * if it never saw one.
     */
    private void endMeasurement(long at) {
        measureEnd = at;
        measureStart = Math.min(run.warmEnd(), at);
        measuring = at > measureStart; // finish() takes what the drivers recorded in the measurement
        Sample last = Sample.take();
        if (server != null) {
            server.end();
        }
        cpuNanos = last.cpu - first.cpu;
        cpuWallNanos = last.at - first.at;
        jitMillis = last.jitMillis - first.jitMillis;
        gcCount = last.gcCount - first.gcCount;
        gcMillis = last.gcMillis - first.gcMillis;
    }

    /**
     * The process's CPU time, JIT time and collections, and when they were read. The clock is read
     * on both sides of the CPU time and the pair retried (a few times) when this thread was
     * preempted in between, so that CPU time and wall time belong to one instant even when this
     * thread is starved of its core.
     */
    private record Sample(long at, long cpu, long jitMillis, long gcCount, long gcMillis) {
        private static final long SAME_INSTANT_NANOS = 200_000;

        static Sample take() {
            long before;
            long cpu;
            long after;
            int tries = 0;
            do {
                before = System.nanoTime();
                cpu = processCpuNanos();
                after = System.nanoTime();
            } while (after - before > SAME_INSTANT_NANOS && ++tries < 5);
            return new Sample(before + (after - before) / 2, cpu, Monitor.jitMillis(), Monitor.gcCount(), Monitor.gcMillis());
        }
    }

    private void progress(long now) {
        long verified = run.verified();
        double rate = (verified - lastVerified) / ((now - lastTick) / 1e9);
        lastVerified = verified;
        lastTick = now;
        Histogram[] h = measuring ? take() : warm.take();
        Map<String, Long> errors = new LinkedHashMap<>();
        for (ErrorKind k : ErrorKind.values()) {
            errors.put(k.key(), run.errors(k));
        }
        onSecond.accept(Progress.of((now - start) / 1e9, measuring, rate, Progress.Percentiles.of(h[0]),
                Progress.Percentiles.of(h[1]), errors, run.live(), 1, run.outages.failures(), run.outages.down()));
    }

    /** Takes the measurement's intervals since the last call and adds them to the totals and the log. */
    private Histogram[] take() {
        Histogram[] h = measured.take();
        latency.add(h[0]);
        held.add(h[3]);
        loopTurns.add(h[4]);
        if (h[1] != null) {
            corrected.add(h[1]);
            sendLateness.add(h[2]);
        }
        log(h[0], h[1]);
        return h;
    }

    /**
     * Open loop: the corrected histogram is the untagged (main) one; closed loop: the only one.
     * The first interval starts where the measurement does: its recorder was last swapped before the
     * warm-up, and a log whose first interval spanned the warm-up would give a merge the wrong rate.
     */
    private void log(Histogram l, Histogram c) {
        if (hlog == null) {
            return;
        }
        if (!logged) {
            logged = true;
            long startMs = System.currentTimeMillis() - (System.nanoTime() - measureStart) / 1_000_000;
            l.setStartTimeStamp(Math.max(l.getStartTimeStamp(), startMs));
            if (c != null) {
                c.setStartTimeStamp(Math.max(c.getStartTimeStamp(), startMs));
            }
        }
        if (last) {
            // Taken after the drivers stopped (up to --timeout later); the measurement ended before.
            long endMs = System.currentTimeMillis() - (System.nanoTime() - measureEnd) / 1_000_000;
            l.setEndTimeStamp(Math.max(l.getStartTimeStamp(), Math.min(l.getEndTimeStamp(), endMs)));
            if (c != null) {
                c.setEndTimeStamp(Math.max(c.getStartTimeStamp(), Math.min(c.getEndTimeStamp(), endMs)));
            }
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
     * CPU time of this whole process (all threads, JIT and GC included). The beans are looked up once,
     * before the load starts: its first lookup loads the management classes, which takes seconds
     * when hundreds of client threads share one core.
     */
    static long processCpuNanos() {
        return OS == null ? 0 : OS.getProcessCpuTime();
    }

    /** The JIT's compilation time so far, in ms (its threads share the load generator's cores). */
    private static long jitMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    private static long gcCount() {
        return GCS.stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).filter(n -> n > 0).sum();
    }

    private static long gcMillis() {
        return GCS.stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(n -> n > 0).sum();
    }

    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final List<GarbageCollectorMXBean> GCS = ManagementFactory.getGarbageCollectorMXBeans();
    private static final com.sun.management.OperatingSystemMXBean OS =
            ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os ? os : null;
}
