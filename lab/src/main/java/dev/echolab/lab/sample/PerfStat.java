package dev.echolab.lab.sample;

import dev.echolab.common.Children;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Counts kernel events of a running process tree with {@code perf stat}, from outside it: perf
 * attaches to every thread of the given processes, and the kernel hands each counter on to every
 * thread and process they start later (perf's counters are inherited), so a server's
 * thread-per-connection or forked children are counted too. Counting mode only: no sample is
 * written, the kernel adds one to a counter when the event fires in one of those tasks.
 *
 * <p>perf prints the counts of every {@value #INTERVAL_MS} ms interval ({@code -I}, CSV with
 * {@code -x,}); each interval is placed on the wall clock from the moment its line arrived, and the
 * counts over any window (the load generator's measured interval, known only afterwards) are read
 * by interpolation, as {@link Sampler} reads CPU time.
 */
final class PerfStat implements AutoCloseable {

    static final long INTERVAL_MS = 200;
    /** How long perf may take to attach and print its first interval. */
    private static final Duration FIRST_INTERVAL = Duration.ofSeconds(10);
    private static final List<Path> TRACEFS = List.of(Path.of("/sys/kernel/tracing/events"),
            Path.of("/sys/kernel/debug/tracing/events"));

    /** One counter: perf's event name, and a tracepoint filter (null: none). */
    record Event(String name, String filter) {

        List<String> args() {
            return filter == null ? List.of("-e", name) : List.of("-e", name, "--filter", filter);
        }
    }

    /** One line of {@code perf stat -x, -I}: interval end (seconds since perf began counting), the count (null: not counted), the event. */
    record Line(double seconds, Long count, String event) {
    }

    /** The counts of one interval, in the order of the events, and when its first line arrived. */
    record Interval(double endSeconds, long arrivedEpochMs, long[] counts) {
    }

    // "     0.200312328,97350,,syscalls:sys_enter_read,1413087543,100.00,,"; the count may be <not counted> or <not supported>
    private static final Pattern LINE = Pattern.compile("^\\s*(\\d+\\.\\d+),([^,]*),[^,]*,([^,]+),.*$");

    private final List<Event> events;
    private final Process process;
    private final List<Interval> intervals = new ArrayList<>();
    private final List<String> otherOutput = new ArrayList<>();
    private final Thread reader;

    private PerfStat(List<Event> events, Process process) {
        this.events = events;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("perf-stat-" + process.pid()).start(this::read);
    }

    /**
     * Starts counting {@code events} in {@code pids} (and everything they start from now on), perf
     * itself run with {@code pinning} in front; returns once perf has printed its first interval, so
     * counting is on. Throws with perf's own words when it cannot count.
     */
    static PerfStat start(List<Event> events, List<Long> pids, List<String> pinning) throws IOException {
        List<String> cmd = new ArrayList<>(pinning);
        cmd.addAll(List.of("perf", "stat", "-x", ",", "-I", String.valueOf(INTERVAL_MS), "-p",
                pids.stream().map(String::valueOf).collect(Collectors.joining(","))));
        cmd.addAll(args(events));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C"); // a decimal point, no thousands separators
        Process p;
        try {
            p = Children.start(pb);
        } catch (IOException e) {
            throw new IOException(notInstalled());
        }
        p.getOutputStream().close();
        PerfStat perf = new PerfStat(events, p);
        long deadline = System.nanoTime() + FIRST_INTERVAL.toNanos();
        while (perf.intervals().isEmpty()) {
            if (!p.isAlive() || System.nanoTime() > deadline || !sleep(20)) {
                perf.close();
                throw new IOException("perf stat " + (Thread.currentThread().isInterrupted() ? "interrupted"
                        : p.isAlive() ? "printed no count within " + FIRST_INTERVAL.toSeconds() + " s" : "failed") + ": " + perf.output());
            }
        }
        return perf;
    }

    /**
     * perf's {@code -e} arguments: events without a filter that stand next to each other as one group
     * ({@code -e {a,b,c}}), which perf reads in one go per thread. Read one by one, a counter read
     * later has counted the calls the thread made in between, so a part (the reads) could run ahead
     * of the whole (every call); read as a group, by a call per thread at most (a read can fall
     * between the two tracepoints of one call).
     */
    static List<String> args(List<Event> events) {
        List<String> args = new ArrayList<>();
        List<String> group = new ArrayList<>();
        for (Event e : events) {
            if (e.filter() == null) {
                group.add(e.name());
                continue;
            }
            addGroup(args, group);
            args.addAll(e.args());
        }
        addGroup(args, group);
        return args;
    }

    private static void addGroup(List<String> args, List<String> group) {
        if (!group.isEmpty()) {
            args.addAll(List.of("-e", group.size() == 1 ? group.getFirst() : "{" + String.join(",", group) + "}"));
            group.clear();
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            List<Line> group = new ArrayList<>();
            long arrived = 0;
            String s;
            while ((s = r.readLine()) != null) {
                Optional<Line> line = parse(s);
                if (line.isEmpty()) {
                    synchronized (otherOutput) {
                        otherOutput.add(s.strip());
                    }
                    continue;
                }
                if (group.isEmpty()) {
                    arrived = System.currentTimeMillis();
                }
                group.add(line.get());
                if (group.size() == events.size()) {
                    Interval i = interval(group, events, arrived);
                    synchronized (intervals) {
                        intervals.add(i);
                    }
                    group.clear();
                }
            }
        } catch (IOException ignored) {
            // perf is gone; what it counted so far stays
        }
    }

    /** A line of perf's CSV interval output, or empty for anything else (a header, an error). */
    static Optional<Line> parse(String s) {
        Matcher m = LINE.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        String count = m.group(2).strip();
        return Optional.of(new Line(Double.parseDouble(m.group(1)), count.matches("\\d+") ? Long.valueOf(count) : null,
                m.group(3).strip()));
    }

    /**
     * One interval from its lines, which perf prints in the order the events were given; a counter
     * perf did not count in it (none of the tasks ran) counted nothing.
     */
    static Interval interval(List<Line> lines, List<Event> events, long arrivedEpochMs) {
        long[] counts = new long[events.size()];
        for (int i = 0; i < events.size(); i++) {
            Line l = lines.get(i);
            if (!l.event().equals(events.get(i).name())) {
                throw new IllegalStateException("perf printed " + l.event() + " where " + events.get(i).name() + " was expected");
            }
            counts[i] = l.count() == null ? 0 : l.count();
        }
        return new Interval(lines.getFirst().seconds(), arrivedEpochMs, counts);
    }

    List<Interval> intervals() {
        synchronized (intervals) {
            return List.copyOf(intervals);
        }
    }

    /** Waits (at most two intervals) until perf has counted past {@code epochMs}; false if it did not. */
    boolean awaitCountedPast(long epochMs) {
        long deadline = System.currentTimeMillis() + 2 * INTERVAL_MS + 500;
        while (System.currentTimeMillis() < deadline) {
            List<Interval> all = intervals();
            if (!all.isEmpty() && start(all) + all.getLast().endSeconds() * 1e3 >= epochMs) {
                return true;
            }
            if (!sleep(20)) {
                return false;
            }
        }
        return false;
    }

    /**
     * Each event's count between two wall-clock instants (epoch ms), interpolated within the
     * intervals at the edges; empty if perf was not counting over the whole window.
     */
    Optional<double[]> countsBetween(long fromEpochMs, long toEpochMs) {
        return countsBetween(intervals(), events.size(), fromEpochMs, toEpochMs);
    }

    static Optional<double[]> countsBetween(List<Interval> all, int events, long fromEpochMs, long toEpochMs) {
        if (all.isEmpty()) {
            return Optional.empty();
        }
        double start = start(all);
        if (fromEpochMs < start || toEpochMs > start + all.getLast().endSeconds() * 1e3 || toEpochMs < fromEpochMs) {
            return Optional.empty();
        }
        double[] to = cumulativeAt(all, start, events, toEpochMs);
        double[] from = cumulativeAt(all, start, events, fromEpochMs);
        for (int i = 0; i < events; i++) {
            to[i] -= from[i];
        }
        return Optional.of(to);
    }

    /**
     * When perf began counting, on the wall clock (epoch ms). perf's times count from that moment;
     * a line arrives at best at once, so the earliest arrival less its time is the best estimate.
     */
    static double start(List<Interval> all) {
        return all.stream().mapToDouble(x -> x.arrivedEpochMs() - x.endSeconds() * 1e3).min().orElseThrow();
    }

    /** Each event's count from the beginning of counting to {@code epochMs}, linear within an interval. */
    private static double[] cumulativeAt(List<Interval> all, double start, int events, long epochMs) {
        double[] sum = new double[events];
        double prevEnd = start;
        for (Interval i : all) {
            double end = start + i.endSeconds() * 1e3;
            double f = epochMs >= end ? 1 : Math.max(0, (epochMs - prevEnd) / Math.max(1e-9, end - prevEnd));
            for (int e = 0; e < events; e++) {
                sum[e] += f * i.counts()[e];
            }
            if (epochMs < end) {
                break;
            }
            prevEnd = end;
        }
        return sum;
    }

    private String output() {
        synchronized (otherOutput) {
            return otherOutput.stream().filter(s -> !s.isEmpty() && !s.startsWith("#")).limit(3)
                    .collect(Collectors.joining(" / ")).transform(s -> s.isEmpty() ? "(no output)" : s);
        }
    }

    /**
     * Why perf's counts cannot be had here, or empty when they can: checked once per lab run with a
     * count of {@code true}'s system calls, so a missing perf or a kernel that does not permit
     * tracepoints is one line in the report, not a failure of every case.
     */
    static synchronized Optional<String> unavailable() {
        if (unavailable == null) {
            unavailable = Optional.ofNullable(probe());
        }
        return unavailable;
    }

    private static Optional<String> unavailable;

    private static String probe() {
        if (tracepoints().isEmpty()) {
            return "no syscall tracepoints: " + TRACEFS.getFirst() + "/syscalls is not readable "
                    + "(tracefs not mounted, not root, or a kernel without CONFIG_FTRACE_SYSCALLS)";
        }
        try {
            ProcessBuilder pb = new ProcessBuilder("perf", "stat", "-x", ",", "-e", "raw_syscalls:sys_enter",
                    "-e", "sched:sched_switch", "--", "true").redirectErrorStream(true);
            pb.environment().put("LC_ALL", "C");
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "perf stat did not finish counting `true` within 20 s";
            }
            if (p.exitValue() != 0) {
                return "perf stat cannot count tracepoints here (exit " + p.exitValue() + "): "
                        + out.lines().map(String::strip).filter(s -> !s.isEmpty()).limit(2).collect(Collectors.joining(" / "));
            }
            return null;
        } catch (IOException e) {
            return notInstalled();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted while checking perf";
        }
    }

    private static String notInstalled() {
        return "perf not installed (apt-get install linux-perf)";
    }

    /** The names of the system calls that have an entry tracepoint on this kernel ({@code syscalls:sys_enter_NAME}). */
    static List<String> tracepoints() {
        for (Path dir : TRACEFS) {
            try (Stream<Path> s = Files.list(dir.resolve("syscalls"))) {
                return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("sys_enter_"))
                        .map(n -> n.substring("sys_enter_".length())).sorted().toList();
            } catch (IOException | SecurityException e) {
                // not mounted here, or not ours to read: try the next place
            }
        }
        return List.of();
    }

    /** False when interrupted (the lab is stopping), with the interrupt kept. */
    private static boolean sleep(long ms) {
        try {
            Thread.sleep(ms);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops perf (SIGTERM); the counts read so far stay. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(2, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        try {
            reader.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
