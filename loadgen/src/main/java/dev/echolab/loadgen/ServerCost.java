package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.common.ProcStat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code --server-pid PID}: what the server process cost over the measured interval, read from
 * {@code /proc/PID/stat} and {@code /proc/PID/task/* /status} ({@link ProcStat}, the reader the lab
 * samples servers with) before the connections open and at the start and end of the measurement.
 * CPU counts the process and the children it has waited for, as the lab does.
 */
public final class ServerCost {

    /** One reading of the process. */
    record Reading(long nanos, ProcStat stat, long voluntary, long involuntary) {
        static Optional<Reading> take(long pid) {
            Optional<ProcStat> stat = ProcStat.read(pid);
            if (stat.isEmpty()) {
                return Optional.empty();
            }
            long[] switches = ProcStat.contextSwitches(pid);
            return Optional.of(new Reading(System.nanoTime(), stat.get(), switches[0], switches[1]));
        }
    }

    /**
     * The server's figures for the report and the JSON; null ones when it ended during the run.
     *
     * @param pid                  the process
     * @param cpuUserUsPerMsg      user CPU per measured message, microseconds
     * @param cpuSystemUsPerMsg    system CPU per measured message
     * @param cpuPctOfOneCore      user and system CPU over the measured interval's wall time, % of one core
     * @param rssBeforeBytes       RSS before the connections opened
     * @param rssStartBytes        RSS at the measurement's start
     * @param rssEndBytes          RSS at its end
     * @param rssPerConnectionBytes (end minus before) over the connections that came up
     * @param threadsStart         threads at the measurement's start
     * @param threadsEnd           threads at its end
     * @param voluntaryPerMsg      voluntary context switches (a thread blocked) per measured message, over its live threads
     * @param involuntaryPerMsg    involuntary ones (a thread preempted) per measured message
     * @param ended                why there are no figures (the process ended), or null
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Figures(long pid, double cpuUserUsPerMsg, double cpuSystemUsPerMsg, double cpuPctOfOneCore,
                          long rssBeforeBytes, long rssStartBytes, long rssEndBytes, double rssPerConnectionBytes,
                          int threadsStart, int threadsEnd, double voluntaryPerMsg, double involuntaryPerMsg,
                          String ended) {

        /** The report's lines, each without its heading. */
        public String text() {
            if (ended != null) {
                return "pid " + pid + ": " + ended;
            }
            return String.format(Locale.ROOT, "pid %d: CPU %.1f us user + %.1f us system per message (%.0f%% of one core); "
                            + "RSS %.1f MB before connecting, %.1f MB at the measurement's start, %.1f MB at its end "
                            + "(%.1f KB per connection); threads %d -> %d; context switches per message %.3f voluntary, "
                            + "%.3f involuntary", pid, cpuUserUsPerMsg, cpuSystemUsPerMsg, cpuPctOfOneCore,
                    rssBeforeBytes / 1e6, rssStartBytes / 1e6, rssEndBytes / 1e6, rssPerConnectionBytes / 1e3,
                    threadsStart, threadsEnd, voluntaryPerMsg, involuntaryPerMsg);
        }
    }

    private final long pid;
    private Reading before;
    private Reading start;
    private Reading end;
    private boolean gone;

    private ServerCost(long pid) {
        this.pid = pid;
    }

    /**
     * Why {@code pid} cannot be measured, or null when it can: the second element is the exit
     * status, 2 for a process that is not running (the option is wrong), 1 for one this user may not
     * read (the environment is).
     */
    public static Object[] check(long pid) {
        if (pid < 1 || ProcStat.read(pid).isEmpty()) {
            return new Object[] {"--server-pid " + pid + ": no such process is running", 2};
        }
        try {
            int owner = (Integer) Files.getAttribute(ProcStat.PROC.resolve(Long.toString(pid)), "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int self = (Integer) Files.getAttribute(ProcStat.PROC.resolve("self"), "unix:uid");
            if (owner != self) {
                return new Object[] {"--server-pid " + pid + ": the process belongs to another user (uid " + owner
                        + "); measure a server of your own", 1};
            }
            Files.readAllLines(ProcStat.PROC.resolve(Long.toString(pid)).resolve("status"));
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            return new Object[] {"--server-pid " + pid + ": cannot read /proc/" + pid + " (" + e.getMessage() + ")", 1};
        }
        return null;
    }

    /** A probe of {@code pid}, its first reading taken now (before the connections open); null for no pid. */
    public static ServerCost before(long pid) {
        if (pid <= 0) {
            return null;
        }
        ServerCost c = new ServerCost(pid);
        c.before = Reading.take(pid).orElse(null);
        c.gone = c.before == null;
        return c;
    }

    /** The measurement starts. */
    public void start() {
        start = Reading.take(pid).orElse(null);
        gone |= start == null;
    }

    /** The measurement ends. */
    public void end() {
        end = Reading.take(pid).orElse(null);
        gone |= end == null;
    }

    /** The figures over {@code messages} measured messages and {@code connections} that came up. */
    Figures figures(long messages, int connections) {
        if (gone || before == null || start == null || end == null) {
            return new Figures(pid, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, "the process ended during the run (or the "
                    + "measurement never started); its cost is unknown");
        }
        double perMsg = messages > 0 ? 1.0 / messages : 0;
        double usPerTick = 1e6 / ProcStat.TICKS_PER_SECOND;
        ProcStat a = start.stat();
        ProcStat b = end.stat();
        long user = b.userTicks() + b.childUserTicks() - a.userTicks() - a.childUserTicks();
        long system = b.systemTicks() + b.childSystemTicks() - a.systemTicks() - a.childSystemTicks();
        double wallUs = (end.nanos() - start.nanos()) / 1e3;
        return new Figures(pid, round(user * usPerTick * perMsg), round(system * usPerTick * perMsg),
                round(wallUs > 0 ? (user + system) * usPerTick / wallUs * 100 : 0),
                before.stat().rssBytes(), a.rssBytes(), b.rssBytes(),
                round(connections > 0 ? (double) (b.rssBytes() - before.stat().rssBytes()) / connections : 0),
                a.threads(), b.threads(), round((end.voluntary() - start.voluntary()) * perMsg),
                round((end.involuntary() - start.involuntary()) * perMsg), null);
    }

    /** CPU seconds (user and system, the children's included) between the start and end readings; NaN without them. */
    public double cpuSeconds() {
        return start == null || end == null ? Double.NaN
                : (double) (end.stat().cpuTicks() - start.stat().cpuTicks()) / ProcStat.TICKS_PER_SECOND;
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1000) / 1000.0 : 0;
    }
}
