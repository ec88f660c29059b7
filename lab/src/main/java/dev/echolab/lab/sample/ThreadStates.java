package dev.echolab.lab.sample;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where a process tree's threads are at one moment, from {@code /proc/PID/task/TID}: each thread's
 * scheduler state ({@code stat}: R running or runnable, S sleeping, D uninterruptible ...), the
 * system call it is in ({@code syscall}: its number, or "running" while it is runnable) and the kernel
 * function it sleeps in ({@code wchan}, e.g. {@code wait_woken} under a socket read,
 * {@code do_epoll_wait}, {@code futex_do_wait}). Threads alike are counted together: "500 sleeping
 * in read (wait_woken)". Read from outside the server; a file the kernel does not let us read
 * (another user's process without root) leaves that part unknown.
 */
final class ThreadStates {

    /** Threads with the same state, system call and wait channel. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Group(int threads, String state, String syscall, String wchan) {
    }

    private static final int SHOWN = 5;

    private ThreadStates() {
    }

    /** Every thread of {@code pids} now, grouped, largest group first. */
    static List<Group> snapshot(Path proc, List<Long> pids) {
        return snapshot(proc, pids, Syscalls.NAMES);
    }

    /** The same, with the system call numbers of {@code names} (an architecture's {@link Syscalls#table}). */
    static List<Group> snapshot(Path proc, List<Long> pids, Map<Integer, String> names) {
        Map<Group, Integer> count = new LinkedHashMap<>();
        for (long pid : pids) {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(pid + "/task"))) {
                for (Path task : tasks) {
                    String state = state(task);
                    if (state != null) {
                        count.merge(new Group(0, state, syscall(task, names), wchan(task)), 1, Integer::sum);
                    }
                }
            } catch (IOException | RuntimeException gone) {
                // the process ended: it has no threads to show
            }
        }
        List<Group> groups = new ArrayList<>();
        count.forEach((g, n) -> groups.add(new Group(n, g.state(), g.syscall(), g.wchan())));
        groups.sort(Comparator.comparingInt(Group::threads).reversed()
                .thenComparing(g -> g.state() + " " + g.syscall() + " " + g.wchan()));
        return groups;
    }

    /** The state letter of {@code stat}, after the name in parentheses (which may hold both); null if the thread is gone. */
    private static String state(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The system call the thread is in, by name: {@code syscall} holds its number (-1: in user
     * space) or "running" (runnable: on a CPU or waiting for one, or it woke while being read; the
     * kernel reports no call then). Null if not readable.
     */
    private static String syscall(Path task, Map<Integer, String> names) {
        try {
            String first = Files.readString(task.resolve("syscall")).strip().split(" ")[0];
            if (first.equals("running")) {
                return "running";
            }
            int nr = Integer.parseInt(first);
            return nr < 0 ? "user" : names.getOrDefault(nr, "syscall " + nr);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The kernel function the thread sleeps in; null when it does not sleep ("0") or the file is not readable. */
    private static String wchan(Path task) {
        try {
            String w = Files.readString(task.resolve("wchan")).strip();
            return w.isEmpty() || w.equals("0") ? null : w;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Threads in any of {@code syscalls}, whatever their state. */
    static int in(List<Group> groups, List<String> syscalls) {
        return groups.stream().filter(g -> syscalls.contains(g.syscall())).mapToInt(Group::threads).sum();
    }

    /** "20 sleeping in read (wait_woken), 17 sleeping in futex (futex_do_wait), 1 runnable": the largest groups, the rest counted. */
    static String summary(List<Group> groups) {
        if (groups == null || groups.isEmpty()) {
            return "-";
        }
        List<String> parts = groups.stream().limit(SHOWN).map(ThreadStates::words).collect(Collectors.toCollection(ArrayList::new));
        int rest = groups.stream().skip(SHOWN).mapToInt(Group::threads).sum();
        if (rest > 0) {
            parts.add(rest + " other");
        }
        return String.join(", ", parts);
    }

    private static String words(Group g) {
        String state = switch (g.state()) {
            case "R" -> "runnable";
            case "S" -> "sleeping";
            case "D" -> "in uninterruptible wait";
            case "I" -> "idle";
            case "T", "t" -> "stopped";
            case "Z" -> "zombie";
            default -> "in state " + g.state();
        };
        String where = g.syscall() == null || g.syscall().equals("running") ? ""
                : g.syscall().equals("user") ? " in user space" : " in " + g.syscall();
        return g.threads() + " " + state + where + (g.wchan() == null ? "" : " (" + g.wchan() + ")");
    }

    /**
     * System call numbers to names for the calls a server waits in or pays per message (the
     * architecture's table in Linux's {@code unistd} headers); other numbers are shown as numbers.
     */
    static final class Syscalls {

        /** This machine's. */
        static final Map<Integer, String> NAMES = table(System.getProperty("os.arch"));

        private Syscalls() {
        }

        static Map<Integer, String> table(String arch) {
            Object[] t = switch (arch) {
                case "amd64", "x86_64" -> new Object[] {0, "read", 1, "write", 7, "poll", 19, "readv", 20, "writev",
                        23, "select", 24, "sched_yield", 34, "pause", 35, "nanosleep", 42, "connect", 43, "accept",
                        44, "sendto", 45, "recvfrom", 46, "sendmsg", 47, "recvmsg", 61, "wait4", 128, "rt_sigtimedwait",
                        130, "rt_sigsuspend", 202, "futex", 208, "io_getevents", 219, "restart_syscall",
                        230, "clock_nanosleep", 232, "epoll_wait", 233, "epoll_ctl", 247, "waitid", 270, "pselect6",
                        271, "ppoll", 281, "epoll_pwait", 288, "accept4", 299, "recvmmsg", 307, "sendmmsg",
                        426, "io_uring_enter", 441, "epoll_pwait2", 449, "futex_waitv", 454, "futex_wake",
                        455, "futex_wait", 456, "futex_requeue"};
                case "aarch64" -> new Object[] {4, "io_getevents", 21, "epoll_ctl", 22, "epoll_pwait", 63, "read",
                        64, "write", 65, "readv", 66, "writev", 72, "pselect6", 73, "ppoll", 95, "waitid", 98, "futex",
                        101, "nanosleep", 115, "clock_nanosleep", 124, "sched_yield", 128, "restart_syscall",
                        133, "rt_sigsuspend", 137, "rt_sigtimedwait", 202, "accept", 203, "connect", 206, "sendto",
                        207, "recvfrom", 211, "sendmsg", 212, "recvmsg", 242, "accept4", 243, "recvmmsg", 260, "wait4",
                        269, "sendmmsg", 426, "io_uring_enter", 441, "epoll_pwait2", 449, "futex_waitv",
                        454, "futex_wake", 455, "futex_wait", 456, "futex_requeue"};
                default -> new Object[0];
            };
            Map<Integer, String> m = new LinkedHashMap<>();
            for (int i = 0; i < t.length; i += 2) {
                m.put((Integer) t[i], Objects.toString(t[i + 1]));
            }
            return m;
        }
    }
}
