package dev.echolab.loadgen.output;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import org.HdrHistogram.Histogram;

import java.util.Locale;
import java.util.Map;

/**
 * One second of a run, as the load generator sees it: an object of {@code --json-stream} and the
 * line a {@code --processes} child hands its parent each second (JSON Lines), written and read
 * here; {@link #text} is the progress line a person reads.
 *
 * @param schema       {@value #SCHEMA}: raised when a key changes meaning or goes
 * @param type         {@value #TYPE}: tells these objects from the report that ends a stream
 * @param elapsedS     seconds since the load started (every connection open), warm-up included
 * @param phase        {@code warm-up} or {@code measuring}
 * @param msgsPerS     verified messages per second over the last second
 * @param latency      the last second's round trips from the actual send; null when none completed
 * @param corrected    open loop: the same from the intended send time; null in the closed loop or when none completed
 * @param errorsByKind errors so far, by kind (the report's {@code errors_by_kind})
 * @param live         connections still open
 * @param processes    load-generator processes whose figures are in this object: 1, or with
 *                     {@code --processes} those still running; their percentiles are then the
 *                     highest of theirs, an upper bound of the run's
 * @param failures     failures of connections that were up, so far (docs/loadgen.md, "Faults")
 * @param down         connections without service now: failed and not reconnected (yet)
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Progress(int schema, String type, double elapsedS, String phase, double msgsPerS, Percentiles latency,
                       Percentiles corrected, Map<String, Long> errorsByKind, long live, int processes,
                       long failures, long down) {

    public static final int SCHEMA = 1;
    public static final String TYPE = "progress";
    static final String WARM_UP = "warm-up";
    static final String MEASURING = "measuring";

    /** Round-trip percentiles of one second, in microseconds. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Percentiles(long p50Us, long p99Us, long p999Us) {

        /** The histogram's, or null when it holds nothing (or there is none). */
        public static Percentiles of(Histogram h) {
            return h == null || h.getTotalCount() == 0 ? null
                    : new Percentiles(h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getValueAtPercentile(99.9));
        }

        /** Each the higher of the two: an upper bound of the percentiles of both together. */
        public static Percentiles max(Percentiles a, Percentiles b) {
            return a == null ? b : b == null ? a
                    : new Percentiles(Math.max(a.p50Us, b.p50Us), Math.max(a.p99Us, b.p99Us), Math.max(a.p999Us, b.p999Us));
        }
    }

    public static Progress of(double elapsedS, boolean measuring, double msgsPerS, Percentiles latency, Percentiles corrected,
                       Map<String, Long> errorsByKind, long live, int processes, long failures, long down) {
        return new Progress(SCHEMA, TYPE, JsonReport.round(elapsedS), measuring ? MEASURING : WARM_UP,
                JsonReport.round(msgsPerS), latency, corrected, errorsByKind, live, processes, failures, down);
    }

    public boolean measuring() {
        return MEASURING.equals(phase);
    }

    /** Errors so far, every kind. */
    public long errors() {
        return errorsByKind.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The progress line: {@code [  Ns] PHASE  M msgs/s  p99 P us  errors E  live L};
     * for the processes of a {@code --processes} run ({@code of} of them) the percentiles are upper
     * bounds ({@code p99 <= 12887 us}) and the line ends with {@code (k of N processes)}. Once a
     * connection has failed, {@code  failures F down D} follows {@code live L}.
     */
    public String text(int of) {
        String bound = of > 1 ? "<= " : "";
        String p99 = latency == null ? "-" : Long.toString(latency.p99Us);
        String open = corrected == null ? "" : " (corrected " + bound + corrected.p99Us + " us)";
        String faults = failures == 0 ? "" : "  failures " + failures + " down " + down;
        return String.format(Locale.ROOT, "[%4.0fs] %-9s %10.0f msgs/s  p99 %s%s us%s  errors %d  live %d%s%s", elapsedS, phase,
                msgsPerS, bound, p99, open, errors(), live, faults, of > 1 ? "  (" + processes + " of " + of + " processes)" : "");
    }

    /** The object, on one line. */
    public String toJson() {
        try {
            return JsonReport.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("progress that Jackson cannot write: " + e.getMessage(), e);
        }
    }

    /**
     * Reads one object.
     *
     * @throws IllegalArgumentException if it is not a progress object of this schema
     */
    public static Progress parse(String json) {
        Progress p;
        try {
            p = JsonReport.MAPPER.readValue(json, Progress.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a progress object: " + e.getOriginalMessage(), e);
        }
        if (p.schema != SCHEMA || !TYPE.equals(p.type)) {
            throw new IllegalArgumentException("not a progress object of schema " + SCHEMA + ": " + json);
        }
        return p;
    }
}
