package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.echolab.common.Durations;
import dev.echolab.loadgen.output.Report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run must achieve beyond correctness ({@code --max-p99}, {@code --max-p999},
 * {@code --min-rate}, {@code --max-errors}), judged on the measured interval. A target missed makes
 * the exit status {@value #MISSED}; a run that failed outright (exit 1) stays a failure whatever
 * its targets say.
 *
 * <p>The latency targets judge the latency a user of the server sees: in an open loop the
 * corrected latency (from the intended send time), in a closed loop the round trip.
 *
 * @param maxP99    bound on the p99, or null for none
 * @param maxP999   bound on the p99.9, or null for none
 * @param minRate   least messages per second, or 0 for none
 * @param maxErrors most errors of every kind together, or -1 for none; with it, errors up to the
 *                  bound no longer fail the run (mismatches always do)
 */
public record Targets(Duration maxP99, Duration maxP999, double minRate, long maxErrors) {

    /** The exit status of a run that missed a target. */
    public static final int MISSED = 3;
    public static final Targets NONE = new Targets(null, null, 0, -1);

    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * One target's verdict, as the report prints it and the JSON carries it.
     *
     * @param option   the option that set it, e.g. {@code --max-p99}
     * @param measured what the measured interval gave, in {@code unit}
     * @param bound    the bound, in {@code unit}
     * @param unit     {@code us}, {@code msgs/s} or {@code errors}
     * @param ok       whether the run met it
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Verdict(String option, double measured, double bound, String unit, boolean ok) {

        /** {@code Target --max-p99: measured 812 us, bound 10000 us: ok}. */
        public String text() {
            return String.format(Locale.ROOT, "Target %s: measured %s %s, bound %s %s: %s", option,
                    Report.decimal(measured), unit, Report.decimal(bound), unit, ok ? "ok" : "missed");
        }
    }

    /** The verdict on each target set, in the order of the options above. */
    public List<Verdict> judge(Results r) {
        List<Verdict> v = new ArrayList<>();
        Results.Percentiles latency = r.corrected() != null ? r.corrected() : r.latency();
        if (maxP99 != null) {
            v.add(atMost("--max-p99", latency.p99(), micros(maxP99), "us"));
        }
        if (maxP999 != null) {
            v.add(atMost("--max-p999", latency.p999(), micros(maxP999), "us"));
        }
        if (minRate > 0) {
            double rate = Math.round(r.msgsPerSecond() * 100) / 100.0;
            v.add(new Verdict("--min-rate", rate, minRate, "msgs/s", rate >= minRate));
        }
        if (maxErrors >= 0) {
            v.add(atMost("--max-errors", r.allErrors(), maxErrors, "errors"));
        }
        return v;
    }

    private static Verdict atMost(String option, double measured, double bound, String unit) {
        return new Verdict(option, measured, bound, unit, measured <= bound);
    }

    /** A bound in whole microseconds, the unit of the histograms (a fraction of one rounds up). */
    private static long micros(Duration d) {
        return (d.toNanos() + 999) / 1000;
    }

    /** These targets as the options that set them. */
    void addArguments(List<String> a) {
        if (maxP99 != null) {
            a.addAll(List.of("--max-p99", Durations.format(maxP99)));
        }
        if (maxP999 != null) {
            a.addAll(List.of("--max-p999", Durations.format(maxP999)));
        }
        if (minRate > 0) {
            a.addAll(List.of("--min-rate", Report.decimal(minRate)));
        }
        if (maxErrors >= 0) {
            a.addAll(List.of("--max-errors", Long.toString(maxErrors)));
        }
    }
}
