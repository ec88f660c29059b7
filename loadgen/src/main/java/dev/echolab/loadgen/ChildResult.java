package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * What one child of {@link LoadgenProcesses} hands its parent at the end: the counters, the first
 * error of each kind, the messages of every connection that came up (for fairness over all
 * connections) and the whole histograms (HdrHistogram's compressed encoding, base64), so the
 * parent adds histograms with HdrHistogram's own {@code add} rather than averaging percentiles.
 * Lines on the child's stdout, each starting with {@value #PREFIX}, the last one {@code #result end}.
 */
record ChildResult(Map<String, Double> counts, long[] errors, String[] firstErrors, long[] perConnection,
                   Map<String, Histogram> histograms) {

    static final String PREFIX = "#result ";
    static final String END = PREFIX + "end";
    private static final List<String> COUNTS = List.of("up", "connect_s", "verified", "messages", "bytes", "seconds",
            "cpu_s", "cpu_pct", "start_ms", "end_ms", "no_reply", "jit_ms", "gc_count", "gc_ms");

    /** Writes {@code r} and the histograms behind it as {@code #result} lines. */
    static void print(PrintStream out, Results r, Run run, Monitor monitor, Histogram connectTimes) {
        double[] values = {r.connectionsUp(), r.connectSeconds(), r.verified(), r.messages(), r.bytes(), r.seconds(),
                r.cpu().seconds(), r.cpu().percentOfOneCore(), r.measureStartEpochMs(), r.measureEndEpochMs(),
                r.fairness().noReply(), r.self().jitMillis(), r.self().gcCount(), r.self().gcMillis()};
        StringBuilder line = new StringBuilder(PREFIX).append("counts");
        for (int i = 0; i < values.length; i++) {
            line.append(' ').append(COUNTS.get(i)).append('=').append(values[i]);
        }
        out.println(line);
        out.println(PREFIX + "errors " + join(r.errors()));
        for (ErrorKind k : ErrorKind.values()) {
            String first = r.firstErrors()[k.ordinal()];
            if (first != null) {
                out.println(PREFIX + "first " + k.key() + " " + first.replace('\n', ' '));
            }
        }
        boolean[] up = run.up();
        long[] measured = run.measuredPerConnection();
        long[] perConnection = new long[r.connectionsUp()];
        for (int i = 0, n = 0; i < up.length; i++) {
            if (up[i]) {
                perConnection[n++] = measured[i];
            }
        }
        out.println(PREFIX + "fairness " + join(perConnection));
        Histogram none = new Histogram(3);
        hist(out, "connect", connectTimes);
        hist(out, "latency", monitor == null ? none : monitor.latency);
        if (r.settings().openLoop()) {
            hist(out, "corrected", monitor == null ? none : monitor.corrected);
            hist(out, "lateness", monitor == null ? none : monitor.sendLateness);
        }
        if (r.self().held() != null) {
            hist(out, "held", monitor == null ? none : monitor.held);
            hist(out, "loop_turns", monitor == null ? none : monitor.loopTurns);
        }
        out.println(END);
        out.flush();
    }

    private static void hist(PrintStream out, String name, Histogram h) {
        out.println(PREFIX + "hist " + name + " " + encode(h));
    }

    /** HdrHistogram's compressed encoding, in base64. */
    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(b.array(), n));
    }

    private static String join(long[] values) {
        StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(b.isEmpty() ? "" : ",").append(v);
        }
        return b.toString();
    }

    /**
     * Reads the {@code #result} lines of one child, without their prefix.
     *
     * @throws IllegalArgumentException if they are incomplete or garbled
     */
    static ChildResult parse(List<String> lines) {
        Map<String, Double> counts = new HashMap<>();
        long[] errors = null;
        String[] first = new String[ErrorKind.values().length];
        long[] perConnection = null;
        Map<String, Histogram> histograms = new HashMap<>();
        try {
            for (String line : lines) {
                String[] f = line.split(" ", 3);
                switch (f[0]) {
                    case "counts" -> {
                        for (String kv : line.substring("counts ".length()).split(" ")) {
                            String[] p = kv.split("=", 2);
                            counts.put(p[0], Double.parseDouble(p[1]));
                        }
                    }
                    case "errors" -> errors = longs(f[1]);
                    case "first" -> first[kind(f[1]).ordinal()] = f[2];
                    case "fairness" -> perConnection = f.length < 2 ? new long[0] : longs(f[1]);
                    case "hist" -> histograms.put(f[1], Histogram.decodeFromCompressedByteBuffer(
                            ByteBuffer.wrap(Base64.getDecoder().decode(f[2])), 0));
                    default -> { } // a newer child's line this parent does not know: not needed
                }
            }
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("garbled result line: " + e.getMessage(), e);
        }
        if (!counts.keySet().containsAll(COUNTS) || errors == null || errors.length != first.length
                || perConnection == null || !histograms.containsKey("latency") || !histograms.containsKey("connect")) {
            throw new IllegalArgumentException("incomplete result");
        }
        return new ChildResult(counts, errors, first, perConnection, histograms);
    }

    private static ErrorKind kind(String key) {
        for (ErrorKind k : ErrorKind.values()) {
            if (k.key().equals(key)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown error kind " + key);
    }

    private static long[] longs(String csv) {
        return csv.isEmpty() ? new long[0] : Arrays.stream(csv.split(",")).mapToLong(Long::parseLong).toArray();
    }

    double count(String key) {
        return counts.get(key);
    }

    /**
     * The parent's one result: counters summed, histograms added, fairness over every connection of
     * every child. {@code failed} holds one line for each child that gave no result, and its
     * connections ({@code lost}), which are counted as {@link ErrorKind#OTHER}: a child that failed
     * is reported, never left out quietly.
     */
    static Results combine(Settings s, List<ChildResult> parts, List<String> failed, int lost) {
        long[] errors = new long[ErrorKind.values().length];
        String[] first = new String[errors.length];
        List<Long> counts = new ArrayList<>();
        Map<String, Histogram> sums = new HashMap<>();
        double up = 0, connectSeconds = 0, verified = 0, messages = 0, bytes = 0, seconds = 0, cpuSeconds = 0, cpuPct = 0;
        double start = Double.MAX_VALUE, end = 0, noReply = 0, jit = 0, gcCount = 0, gcMillis = 0;
        for (ChildResult p : parts) {
            up += p.count("up");
            connectSeconds = Math.max(connectSeconds, p.count("connect_s"));
            verified += p.count("verified");
            messages += p.count("messages");
            bytes += p.count("bytes");
            seconds = Math.max(seconds, p.count("seconds"));
            cpuSeconds += p.count("cpu_s");
            cpuPct += p.count("cpu_pct");
            noReply += p.count("no_reply");
            jit += p.count("jit_ms");
            gcCount += p.count("gc_count");
            gcMillis += p.count("gc_ms");
            if (p.count("end_ms") > 0) {
                start = Math.min(start, p.count("start_ms"));
                end = Math.max(end, p.count("end_ms"));
            }
            for (int k = 0; k < errors.length; k++) {
                errors[k] += p.errors[k];
                first[k] = first[k] == null ? p.firstErrors[k] : first[k];
            }
            Arrays.stream(p.perConnection).forEach(counts::add);
            p.histograms.forEach((name, h) -> sums.computeIfAbsent(name, x -> new Histogram(3)).add(h));
        }
        errors[ErrorKind.OTHER.ordinal()] += lost;
        if (!failed.isEmpty() && first[ErrorKind.OTHER.ordinal()] == null) {
            first[ErrorKind.OTHER.ordinal()] = failed.getFirst();
        }
        Results.Fairness fairness = Results.Fairness.of(counts.stream().mapToLong(Long::longValue).toArray(), (int) noReply);
        int cores = Runtime.getRuntime().availableProcessors();
        Results.Cpu cpu = new Results.Cpu(cpuSeconds, cpuPct, cores, cpuPct > 90.0 * cores);
        Histogram none = new Histogram(3);
        // The JIT and GC of all the processes together; replies held and loop turns over all of them (nio driver).
        Results.Self self = new Results.Self((long) jit, (long) gcCount, (long) gcMillis,
                sums.containsKey("held") ? Results.Percentiles.of(sums.get("held")) : null,
                sums.containsKey("loop_turns") ? Results.Percentiles.of(sums.get("loop_turns")) : null);
        return new Results(s, (int) up, connectSeconds, Results.Percentiles.of(sums.getOrDefault("connect", none)),
                (long) verified, (long) messages, (long) bytes, seconds,
                Results.Percentiles.of(sums.getOrDefault("latency", none)),
                s.openLoop() ? Results.Percentiles.of(sums.getOrDefault("corrected", none)) : null,
                s.openLoop() ? Results.Percentiles.of(sums.getOrDefault("lateness", none)) : null,
                errors, first, fairness, cpu, self, start == Double.MAX_VALUE ? 0 : (long) start, (long) end);
    }
}
