package dev.echolab.common;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * One reading of a process from {@code /proc/PID/stat}: what both the lab's sampler and
 * {@code bin/loadgen --server-pid} take a server's CPU, memory and threads from, read in this one
 * place. {@link #contextSwitches} sums {@code /proc/PID/task/* /status} likewise.
 *
 * @param ppid             the parent's pid
 * @param userTicks        utime: CPU in user mode, in clock ticks ({@link #TICKS_PER_SECOND})
 * @param systemTicks      stime: CPU in the kernel on the process's behalf
 * @param childUserTicks   cutime: user CPU of the children it has waited for
 * @param childSystemTicks cstime: their kernel CPU
 * @param threads          num_threads
 * @param rssBytes         resident set size
 */
public record ProcStat(long ppid, long userTicks, long systemTicks, long childUserTicks, long childSystemTicks,
                       int threads, long rssBytes) {

    /** Clock ticks per second for the CPU fields; 100 on every Linux this runs on (USER_HZ). */
    public static final long TICKS_PER_SECOND = 100;
    public static final long PAGE_SIZE = 4096;
    public static final Path PROC = Path.of("/proc");

    /** The process's own CPU and that of its waited-for children, in ticks. */
    public long cpuTicks() {
        return userTicks + systemTicks + childUserTicks + childSystemTicks;
    }

    /** {@code /proc/PID/stat} of {@code pid} under {@code proc}; empty if it is gone (or unreadable). */
    public static Optional<ProcStat> read(Path proc, long pid) {
        try {
            String stat = Files.readString(proc.resolve(String.valueOf(pid)).resolve("stat"));
            // Fields after the command name, which is in parentheses and may contain spaces:
            // [0]=state (field 3), [1]=ppid (4) ... [11]=utime (14), [12]=stime (15), [13]=cutime (16),
            // [14]=cstime (17), [17]=num_threads (20), [21]=rss (24).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]),
                    Long.parseLong(f[13]), Long.parseLong(f[14]), Integer.parseInt(f[17]), Long.parseLong(f[21]) * PAGE_SIZE));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@link #read} of a process under {@code /proc}. */
    public static Optional<ProcStat> read(long pid) {
        return read(PROC, pid);
    }

    /**
     * Voluntary and involuntary context switches summed over the process's live threads
     * ({@code /proc/PID/status} counts only the main thread). Threads that ended are not counted.
     */
    public static long[] contextSwitches(long pid) {
        long[] sum = new long[2];
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(PROC.resolve(String.valueOf(pid)).resolve("task"))) {
            for (Path task : tasks) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:")) {
                            sum[0] += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        } else if (line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum[1] += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
                        }
                    }
                } catch (IOException | RuntimeException gone) {
                    // the thread ended while we listed them
                }
            }
        } catch (IOException e) {
            return sum;
        }
        return sum;
    }
}
