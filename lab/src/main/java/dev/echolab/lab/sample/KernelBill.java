package dev.echolab.lab.sample;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import dev.echolab.loadgen.output.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a server asked of the kernel per message, and where its threads wait: a case's
 * {@code kernel_bill} in results.json (docs/lab.md). System calls by kind and context switches are
 * counted by {@code perf stat} ({@link PerfStat}) on kernel tracepoints over the load generator's
 * measured interval, summed over the server's processes and threads; the threads are a snapshot from
 * /proc in the middle of it ({@link ThreadStates}). Both are taken from outside the server and the
 * load generator. Where perf cannot count, {@code unavailable} says why and the counts are null.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public final class KernelBill {

    /** The kinds of system call counted, each the calls that do it ({@code syscalls:sys_enter_NAME} tracepoints). */
    public enum Kind {
        READ("read", "read/recv", "read", "readv", "recvfrom", "recvmsg", "recvmmsg"),
        WRITE("write", "write/send", "write", "writev", "sendto", "sendmsg", "sendmmsg"),
        EPOLL_WAIT("epoll_wait", "epoll_wait", "epoll_wait", "epoll_pwait", "epoll_pwait2"),
        EPOLL_CTL("epoll_ctl", "epoll_ctl", "epoll_ctl"),
        FUTEX("futex", "futex", "futex", "futex_waitv", "futex_wait", "futex_wake", "futex_requeue"),
        IO_URING_ENTER("io_uring_enter", "io_uring_enter", "io_uring_enter"),
        POLL_SELECT("poll_select", "poll/select", "poll", "ppoll", "select", "pselect6"),
        ACCEPT("accept", "accept", "accept", "accept4"),
        SLEEP("sleep", "sleep", "nanosleep", "clock_nanosleep");

        /** The key in results.json. */
        public final String key;
        /** The column's header in the reports. */
        public final String header;
        final List<String> syscalls;

        Kind(String key, String header, String... syscalls) {
            this.key = key;
            this.header = header;
            this.syscalls = List.of(syscalls);
        }
    }

    public static final String OTHER = "other";
    public static final String TOTAL = "total";
    /** Every system call's entry: the total, of which the kinds are parts. */
    static final PerfStat.Event ALL_SYSCALLS = new PerfStat.Event("raw_syscalls:sys_enter", null);
    /** Every time one of the server's threads left a CPU. */
    static final PerfStat.Event SWITCHES = new PerfStat.Event("sched:sched_switch", null);
    /**
     * The voluntary ones: the thread left in a sleeping state (S, D ... the low bits of
     * {@code prev_state}); a preempted thread is reported as running: 0, or a flag above those bits
     * when it was preempted in the kernel.
     */
    static final PerfStat.Event VOLUNTARY_SWITCHES = new PerfStat.Event("sched:sched_switch", "prev_state & 255");

    /** Why nothing was counted (perf missing or not permitted); null when counted. */
    public String unavailable;
    /** Calls over the measured interval by kind, then {@code other} (every call of no kind here) and {@code total}. */
    public Map<String, Long> syscalls;
    public Map<String, Double> syscallsPerMsg;
    public Long voluntaryCtxSwitches;
    public Long involuntaryCtxSwitches;
    public Double voluntaryCtxSwitchesPerMsg;
    public Double involuntaryCtxSwitchesPerMsg;
    /** The server's threads grouped by state, system call and wait channel, largest group first. */
    public List<ThreadStates.Group> threads;
    /** The same in words: "20 sleeping in read (wait_woken), 17 sleeping in futex (futex_do_wait), ...". */
    public String threadsSummary;
    /** When the threads were looked at: seconds after the measured interval began. */
    public Double threadsAtS;

    /** Why perf cannot count here (checked once), or empty when it can. */
    public static Optional<String> unavailableHere() {
        return PerfStat.unavailable();
    }

    public static KernelBill unavailable(String why) {
        KernelBill b = new KernelBill();
        b.unavailable = why;
        return b;
    }

    /** The server's threads now, and nothing counted (an idle case: no messages to count per). */
    public static KernelBill threadsNow(long pid) {
        KernelBill b = new KernelBill();
        b.threads(ThreadStates.snapshot(Proc.PROC, Proc.tree(Proc.PROC, pid)));
        return b;
    }

    private void threads(List<ThreadStates.Group> groups) {
        threads = groups;
        threadsSummary = ThreadStates.summary(groups);
    }

    /** What perf counts: every call, each kind's calls that have a tracepoint here, every switch, the voluntary ones. */
    static List<PerfStat.Event> events(List<String> tracepoints) {
        List<PerfStat.Event> events = new ArrayList<>(List.of(ALL_SYSCALLS));
        for (Kind k : Kind.values()) {
            k.syscalls.stream().filter(tracepoints::contains).forEach(s -> events.add(new PerfStat.Event("syscalls:sys_enter_" + s, null)));
        }
        events.addAll(List.of(SWITCHES, VOLUNTARY_SWITCHES));
        return events;
    }

    /**
     * The bill from perf's counts of {@code events} over the measured interval: calls summed by kind,
     * {@code other} the total less the kinds, involuntary switches all switches less the voluntary
     * ones; per message when {@code messages} is known.
     */
    static KernelBill of(List<PerfStat.Event> events, double[] counts, Long messages) {
        Map<String, Double> byKind = new LinkedHashMap<>();
        for (Kind k : Kind.values()) {
            byKind.put(k.key, 0.0);
        }
        double total = 0;
        double switches = 0;
        double voluntary = 0;
        for (int i = 0; i < events.size(); i++) {
            PerfStat.Event e = events.get(i);
            if (e.equals(ALL_SYSCALLS)) {
                total += counts[i];
            } else if (e.equals(SWITCHES)) {
                switches += counts[i];
            } else if (e.equals(VOLUNTARY_SWITCHES)) {
                voluntary += counts[i];
            } else {
                String call = e.name().substring(e.name().indexOf("sys_enter_") + "sys_enter_".length());
                for (Kind k : Kind.values()) {
                    if (k.syscalls.contains(call)) {
                        byKind.merge(k.key, counts[i], Double::sum);
                    }
                }
            }
        }
        double known = byKind.values().stream().mapToDouble(Double::doubleValue).sum();
        // perf reads the calls as one group (PerfStat.args), yet a read can fall between the two tracepoints
        // of one call, so a part can be a call per thread ahead of the whole
        byKind.put(OTHER, Math.max(0, total - known));
        byKind.put(TOTAL, total);
        KernelBill b = new KernelBill();
        b.syscalls = new LinkedHashMap<>();
        byKind.forEach((k, v) -> b.syscalls.put(k, Math.round(v)));
        b.voluntaryCtxSwitches = Math.round(voluntary);
        b.involuntaryCtxSwitches = Math.round(Math.max(0, switches - voluntary));
        if (messages != null && messages > 0) {
            b.syscallsPerMsg = new LinkedHashMap<>();
            byKind.forEach((k, v) -> b.syscallsPerMsg.put(k, v / messages));
            b.voluntaryCtxSwitchesPerMsg = voluntary / messages;
            b.involuntaryCtxSwitchesPerMsg = Math.max(0, switches - voluntary) / messages;
        }
        return b;
    }

    /**
     * Watches one load case's server: perf counting from just before the load starts, and the
     * threads looked at once, at a moment given when it starts (the middle of the measured interval).
     * Never fails the case: what cannot be had becomes {@code unavailable}.
     */
    public static final class Watch implements AutoCloseable {

        private final boolean enabled;
        private PerfStat perf;
        private List<PerfStat.Event> events;
        private String unavailable;
        private Thread snapshot;
        private volatile List<ThreadStates.Group> threads;
        /** When the look at the threads began; 0 before. */
        private volatile long threadsAtEpochMs;

        /** {@code enabled} false: the lab was told not to ({@code --no-kernel-bill}); it bills nothing. */
        public Watch(boolean enabled) {
            this.enabled = enabled;
            this.unavailable = "not started";
        }

        /**
         * Attaches perf to {@code pid} and every process under it (perf run with {@code pinning} in
         * front); looks at the threads {@code snapshotAt} after the load generator's
         * {@code --json-stream} first says it is measuring. Counting from that object's arrival, not
         * from the seconds it states, keeps the look inside the measured interval when the machine
         * is so busy that the objects arrive late. {@code loadgenStream} null: no look at the threads,
         * counts only.
         */
        public void start(long pid, List<String> pinning, Path loadgenStream, Duration snapshotAt) {
            if (!enabled) {
                return;
            }
            List<Long> tree = Proc.tree(Proc.PROC, pid);
            Optional<String> why = PerfStat.unavailable();
            if (why.isPresent()) {
                unavailable = why.get();
            } else {
                try {
                    events = events(PerfStat.tracepoints());
                    perf = PerfStat.start(events, tree, pinning);
                    unavailable = null;
                } catch (IOException e) {
                    unavailable = e.getMessage();
                }
            }
            if (loadgenStream == null) {
                return;
            }
            snapshot = Thread.ofPlatform().daemon().name("threads-" + pid).start(() -> {
                try {
                    if (!measuringSeen(loadgenStream)) {
                        return;
                    }
                    Thread.sleep(snapshotAt.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
                threadsAtEpochMs = System.currentTimeMillis();
                threads = ThreadStates.snapshot(Proc.PROC, Proc.tree(Proc.PROC, pid));
            });
        }

        /** Whether the load generator's {@code --json-stream} says it is measuring within two minutes. */
        private static boolean measuringSeen(Path stream) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    if (Files.exists(stream)) {
                        for (String line : Files.readAllLines(stream)) {
                            if (line.contains("\"" + Progress.TYPE + "\"") && Progress.parse(line).measuring()) {
                                return true;
                            }
                        }
                    }
                } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
                    // being written (a line cut short): read it again
                }
                Thread.sleep(50);
            }
            return false;
        }

        /**
         * The bill over {@code [fromEpochMs, toEpochMs]}, the measured interval in which the load
         * generator counted {@code messages}; null when not {@code enabled}.
         */
        public KernelBill bill(long fromEpochMs, long toEpochMs, Long messages) {
            if (!enabled) {
                return null;
            }
            KernelBill b;
            if (perf == null) {
                b = unavailable(unavailable);
            } else if (!perf.awaitCountedPast(toEpochMs)) {
                b = unavailable("perf stat stopped counting before the measured interval ended");
            } else {
                b = perf.countsBetween(fromEpochMs, toEpochMs).map(counts -> of(events, counts, messages))
                        .orElseGet(() -> unavailable("perf stat did not count over the whole measured interval"));
            }
            awaitThreads();
            if (threads != null) {
                b.threads(threads);
                b.threadsAtS = (threadsAtEpochMs - fromEpochMs) / 1e3;
            }
            return b;
        }

        /** Lets a look at the threads that has begun finish (thousands of threads take a while); one not begun is not waited for. */
        private void awaitThreads() {
            if (snapshot != null && threadsAtEpochMs != 0) {
                try {
                    snapshot.join(Duration.ofSeconds(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public void close() {
            if (snapshot != null) {
                snapshot.interrupt();
            }
            if (perf != null) {
                perf.close();
            }
        }
    }
}
