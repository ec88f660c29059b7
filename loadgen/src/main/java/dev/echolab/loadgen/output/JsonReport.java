package dev.echolab.loadgen.output;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.LoadgenCommand;
import dev.echolab.loadgen.Results;
import dev.echolab.loadgen.ServerCost;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.Targets;
import dev.echolab.loadgen.processes.ChildResult;
import dev.echolab.loadgen.processes.LoadgenProcesses;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --json} document, written and read by this one type: by {@link LoadgenCommand} (and
 * the {@code --processes} parent) to write it, by each child of {@link LoadgenProcesses} inside
 * its {@link ChildResult}, by {@code --json-stream} as its last object, and by the lab to read a run.
 * The components are the keys, in snake case and in this order (Jackson binds them).
 *
 * <p>Top-level keys that also appear in {@code ref-load}'s JSON line ({@code connections},
 * {@code msgs_per_s}, {@code mb_per_s}, {@code p50_us}, {@code p90_us}, {@code p99_us},
 * {@code p999_us}, {@code max_us}, {@code errors}, {@code mismatches}, and {@code msgs},
 * {@code duration_s}, {@code warmup_s}, {@code connect_s}, {@code msg_bytes}, {@code cpu_pct},
 * {@code mean_us}) mean the same thing in both, so results of the two tools line up; the rest is
 * nested by topic. Measured figures are rounded to two decimals; the settings' durations are exact.
 * The schema is documented in docs/loadgen.md.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record JsonReport(int connections, double msgsPerS, double mbPerS, long p50Us, long p75Us, long p90Us,
                         long p99Us, long p999Us, long maxUs, double meanUs, long errors, long mismatches,
                         int connectionsRequested, long msgs, long verified, double durationS, double warmupS,
                         double connectS, long connects, double connectsPerS, long measureStartEpochMs,
                         long measureEndEpochMs, double msgBytes,
                         double cpuPct, Latency corrected, Latency sendLateness, Map<String, Long> errorsByKind,
                         Map<String, String> firstErrors, Connect connect, Fairness fairness, Cpu cpu, Self self,
                         Faults faults, RunSettings settings, ServerCost.Figures server, List<Targets.Verdict> targets,
                         int exitStatus) {

    /** Reads and writes every cross-process JSON of the load generator; a missing key is an error, not a 0. */
    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .registerModule(new SimpleModule().addSerializer(Double.class, new PlainDouble())
                    .addSerializer(double.class, new PlainDouble()));

    /**
     * Doubles without an exponent ({@code 12500000.0}, not {@code 1.25E7}): the shortest decimal
     * that reads back as the same double, so a reader that takes digits and a point (a shell
     * script, a spreadsheet) reads every figure.
     */
    private static final class PlainDouble extends StdSerializer<Double> {
        PlainDouble() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (Double.isFinite(value)) {
                gen.writeNumber(BigDecimal.valueOf(value).toPlainString());
            } else {
                gen.writeNumber(value);
            }
        }
    }

    /** Latency figures in microseconds. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Latency(long p50Us, long p75Us, long p90Us, long p99Us, long p999Us, long maxUs, double meanUs) {
        public static Latency of(Results.Percentiles p) {
            return p == null ? null : new Latency(p.p50(), p.p75(), p.p90(), p.p99(), p.p999(), p.max(), round(p.mean()));
        }
    }

    /** The connect phase: its seconds and the per-connection connect times. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Connect(double seconds, double meanUs, long p50Us, long p99Us, long maxUs) {
    }

    /**
     * Measured messages per connection (min, median, max), the connections that never got a reply,
     * and those that completed no message in the measured interval.
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Fairness(long minMsgs, long medianMsgs, long maxMsgs, int noReply, int unserved) {
    }

    /** The load generator's own CPU over the measurement. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Cpu(double seconds, double pctOfOneCore, int cores, boolean saturated) {
    }

    /** The load generator's JIT and GC over the measurement; replies held and loop turns (nio driver, else null). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Self(long jitMs, long gcCount, long gcMs, Latency held, Latency loopTurns) {
    }

    /**
     * What faults cost the run ({@link Results.Faults}; docs/loadgen.md, "Faults"): failures by kind,
     * outages recovered, connections lost, seconds without service and availability over the
     * measurement, messages and bytes sent, echoed, failed with their socket, and lost (must be 0).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Faults(int reconnectAttempts, long failures, Map<String, Long> failuresByKind, long recovered,
                         long connectionsLost, double downS, double downMaxS, double availability, long sentMsgs, long echoedMsgs,
                         long failedMsgs, long lostMsgs, long sentBytes, long echoedBytes, long failedBytes, long lostBytes) {

        public static Faults of(Results.Faults f, int connectionsUp, double seconds) {
            Map<String, Long> byKind = new LinkedHashMap<>();
            for (ErrorKind k : ErrorKind.values()) {
                byKind.put(k.key(), f.failures(k));
            }
            return new Faults(f.reconnectAttempts(), f.failureTotal(), byKind, f.recovered(), f.lostConnections(),
                    Math.round(f.downSeconds() * 1000) / 1000.0, Math.round(f.downMaxSeconds() * 1000) / 1000.0, Math.round(f.availability(connectionsUp, seconds) * 1e6) / 1e6,
                    f.sentMessages(), f.echoedMessages(), f.failedMessages(), f.lostMessages(), f.sentBytes(), f.echoedBytes(),
                    f.failedBytes(), f.lostBytes());
        }

        /** Back to the figures, to add a child's to the others' ({@code --processes}). */
        public Results.Faults figures() {
            long[] byKind = new long[ErrorKind.values().length];
            for (ErrorKind k : ErrorKind.values()) {
                byKind[k.ordinal()] = failuresByKind.getOrDefault(k.key(), 0L);
            }
            return new Results.Faults(reconnectAttempts, byKind, recovered, connectionsLost, downS, downMaxS, sentMsgs, echoedMsgs,
                    failedMsgs, sentBytes, echoedBytes, failedBytes);
        }
    }

    /** The run's {@link Settings}, durations in seconds (exact). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record RunSettings(String host, int port, int connections, String driver, int selectors, double durationS,
                              double warmupS, long messages, int size, int pipeline, double rate, double rampS,
                              double connectTimeoutS, double timeoutS, int processes, String source, double connectRate,
                              long reconnectEvery, int reconnectAttempts) {
        public static RunSettings of(Settings s) {
            return new RunSettings(s.host(), s.port(), s.connections(), s.driver().id(), s.selectors(),
                    seconds(s.duration()), seconds(s.warmup()), s.messages(), s.size(), s.pipeline(), s.rate(),
                    seconds(s.ramp()), seconds(s.connectTimeout()), seconds(s.timeout()), s.processes(),
                    s.sources().text(), s.connectRate(), s.reconnectEvery(), s.reconnectAttempts());
        }
    }

    public static JsonReport of(Results r) {
        Settings s = r.settings();
        Results.Percentiles l = r.latency();
        Map<String, Long> byKind = new LinkedHashMap<>();
        Map<String, String> first = new LinkedHashMap<>();
        for (ErrorKind k : ErrorKind.values()) {
            byKind.put(k.key(), r.errors(k));
            if (r.firstErrors()[k.ordinal()] != null) {
                first.put(k.key(), r.firstErrors()[k.ordinal()]);
            }
        }
        Results.Percentiles c = r.connect();
        Results.Fairness f = r.fairness();
        Results.Cpu cpu = r.cpu();
        Results.Self self = r.self();
        return new JsonReport(r.connectionsUp(), round(r.msgsPerSecond()), round(r.megabytesPerSecond()), l.p50(), l.p75(),
                l.p90(), l.p99(), l.p999(), l.max(), round(l.mean()), r.errorsButMismatches(), r.errors(ErrorKind.MISMATCH),
                s.connections(), r.messages(), r.verified(), round(r.seconds()), seconds(s.effectiveWarmup()),
                round(r.connectSeconds()), r.connects(), round(r.connectsPerSecond()), r.measureStartEpochMs(),
                r.measureEndEpochMs(),
                round(r.messages() == 0 ? 0 : (double) r.bytes() / r.messages()), round(cpu.percentOfOneCore()),
                Latency.of(r.corrected()), Latency.of(r.sendLateness()), byKind, first,
                new Connect(round(r.connectSeconds()), round(c.mean()), c.p50(), c.p99(), c.max()),
                new Fairness(f.min(), f.median(), f.max(), f.noReply(), f.unserved()),
                new Cpu(round(cpu.seconds()), round(cpu.percentOfOneCore()), cpu.cores(), cpu.saturated()),
                new Self(self.jitMillis(), self.gcCount(), self.gcMillis(), Latency.of(self.held()), Latency.of(self.loopTurns())),
                Faults.of(r.faults(), r.connectionsUp(), r.seconds()), RunSettings.of(s), r.server(), r.targets(), r.exitStatus());
    }

    /** The document, on one line. */
    public String toJson() {
        return line(this);
    }

    /** Any of the load generator's JSON types ({@link Progress}, a child's result), on one line. */
    public static String line(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Jackson cannot write " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * One of the load generator's JSON types read from {@code json}.
     *
     * @throws IllegalArgumentException saying it is not {@code what} (a key missing, a value of the wrong type)
     */
    public static <T> T read(String json, Class<T> type, String what) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not " + what + ": " + e.getOriginalMessage(), e);
        }
    }

    /** Writes the document to {@code file}, one line. */
    public void write(Path file) throws IOException {
        Files.writeString(file, toJson() + "\n");
    }

    /**
     * Reads a document.
     *
     * @throws IllegalArgumentException if it is not one (a key missing, a value of the wrong type)
     */
    public static JsonReport parse(String json) {
        return read(json, JsonReport.class, "a load generator report");
    }

    /** Reads the {@code --json} file. */
    public static JsonReport read(Path file) throws IOException {
        return parse(Files.readString(file));
    }

    /** Two decimals: the precision of a report, and no binary noise ({@code 0.30000000000000004}) in it. */
    static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 100) / 100.0 : 0;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
