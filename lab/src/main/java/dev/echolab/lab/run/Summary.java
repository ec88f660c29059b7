package dev.echolab.lab.run;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The repetitions of one case (backend, scenario, connections, work) folded into one row: the
 * median of each figure, the worst status, the largest error counts. Runs the lab judged
 * disturbed ({@link Verdict}) are left out of the figures and counted in {@code disturbed} (errors
 * and the status still see every run); {@code loadgenBound} counts the runs whose msgs/s measured
 * the load generator.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record Summary(String backend, boolean reference, String scenario, int connections, String work, int runs,
               CaseResult.Status status, String failure,
               Double msgsPerS, Double cpuUsPerMsg, Double serverCpuPct, Long p50Us, Long p90Us, Long p99Us,
               Long p999Us, Long maxUs, Long errors, Long mismatches, Long starved, Integer threads,
               Double rssMb, Double rssPerConnectionKb, Double threadsPerConnection, Double idleCpuPct,
               Double loadgenCpuPct, boolean loadgenSaturated, int disturbed, int loadgenBound) {

    public static List<Summary> of(List<CaseResult> results) {
        Map<String, List<CaseResult>> groups = new LinkedHashMap<>();
        for (CaseResult r : results) {
            groups.computeIfAbsent(r.backend + "|" + r.scenario + "|" + r.connections + "|" + r.work,
                    k -> new ArrayList<>()).add(r);
        }
        List<Summary> rows = new ArrayList<>();
        for (List<CaseResult> g : groups.values()) {
            rows.add(fold(g));
        }
        return rows;
    }

    private static Summary fold(List<CaseResult> all) {
        CaseResult first = all.get(0);
        CaseResult worst = all.stream().max(Comparator.comparing(r -> r.status)).orElseThrow();
        List<CaseResult> g = all.stream().filter(r -> r.verdict != Verdict.Kind.DISTURBED).toList();
        return new Summary(first.backend, first.reference, first.scenario, first.connections, first.work, all.size(),
                worst.status, worst.failure,
                median(g, r -> r.msgsPerS), median(g, r -> r.serverCpuUsPerMsg), median(g, r -> r.serverCpuPct),
                medianLong(g, r -> r.p50Us), medianLong(g, r -> r.p90Us), medianLong(g, r -> r.p99Us),
                medianLong(g, r -> r.p999Us), medianLong(g, r -> r.maxUs),
                max(all, r -> r.errors), max(all, r -> r.mismatches), max(all, r -> r.starvedConnections),
                g.stream().map(r -> r.serverThreadsPeak).filter(Objects::nonNull).max(Integer::compare).orElse(null),
                median(g, r -> r.serverRssMbPeak), median(g, r -> r.rssPerConnectionKb),
                median(g, r -> r.threadsPerConnection), median(g, r -> r.idleCpuPct), median(g, r -> r.loadgenCpuPct),
                g.stream().anyMatch(r -> Boolean.TRUE.equals(r.loadgenSaturated)),
                all.size() - g.size(), (int) g.stream().filter(r -> r.verdict == Verdict.Kind.LOADGEN_BOUND).count());
    }

    public static <T> Double median(List<T> g, Function<T, Double> f) {
        List<Double> v = g.stream().map(f).filter(Objects::nonNull).sorted().toList();
        if (v.isEmpty()) {
            return null;
        }
        int m = v.size() / 2;
        return v.size() % 2 == 1 ? v.get(m) : (v.get(m - 1) + v.get(m)) / 2;
    }

    private static Long medianLong(List<CaseResult> g, Function<CaseResult, Long> f) {
        Double d = median(g, r -> f.apply(r) == null ? null : f.apply(r).doubleValue());
        return d == null ? null : Math.round(d);
    }

    private static Long max(List<CaseResult> g, Function<CaseResult, Long> f) {
        return g.stream().map(f).filter(Objects::nonNull).max(Long::compare).orElse(null);
    }

    /** The per-case progress line: what a reader wants to see scroll by. */
    public static String oneLine(CaseResult c) {
        if (c.status == CaseResult.Status.failed) {
            return c.failure;
        }
        if (c.scenario.equals("idle")) {
            return String.format("%s KB and %s threads per connection, idle CPU %s%%",
                    fmt(c.rssPerConnectionKb, 1), fmt(c.threadsPerConnection, 3), fmt(c.idleCpuPct, 1));
        }
        return String.format("%s msgs/s, server %s us/msg, p99 %s us, errors %s, no reply %s; CPU %% of a core: server %s, load generator %s%s, other %s%s",
                fmt(c.msgsPerS, 0), fmt(c.serverCpuUsPerMsg, 2), c.p99Us, c.errors, c.starvedConnections,
                fmt(c.serverCpuPct, 0), fmt(c.loadgenCpuPct, 0), Boolean.TRUE.equals(c.loadgenSaturated) ? " (saturated)" : "",
                fmt(c.otherLoadPct, 0), c.verdict == null || c.verdict == Verdict.Kind.OK ? "" : "; " + c.verdict + ": " + c.verdictReason);
    }

    public static String fmt(Double v, int decimals) {
        return v == null ? "-" : String.format("%,." + decimals + "f", v);
    }
}
