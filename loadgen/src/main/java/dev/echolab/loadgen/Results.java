package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every figure of a finished run, computed once from the {@link Run} and the {@link Monitor}, so
 * the text report and the JSON cannot disagree.
 */
public record Results(Settings settings, int connectionsUp, double connectSeconds, Percentiles connect, long connects,
               long verified, long messages, long bytes, double seconds, Percentiles latency,
               Percentiles corrected, Percentiles sendLateness, long[] errors, String[] firstErrors, Fairness fairness, Cpu cpu,
               Self self, long measureStartEpochMs, long measureEndEpochMs, ServerCost.Figures server, Faults faults) {

    /** Latency figures in microseconds; {@code count} is the number of values behind them. */
    public record Percentiles(long count, long p50, long p75, long p90, long p99, long p999, long max, double mean) {
        public static Percentiles of(Histogram h) {
            return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(75),
                    h.getValueAtPercentile(90), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9),
                    h.getMaxValue(), h.getTotalCount() == 0 ? 0 : h.getMean());
        }
    }

    /**
     * Messages completed per connection during the measurement, over the connections that came up;
     * {@code noReply} counts those that sent a message and never got a single reply in the whole run;
     * {@code unserved} those that completed no message in the measured interval (replies in the
     * warm-up alone do not make a connection served).
     */
    public record Fairness(long min, long median, long max, int noReply, int unserved) {
        public static Fairness of(Run run) {
            boolean[] up = run.up();
            boolean[] sent = run.sent();
            long[] measured = run.measuredPerConnection();
            long[] replies = run.repliesPerConnection();
            long[] counts = new long[up.length];
            int n = 0;
            int noReply = 0;
            for (int i = 0; i < up.length; i++) {
                if (up[i]) {
                    counts[n++] = measured[i];
                    noReply += sent[i] && replies[i] == 0 ? 1 : 0;
                }
            }
            return of(Arrays.copyOf(counts, n), noReply);
        }

        /** Over {@code counts}, the measured messages of each connection that came up (sorted here, in place). */
        public static Fairness of(long[] counts, int noReply) {
            Arrays.sort(counts);
            int n = counts.length;
            int unserved = 0;
            while (unserved < n && counts[unserved] == 0) {
                unserved++;
            }
            return n == 0 ? new Fairness(0, 0, 0, noReply, 0)
                    : new Fairness(counts[0], counts[n / 2], counts[n - 1], noReply, unserved);
        }
    }

    /**
     * The load generator's own CPU use over the measurement, in % of one core. Saturated when it
     * used more than 90% of the cores this process may run on (taskset counts): then the server
     * may have been waiting for us, and its figures are a floor, not its capacity.
     */
    public record Cpu(double seconds, double percentOfOneCore, int cores, boolean saturated) {
        public static Cpu of(long cpuNanos, long wallNanos) {
            int cores = Runtime.getRuntime().availableProcessors();
            double pct = wallNanos > 0 ? (double) cpuNanos / wallNanos * 100 : 0;
            return new Cpu(cpuNanos / 1e9, pct, cores, pct > 90.0 * cores);
        }
    }

    /**
     * What the load generator itself did to the figures over the measurement: JIT compilation and
     * garbage collection in its process and, for the nio driver (null for the others), how long
     * each reply was held in this process after the kernel reported it ready, and how long the
     * loop's turns were (a reply arriving during a turn waited up to that much more).
     */
    public record Self(long jitMillis, long gcCount, long gcMillis, Percentiles held, Percentiles loopTurns) {
        public static Self of(Monitor m, boolean nio) {
            if (m == null) {
                return new Self(0, 0, 0, null, null);
            }
            return new Self(m.jitMillis, m.gcCount, m.gcMillis, nio ? Percentiles.of(m.held) : null,
                    nio ? Percentiles.of(m.loopTurns) : null);
        }
    }

    /**
     * What faults cost the run (docs/loadgen.md, "Faults"): every failure of a connection that was up
     * by kind (indexed by {@link ErrorKind#ordinal}), the outages that ended with a new socket
     * ({@code --reconnect-on-fault}), the connections that ended with an error, the seconds the
     * connections were without service within the measurement (in all, and the most of one), and the messages and bytes sent,
     * echoed and failed with their socket. {@code reconnectAttempts} is 0 without the option.
     */
    public record Faults(int reconnectAttempts, long[] failures, long recovered, long lostConnections, double downSeconds,
                         double downMaxSeconds, long sentMessages, long echoedMessages, long failedMessages, long sentBytes, long echoedBytes,
                         long failedBytes) {

        public long failureTotal() {
            return Arrays.stream(failures).sum();
        }

        public long failures(ErrorKind kind) {
            return failures[kind.ordinal()];
        }

        /** Sent, never echoed and never counted as failed: 0 in a correct run. */
        public long lostMessages() {
            return sentMessages - echoedMessages - failedMessages;
        }

        public long lostBytes() {
            return sentBytes - echoedBytes - failedBytes;
        }

        /** The share of the measured time the connections that came up could be served: 1 - down / (up x seconds). */
        public double availability(int connectionsUp, double seconds) {
            double total = connectionsUp * seconds;
            return total > 0 ? Math.max(0, 1 - downSeconds / total) : 0;
        }
    }

    public static Results of(Run run, double connectSeconds, Histogram connectTimes, Monitor monitor) {
        double seconds = monitor == null ? 0 : (monitor.measureEnd - monitor.measureStart) / 1e9;
        long messages = Arrays.stream(run.measuredPerConnection()).sum();
        long[] errors = new long[ErrorKind.values().length];
        String[] first = new String[errors.length];
        for (ErrorKind k : ErrorKind.values()) {
            errors[k.ordinal()] = run.errors(k);
            first[k.ordinal()] = run.firstError(k);
        }
        int up = 0;
        for (boolean u : run.up()) {
            up += u ? 1 : 0;
        }
        Histogram none = new Histogram(3);
        // The measured interval in wall-clock time, so a tool sampling the server from /proc
        // (bin/lab) can take the server's CPU over exactly this interval.
        long nowMs = System.currentTimeMillis();
        long nowNanos = System.nanoTime();
        long startMs = monitor == null ? 0 : nowMs - (nowNanos - monitor.measureStart) / 1_000_000;
        long endMs = monitor == null ? 0 : nowMs - (nowNanos - monitor.measureEnd) / 1_000_000;
        return new Results(run.settings, up, connectSeconds, Percentiles.of(connectTimes), run.measuredConnects(), run.verified(),
                messages, run.measuredBytes(), seconds,
                Percentiles.of(monitor == null ? none : monitor.latency),
                run.settings.openLoop() ? Percentiles.of(monitor == null ? none : monitor.corrected) : null,
                run.settings.openLoop() ? Percentiles.of(monitor == null ? none : monitor.sendLateness) : null,
                errors, first, Fairness.of(run),
                monitor == null ? Cpu.of(0, 0) : Cpu.of(monitor.cpuNanos, monitor.cpuWallNanos),
                Self.of(monitor, run.settings.driver() == DriverKind.NIO), startMs, endMs,
                monitor == null || monitor.server == null ? null : monitor.server.figures(messages, up),
                run.outages.results(run.repliesPerConnection(), monitor == null ? 0 : monitor.measureStart,
                        monitor == null ? 0 : monitor.measureEnd));
    }

    public double msgsPerSecond() {
        return seconds > 0 ? messages / seconds : 0;
    }

    /** Connections opened per second of the measurement ({@code --reconnect-every}; 0 without it). */
    public double connectsPerSecond() {
        return seconds > 0 ? connects / seconds : 0;
    }

    public double megabytesPerSecond() {
        return seconds > 0 ? bytes / seconds / 1e6 : 0;
    }

    public long errors(ErrorKind kind) {
        return errors[kind.ordinal()];
    }

    /**
     * The one line for a kind that occurred, or null: its first error, except for connections this
     * machine could not open, which are counted with their cause, e.g. {@code 1,234 of 5,000
     * connections could not be opened: Too many open files (raise ulimit -n)}.
     */
    public String errorLine(ErrorKind kind) {
        String first = firstErrors[kind.ordinal()];
        if (kind != ErrorKind.LOCAL_LIMIT || first == null) {
            return first;
        }
        return String.format(Locale.ROOT, "%,d of %,d connections could not be opened: %s", errors(kind),
                settings.connections(), first);
    }

    /** Every failure but mismatches, as {@code ref-load} counts its {@code errors}. */
    public long errorsButMismatches() {
        return Arrays.stream(errors).sum() - errors(ErrorKind.MISMATCH);
    }

    /**
     * The share of the measured time the connections could be served ({@link Faults#availability}).
     */
    public double availability() {
        return faults.availability(connectionsUp, seconds);
    }

    /** Errors of every kind, mismatches included. */
    public long allErrors() {
        return Arrays.stream(errors).sum();
    }

    /** The verdict on each of the run's {@link Targets}. */
    public List<Targets.Verdict> targets() {
        return settings.targets().judge(this);
    }

    /**
     * 1 when the run failed: nothing verified, a mismatch, a lost message, or (without {@code --max-errors}, which
     * then judges them) any error or a connection without a reply, or the {@code --server-pid}
     * process ended; else {@value Targets#MISSED}
     * when a target was missed; else 0.
     */
    public int exitStatus() {
        boolean errorsJudged = settings.targets().maxErrors() >= 0;
        boolean failed = verified == 0 || errors(ErrorKind.MISMATCH) > 0 || faults.lostMessages() != 0 || (server != null && server.ended() != null)
                || (!errorsJudged && (allErrors() > 0 || fairness.noReply() > 0));
        if (failed) {
            return 1;
        }
        return targets().stream().allMatch(Targets.Verdict::ok) ? 0 : Targets.MISSED;
    }
}
