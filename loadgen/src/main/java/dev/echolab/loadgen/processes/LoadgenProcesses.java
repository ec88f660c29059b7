package dev.echolab.loadgen.processes;

import dev.echolab.common.ChildProcess;
import dev.echolab.common.Children;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.LoadgenCommand;
import dev.echolab.loadgen.Messages;
import dev.echolab.loadgen.OpenFiles;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.Targets;
import dev.echolab.loadgen.output.HlogFile;
import dev.echolab.loadgen.output.JsonStream;
import dev.echolab.loadgen.output.Progress;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code --processes N}: one run in N load-generator processes. A process may open only as many
 * descriptors as its open-file limit allows (a user cannot raise it past the hard limit), and every
 * connection is one; connections beyond it need more processes ({@link OpenFiles} says how many).
 * The parent here only coordinates:
 *
 * <ol>
 *   <li>It starts N children (this JVM's java, options and class path, as {@link ChildProcess}es:
 *       none outlives the parent, however it ends), child {@code j} with its share of the
 *       connections and of {@code --rate} and {@code --connect-rate}, so every connection keeps
 *       the interval it would have in one process.</li>
 *   <li>Barrier: each child opens its connections and says {@code #connected N}; when every child
 *       has, the parent tells them all {@code go} on their stdin and the load starts everywhere at
 *       once, after every connection of the run is up.</li>
 *   <li>Each child hands the parent one {@link Progress} a second (a JSON line on its stdout).
 *       Once a second the parent prints one progress line for the whole run from the children's
 *       latest: msgs/s, errors and live connections summed, and the highest of their percentiles,
 *       each an upper bound of the run's (at most 1% of each process's values lie above its p99).</li>
 *   <li>At the end each child prints its figures as one {@link ChildResult} line; the parent adds
 *       their histograms with HdrHistogram's {@code add}, sums their counters, takes fairness over
 *       every connection and prints one report and one JSON, with the same code as one process.
 *       A child that ends without a result is reported on its own line, and its connections are
 *       counted as errors ({@code other}), so the run fails rather than looking smaller and clean.</li>
 * </ol>
 */
public final class LoadgenProcesses {

    public static final int MAX = 64;
    private static final String CONNECTED = "#connected ";
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Settings s;
    private final PrintStream out;
    private final PrintStream err;
    private final JsonStream stream;
    private final List<Child> children = new ArrayList<>();

    /** {@code out}: the text output; {@code stream}: {@code --json-stream}, or null. */
    public LoadgenProcesses(Settings s, PrintStream out, PrintStream err, JsonStream stream) {
        this.s = s;
        this.out = out;
        this.err = err;
        this.stream = stream;
    }

    /** {@code connections} split over {@code processes} as evenly as can be, the larger shares first. */
    public static int[] shares(int connections, int processes) {
        int[] shares = new int[processes];
        for (int i = 0; i < processes; i++) {
            shares[i] = connections / processes + (i < connections % processes ? 1 : 0);
        }
        return shares;
    }

    /**
     * In a child: says how many connections came up, then waits for the parent's {@code go}
     * (none when nothing came up: there is nothing to start).
     */
    public static void awaitStart(int live, PrintStream out) throws IOException {
        out.println(CONNECTED + live);
        out.flush();
        if (live > 0 && new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine() == null) {
            throw new IOException("the parent load generator has gone");
        }
    }

    /** The whole run; the exit status of {@code bin/loadgen}. */
    public int run() throws InterruptedException, IOException {
        out.println(s.describe(new Messages(s.size())));
        int[] shares = shares(s.connections(), s.processes());
        try {
            for (int i = 0; i < shares.length; i++) {
                children.add(new Child(i + 1, shares[i]));
            }
            if (!awaitConnected()) {
                return 1;
            }
            for (Child c : children) {
                c.go();
            }
            watch();
            return finish();
        } finally {
            Children.stopAll(Duration.ofSeconds(5));
        }
    }

    /** The command of child {@code index} with {@code share} of the connections (package-private for tests). */
    public List<String> childCommand(int index, int share) {
        List<String> cmd = Children.javaCommand(LoadgenCommand.class.getName());
        cmd.add("--child");
        cmd.addAll(childSettings(index, share).arguments());
        return cmd;
    }

    /**
     * What child {@code index} runs: its share of the connections, of {@code --rate} and of
     * {@code --connect-rate}, so every connection keeps the interval it would have in one process;
     * its own interval log; no JSON (the parent writes the run's); no targets (the parent judges
     * the whole run's).
     */
    Settings childSettings(int index, int share) {
        double part = (double) share / s.connections();
        return s.toBuilder().connections(share).processes(1).rate(s.rate() * part).connectRate(s.connectRate() * part)
                .targets(Targets.NONE).json(null).jsonStream(null).hlog(s.hlog() == null ? null : childLog(index)).build();
    }

    private Path childLog(int index) {
        return s.hlog().resolveSibling(s.hlog().getFileName() + "." + index);
    }

    /** Waits until every child has connected or ended; false (reported) if one could not start. */
    private boolean awaitConnected() throws InterruptedException {
        long scheduled = s.connectRate() > 0 ? (long) (s.connections() / s.connectRate() * 1e9) : 0;
        long deadline = System.nanoTime() + s.connectTimeout().toNanos() * 2 + scheduled + TimeUnit.MINUTES.toNanos(2);
        for (Child c : children) {
            try {
                c.child.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            } catch (ChildProcess.NotReadyException e) {
                if (e.timedOut()) {
                    err.println("loadgen process " + c.index + " (pid " + c.process.pid() + ") did not finish connecting in time");
                    return false;
                }
                // it ended without connecting: reported with the results
            }
        }
        return true;
    }

    /** One progress line a second until every child has ended, bounded by the run's own limits. */
    private void watch() throws InterruptedException {
        long start = System.nanoTime();
        long limit = s.effectiveWarmup().toNanos() + s.measureLimit().toNanos() + s.timeout().toNanos() * 2
                + TimeUnit.MINUTES.toNanos(1);
        long next = start + SECOND;
        for (Child c : children) {
            while (!c.process.waitFor(Math.max(1, next - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                long now = System.nanoTime();
                if (now - start > limit) {
                    err.println("loadgen process " + c.index + " (pid " + c.process.pid() + ") did not end in time; stopped it");
                    return;
                }
                if (now >= next) {
                    progress(now - start);
                    next += ((now - next) / SECOND + 1) * SECOND;
                }
            }
        }
    }

    /** The run's second from its children's latest: rates, errors and connections summed, percentiles the highest. */
    private void progress(long elapsed) {
        double rate = 0;
        long live = 0;
        long failures = 0;
        long down = 0;
        Progress.Percentiles latency = null;
        Progress.Percentiles corrected = null;
        Map<String, Long> errors = new LinkedHashMap<>();
        boolean measuring = false;
        int reporting = 0;
        for (Child c : children) {
            Progress p = c.latest;
            if (p == null || !c.process.isAlive()) {
                continue; // an ended child reports no more: the line counts only those still running
            }
            reporting++;
            measuring |= p.measuring();
            rate += p.msgsPerS();
            latency = Progress.Percentiles.max(latency, p.latency());
            corrected = Progress.Percentiles.max(corrected, p.corrected());
            p.errorsByKind().forEach((kind, n) -> errors.merge(kind, n, Long::sum));
            live += p.live();
            failures += p.failures();
            down += p.down();
        }
        if (reporting == 0) {
            return;
        }
        Progress run = Progress.of(elapsed / 1e9, measuring, rate, latency, corrected, errors, live, reporting, failures, down);
        out.println(run.text(children.size()));
        if (stream != null) {
            stream.progress(run);
        }
    }

    private int finish() throws InterruptedException, IOException {
        List<ChildResult> parts = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        int lost = 0;
        for (Child c : children) {
            c.awaitOutput();
            String why = c.failure();
            if (why == null) {
                try {
                    parts.add(ChildResult.parse(c.result));
                    continue;
                } catch (IllegalArgumentException e) {
                    why = e.getMessage();
                }
            }
            failed.add("loadgen process " + c.index + " (pid " + c.process.pid() + ") gave no result: " + why
                    + "; its " + c.connections + " connections are counted as errors");
            lost += c.connections;
        }
        Results r = ChildResult.combine(s, parts, failed, lost);
        for (String line : failed) {
            if (!line.equals(r.firstErrors()[ErrorKind.OTHER.ordinal()])) {
                err.println(line);
            }
        }
        mergeLogs();
        return LoadgenCommand.report(r, out, err, stream);
    }

    /** The children's interval logs, in time order, as the one {@code --hlog} file; theirs are removed. */
    private void mergeLogs() throws IOException {
        if (s.hlog() == null) {
            return;
        }
        List<Histogram> all = new ArrayList<>();
        for (Child c : children) {
            Path log = childLog(c.index);
            if (Files.exists(log)) {
                all.addAll(HlogFile.read(log));
                Files.delete(log);
            }
        }
        all.sort(Comparator.comparingLong(Histogram::getStartTimeStamp));
        long start = all.isEmpty() ? System.currentTimeMillis() : all.getFirst().getStartTimeStamp();
        try (HlogFile log = HlogFile.open(s.hlog(), start)) {
            all.forEach(log.writer()::outputIntervalHistogram);
        }
    }

    /** One child process and what it has said so far. */
    private final class Child {
        final int index;
        final int connections;
        final ChildProcess child;
        final Process process;
        volatile String result;
        volatile Progress latest;

        Child(int index, int connections) throws IOException {
            this.index = index;
            this.connections = connections;
            this.child = ChildProcess.start(new ProcessBuilder(childCommand(index, connections)),
                    line -> line.startsWith(CONNECTED), this::stdout, null);
            this.process = child.process();
        }

        /** Its stdout: {@code #connected N}, one {@link Progress} a second, its {@link ChildResult}. */
        private void stdout(String line) {
            if (line.startsWith(ChildResult.PREFIX)) {
                result = line.substring(ChildResult.PREFIX.length());
            } else if (line.startsWith("{")) {
                latest = Progress.parse(line);
            }
        }

        void go() {
            child.send("go"); // false: it has ended, which its result (or the lack of one) reports
        }

        void awaitOutput() throws InterruptedException {
            child.awaitExit(Duration.ofSeconds(10));
        }

        /** Why this child has no result, or null if it has one. */
        String failure() {
            if (result != null) {
                return null;
            }
            String status = process.isAlive() ? "still running" : "exit status " + process.exitValue();
            List<String> said = child.lastLines();
            said = said.subList(Math.max(0, said.size() - 3), said.size());
            return said.isEmpty() ? status : status + ", last said: " + String.join(" / ", said);
        }
    }
}
