package dev.echolab.loadgen.processes;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Monitor;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.output.JsonReport;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.DataFormatException;

/**
 * What one child of {@link LoadgenProcesses} hands its parent at the end, as one line on its
 * stdout ({@value #PREFIX} and a JSON object), written and read here: the child's own
 * {@link JsonReport}, what the report rounds or leaves out (bytes, measured seconds, CPU), the
 * measured messages of every connection that came up (for fairness over all connections) and the
 * whole histograms (HdrHistogram's compressed encoding, base64), so the parent adds histograms with
 * HdrHistogram's own {@code add} rather than averaging percentiles.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record ChildResult(JsonReport report, long bytes, double seconds, double cpuSeconds, double cpuPct,
                   List<Long> perConnection, Map<String, String> histograms) {

    public static final String PREFIX = "#result ";

    /** The child's result from its {@code Results} and the histograms behind them. */
    public static ChildResult of(Results r, Run run, Monitor monitor, Histogram connectTimes) {
        boolean[] up = run.up();
        long[] measured = run.measuredPerConnection();
        List<Long> perConnection = new ArrayList<>(r.connectionsUp());
        for (int i = 0; i < up.length; i++) {
            if (up[i]) {
                perConnection.add(measured[i]);
            }
        }
        Map<String, String> hist = new LinkedHashMap<>();
        Histogram none = new Histogram(3);
        hist.put("connect", encode(connectTimes));
        hist.put("latency", encode(monitor == null ? none : monitor.latency));
        if (r.settings().openLoop()) {
            hist.put("corrected", encode(monitor == null ? none : monitor.corrected));
            hist.put("lateness", encode(monitor == null ? none : monitor.sendLateness));
        }
        if (r.self().held() != null) {
            hist.put("held", encode(monitor == null ? none : monitor.held));
            hist.put("loop_turns", encode(monitor == null ? none : monitor.loopTurns));
        }
        return new ChildResult(JsonReport.of(r), r.bytes(), r.seconds(), r.cpu().seconds(), r.cpu().percentOfOneCore(),
                perConnection, hist);
    }

    /** The line on the child's stdout. */
    public String line() {
        return PREFIX + JsonReport.line(this);
    }

    public void print(PrintStream out) {
        out.println(line());
        out.flush();
    }

    /**
     * Reads a child's result line, without its prefix.
     *
     * @throws IllegalArgumentException if it is incomplete or garbled
     */
    public static ChildResult parse(String json) {
        ChildResult r = JsonReport.read(json, ChildResult.class, "a child's result line");
        if (!r.histograms.containsKey("latency") || !r.histograms.containsKey("connect")) {
            throw new IllegalArgumentException("incomplete result: no latency or connect histogram");
        }
        return r;
    }

    /** HdrHistogram's compressed encoding, in base64. */
    public static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        return Base64.getEncoder().encodeToString(Arrays.copyOf(b.array(), n));
    }

    public static Histogram decode(String base64) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 0);
        } catch (DataFormatException | RuntimeException e) {
            throw new IllegalArgumentException("garbled histogram: " + e.getMessage(), e);
        }
    }

    /**
     * The parent's one result: counters summed, histograms added, fairness over every connection of
     * every child. {@code failed} holds one line for each child that gave no result, and its
     * connections ({@code lost}), which are counted as {@link ErrorKind#OTHER}: a child that failed
     * is reported, never left out quietly.
     */
    public static Results combine(Settings s, List<ChildResult> parts, List<String> failed, int lost) {
        long[] errors = new long[ErrorKind.values().length];
        String[] first = new String[errors.length];
        List<Long> counts = new ArrayList<>();
        Map<String, Histogram> sums = new HashMap<>();
        long up = 0, connects = 0, verified = 0, messages = 0, bytes = 0, noReply = 0, jit = 0, gcCount = 0, gcMillis = 0;
        double connectSeconds = 0, seconds = 0, cpuSeconds = 0, cpuPct = 0;
        long start = Long.MAX_VALUE, end = 0;
        Results.Faults faults = null;
        for (ChildResult p : parts) {
            JsonReport r = p.report;
            faults = add(faults, r.faults().figures());
            up += r.connections();
            connectSeconds = Math.max(connectSeconds, r.connectS());
            connects += r.connects();
            verified += r.verified();
            messages += r.msgs();
            bytes += p.bytes;
            seconds = Math.max(seconds, p.seconds);
            cpuSeconds += p.cpuSeconds;
            cpuPct += p.cpuPct;
            noReply += r.fairness().noReply();
            jit += r.self().jitMs();
            gcCount += r.self().gcCount();
            gcMillis += r.self().gcMs();
            if (r.measureEndEpochMs() > 0) {
                start = Math.min(start, r.measureStartEpochMs());
                end = Math.max(end, r.measureEndEpochMs());
            }
            for (ErrorKind k : ErrorKind.values()) {
                errors[k.ordinal()] += r.errorsByKind().getOrDefault(k.key(), 0L);
                first[k.ordinal()] = first[k.ordinal()] == null ? r.firstErrors().get(k.key()) : first[k.ordinal()];
            }
            counts.addAll(p.perConnection);
            p.histograms.forEach((name, h) -> sums.computeIfAbsent(name, x -> new Histogram(3)).add(decode(h)));
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
        Results.Self self = new Results.Self(jit, gcCount, gcMillis,
                sums.containsKey("held") ? Results.Percentiles.of(sums.get("held")) : null,
                sums.containsKey("loop_turns") ? Results.Percentiles.of(sums.get("loop_turns")) : null);
        return new Results(s, (int) up, connectSeconds, Results.Percentiles.of(sums.getOrDefault("connect", none)),
                connects, verified, messages, bytes, seconds,
                Results.Percentiles.of(sums.getOrDefault("latency", none)),
                s.openLoop() ? Results.Percentiles.of(sums.getOrDefault("corrected", none)) : null,
                s.openLoop() ? Results.Percentiles.of(sums.getOrDefault("lateness", none)) : null,
                errors, first, fairness, cpu, self, start == Long.MAX_VALUE ? 0 : start, end, null,
                faults == null ? new Results.Faults(s.reconnectAttempts(), new long[errors.length], 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) : faults);
    }

    /** Two children's fault figures together: every count and the seconds without service summed. */
    private static Results.Faults add(Results.Faults a, Results.Faults b) {
        if (a == null) {
            return b;
        }
        long[] failures = a.failures().clone();
        for (int i = 0; i < failures.length; i++) {
            failures[i] += b.failures()[i];
        }
        return new Results.Faults(a.reconnectAttempts(), failures, a.recovered() + b.recovered(),
                a.lostConnections() + b.lostConnections(), a.downSeconds() + b.downSeconds(),
                Math.max(a.downMaxSeconds(), b.downMaxSeconds()), a.sentMessages() + b.sentMessages(),
                a.echoedMessages() + b.echoedMessages(), a.failedMessages() + b.failedMessages(), a.sentBytes() + b.sentBytes(),
                a.echoedBytes() + b.echoedBytes(), a.failedBytes() + b.failedBytes());
    }
}
