package dev.echolab.lab.sample;

import dev.echolab.common.ProcStat;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what Linux says about a process (or a process and its children) in {@code /proc}: CPU time,
 * resident memory, threads and context switches. Cheap enough to sample a few times a second without disturbing the run.
 */
public final class Proc {

    static final long TICKS_PER_SECOND = ProcStat.TICKS_PER_SECOND;
    static final long PAGE_SIZE = ProcStat.PAGE_SIZE;
    static final Path PROC = Path.of("/proc");
    /** Indexes into what {@link #stat} returns. */
    private static final int PARENT = 0;
    private static final int CPU = 1;
    private static final int THREADS = 2;
    private static final int RSS = 3;

    private Proc() {
    }

    /** One reading of a process. */
    public record Sample(long nanos, long epochMs, long cpuTicks, long rssBytes, int threads) {

        double cpuSeconds() {
            return (double) cpuTicks / TICKS_PER_SECOND;
        }
    }

    /** The process's CPU, RSS and threads now, or empty if it is gone. */
    static Optional<Sample> sample(long pid) {
        return sample(PROC, List.of(pid));
    }

    /**
     * One reading summed over {@code pids} (a server's {@link #tree}): CPU ticks, RSS and threads of
     * those still running; empty if the first (the root) is gone. Shared pages of forked children
     * count once per process, as {@code ps} shows them.
     */
    static Optional<Sample> sample(Path proc, List<Long> pids) {
        long cpu = 0;
        long rss = 0;
        int threads = 0;
        for (long pid : pids) {
            Optional<long[]> f = stat(proc, pid);
            if (f.isEmpty()) {
                if (pid == pids.getFirst()) {
                    return Optional.empty();
                }
                continue; // a child that ended: what it used is no longer counted
            }
            cpu += f.get()[CPU];
            rss += f.get()[RSS];
            threads += (int) f.get()[THREADS];
        }
        return Optional.of(new Sample(System.nanoTime(), System.currentTimeMillis(), cpu, rss, threads));
    }

    /**
     * {@code root} and every process descended from it (its children, theirs...): a server started
     * with {@code --processes N} is N + 1 processes. Read once from each {@code /proc/N/stat}'s
     * parent pid; the root first.
     */
    static List<Long> tree(Path proc, long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : all) {
                long pid = Long.parseLong(p.getFileName().toString());
                stat(proc, pid).ifPresent(f -> children.computeIfAbsent(f[PARENT], k -> new ArrayList<>()).add(pid));
            }
        } catch (IOException e) {
            return List.of(root);
        }
        List<Long> tree = new ArrayList<>(List.of(root));
        for (int i = 0; i < tree.size(); i++) {
            tree.addAll(children.getOrDefault(tree.get(i), List.of()));
        }
        return tree;
    }

    /**
     * Cores a process tree kept busy between two readings: CPU seconds over wall seconds (1.0 is
     * one core all the time; 2.0 both cores of a 2-CPU machine).
     */
    public static double coresUsed(Sample before, Sample after) {
        double wall = (after.nanos() - before.nanos()) / 1e9;
        return wall <= 0 ? 0 : (after.cpuSeconds() - before.cpuSeconds()) / wall;
    }

    /**
     * Parent pid, CPU ticks, threads and RSS bytes from {@code /proc/PID/stat} ({@link ProcStat});
     * empty if it is gone. The CPU is the process's own (utime + stime) and that of the children it
     * has waited for (cutime + cstime): a server that forks a process per connection keeps what
     * each one used after it has ended and left the tree.
     */
    private static Optional<long[]> stat(Path proc, long pid) {
        return ProcStat.read(proc, pid).map(p -> new long[] {p.ppid(), p.cpuTicks(), p.threads(), p.rssBytes()});
    }

    /** Voluntary and involuntary context switches summed over the process's live threads ({@link ProcStat#contextSwitches}). */
    public static long[] contextSwitches(long pid) {
        return ProcStat.contextSwitches(pid);
    }

    /**
     * Busy CPU ticks of the whole machine (all CPUs) from the first line of {@code /proc/stat}:
     * user, nice, system, irq, softirq and steal (time the hypervisor gave our CPUs to someone
     * else). Idle and iowait are not busy; guest time is already inside user, so it is not added.
     */
    static long hostBusyTicks() {
        return hostTicks().busy();
    }

    /**
     * The whole machine's CPU ticks (all CPUs) since boot, from the first line of {@code /proc/stat}.
     *
     * @param busy  user, nice, system, irq, softirq and steal, as {@link #hostBusyTicks}
     * @param total busy plus idle and iowait: the wall time of every CPU
     * @param steal time the hypervisor gave our CPUs to someone else
     */
    public record HostTicks(long busy, long total, long steal) {

        public double busySeconds() {
            return (double) busy / TICKS_PER_SECOND;
        }

        public double totalSeconds() {
            return (double) total / TICKS_PER_SECOND;
        }

        public double stealSeconds() {
            return (double) steal / TICKS_PER_SECOND;
        }
    }

    /** {@link HostTicks} now; all zero when /proc/stat cannot be read. */
    public static HostTicks hostTicks() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"))) {
            String[] f = r.readLine().trim().split("\\s+");
            long[] v = new long[9];
            for (int i = 1; i < v.length && i < f.length; i++) {
                v[i] = Long.parseLong(f[i]);
            }
            // [1] user [2] nice [3] system [4] idle [5] iowait [6] irq [7] softirq [8] steal
            long busy = v[1] + v[2] + v[3] + v[6] + v[7] + v[8];
            return new HostTicks(busy, busy + v[4] + v[5], v[8]);
        } catch (IOException | RuntimeException e) {
            return new HostTicks(0, 0, 0);
        }
    }

    /** Open file descriptors summed over {@code pids} (sockets included); a process that ended counts 0. */
    public static long fds(List<Long> pids) {
        long sum = 0;
        for (long pid : pids) {
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(String.valueOf(pid)).resolve("fd"))) {
                for (Path ignored : fds) {
                    sum++;
                }
            } catch (IOException | RuntimeException gone) {
                // ended, or not ours to read
            }
        }
        return sum;
    }

    /**
     * The machine's memory in TCP socket buffers, in bytes: {@code /proc/net/sockstat}'s
     * {@code TCP: ... mem N}, counted in pages. The kernel's share of a connection, which no
     * process's RSS shows; 0 when unknown.
     */
    public static long tcpMemoryBytes() {
        try {
            for (String line : Files.readAllLines(PROC.resolve("net/sockstat"))) {
                if (line.startsWith("TCP:")) {
                    String[] f = line.split("\\s+");
                    for (int i = 1; i + 1 < f.length; i++) {
                        if (f[i].equals("mem")) {
                            return Long.parseLong(f[i + 1]) * PAGE_SIZE;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
