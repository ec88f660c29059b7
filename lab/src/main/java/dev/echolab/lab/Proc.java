package dev.echolab.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads what Linux says about a process in {@code /proc}: CPU time, resident memory, threads and
 * context switches. Cheap enough to sample a few times a second without disturbing the run.
 */
final class Proc {

    /** Clock ticks per second for utime/stime; 100 on every Linux this runs on (USER_HZ). */
    static final long TICKS_PER_SECOND = 100;
    static final long PAGE_SIZE = 4096;

    private Proc() {
    }

    /** One reading of a process. */
    record Sample(long nanos, long epochMs, long cpuTicks, long rssBytes, int threads) {

        double cpuSeconds() {
            return (double) cpuTicks / TICKS_PER_SECOND;
        }
    }

    /** The process's CPU, RSS and threads now, or empty if it is gone. */
    static Optional<Sample> sample(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // Fields after the command name, which is in parentheses and may contain spaces:
            // [0]=state (field 3) ... [11]=utime (14), [12]=stime (15), [17]=num_threads (20), [21]=rss (24).
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            int threads = Integer.parseInt(f[17]);
            long rss = Long.parseLong(f[21]) * PAGE_SIZE;
            return Optional.of(new Sample(System.nanoTime(), System.currentTimeMillis(), cpu, rss, threads));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Voluntary and involuntary context switches summed over the process's live threads
     * ({@code /proc/PID/status} counts only the main thread). Threads that ended are not counted.
     */
    static long[] contextSwitches(long pid) {
        long[] sum = new long[2];
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "task"))) {
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

    /**
     * Busy CPU ticks of the whole machine (all CPUs) from the first line of {@code /proc/stat}:
     * user, nice, system, irq, softirq and steal (time the hypervisor gave our CPUs to someone
     * else). Idle and iowait are not busy; guest time is already inside user, so it is not added.
     */
    static long hostBusyTicks() {
        try (BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"))) {
            String[] f = r.readLine().trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += i < f.length ? Long.parseLong(f[i]) : 0;
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * CPU ticks (utime+stime) of a process and all its descendants, found through the parent ids
     * in {@code /proc/N/stat} (a server may fork workers: {@code --processes}, a Python peer).
     * Children that already exited are not counted. 0 when the process is gone.
     */
    static long treeCpuTicks(long root) {
        Map<Long, List<Long>> children = new HashMap<>();
        Map<Long, Long> ticks = new HashMap<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path dir : procs) {
                try {
                    String stat = Files.readString(dir.resolve("stat"));
                    // After the name: [0]=state, [1]=ppid (field 4), [11]=utime (14), [12]=stime (15).
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    long pid = Long.parseLong(dir.getFileName().toString());
                    ticks.put(pid, Long.parseLong(f[11]) + Long.parseLong(f[12]));
                    children.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(pid);
                } catch (IOException | RuntimeException gone) {
                    // the process ended while we listed them
                }
            }
        } catch (IOException e) {
            return 0;
        }
        long sum = 0;
        Deque<Long> todo = new ArrayDeque<>(List.of(root));
        while (!todo.isEmpty()) {
            long pid = todo.pop();
            sum += ticks.getOrDefault(pid, 0L);
            todo.addAll(children.getOrDefault(pid, List.of()));
        }
        return sum;
    }
}
