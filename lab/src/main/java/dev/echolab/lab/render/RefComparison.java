package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What {@code bench/compare-ref.sh} measured, read from the {@code results.jsonl} it writes, as the
 * tables it prints and {@code docs/performance.md} shows (render view {@code ref}): the one place
 * that turns those records into medians, ratios and floors.
 *
 * <p>The records, one JSON object a line: {@code {"run": {...}}} first (command, date, commit,
 * machine); {@code {"syscall_cost": {...}, "kit_us": x, "when": "start"|"end", "load1": x}} for each
 * measurement of a system call's cost; and one per server run: {@code server}, {@code for} (the
 * backend whose pair it belongs to), {@code case} ({@code dDEPTHcCONNECTIONS}), {@code pair} (a
 * number, or {@code counted}), {@code load1}, {@code counted}, {@code ref_load} (the C load
 * generator's JSON: {@code msgs_per_s}, {@code server_cpu_pct}) and, counted, {@code bill} (the
 * kernel bill of {@code bin/lab probe kernel-bill}). A pair run again replaces the earlier try.
 *
 * <p>A run counts only when its server was at least {@code saturated} % busy: CPU per message is
 * compared at saturation. Each ratio is taken within a pair (the two ran a minute apart on the same
 * machine), then the median, minimum and maximum over the pairs. The floor of a backend's model is
 * ref-echo's CPU per message less the calls per message it does not make, priced at the median
 * measured cost of one call.
 */
public final class RefComparison {

    static final String REF = "ref-echo";
    /** bench/compare-ref.sh's default SATURATED: the docs read its records with it. */
    static final double SATURATED = 80;
    private static final List<String> KINDS = List.of("read", "write", "epoll_wait", "epoll_ctl", "io_uring_enter", "futex",
            "poll_select", "accept", "sleep", "other", "total", "ctx_switches");

    private final JsonNode run;
    private final List<JsonNode> costs = new ArrayList<>();
    private final List<JsonNode> counted = new ArrayList<>();
    private final List<JsonNode> timed = new ArrayList<>();
    private final double saturated;
    /** (backend, case, pair) -> server -> us/msg, null when that run did not count. */
    private final Map<List<String>, Map<String, Double>> pairs = new LinkedHashMap<>();

    private RefComparison(List<JsonNode> records, double saturated) {
        this.saturated = saturated;
        JsonNode header = null;
        for (JsonNode r : records) {
            if (r.has("run")) {
                header = r.get("run");
            } else if (r.has("syscall_cost")) {
                costs.add(r);
            } else if (r.has("server")) {
                (r.path("counted").asBoolean() ? counted : timed).add(r);
            }
        }
        this.run = header;
        for (JsonNode r : timed) {
            pairs.computeIfAbsent(List.of(r.path("for").asText(), r.path("case").asText(), r.path("pair").asText()),
                    k -> new LinkedHashMap<>()).put(r.path("server").asText(), usPerMsg(r));
        }
    }

    /** The records of {@code file} ({@link Dataset#jsonLines}). */
    public static RefComparison read(Path file, double saturated) throws IOException {
        return new RefComparison(Dataset.jsonLines(file), saturated);
    }

    /** The run's own record (command, date, commit, machine), or an empty node. */
    public JsonNode run() {
        return run == null ? Dataset.JSON.createObjectNode() : run;
    }

    private Double usPerMsg(JsonNode r) {
        JsonNode lg = r.path("ref_load");
        if (r.path("failed").asBoolean() || lg.path("failed").asBoolean() || lg.path("msgs_per_s").asDouble() <= 0
                || !lg.hasNonNull("server_cpu_pct") || lg.path("server_cpu_pct").asDouble() < saturated) {
            return null; // failed, or disturbed: below saturation
        }
        return lg.path("server_cpu_pct").asDouble() / 100 / lg.path("msgs_per_s").asDouble() * 1e6;
    }

    private List<String> cases() {
        return timed.stream().map(r -> r.path("case").asText()).distinct()
                .sorted(Comparator.comparingInt((String c) -> Integer.parseInt(c.substring(c.indexOf('c') + 1)))
                        .thenComparingInt(c -> Integer.parseInt(c.substring(1, c.indexOf('c')))))
                .toList();
    }

    private List<String> backends() {
        return timed.stream().map(r -> r.path("for").asText()).distinct().toList();
    }

    /** The model references that ran in backend {@code s}'s pairs (ref-go, ref-gevent ...), in order. */
    private List<String> models(String s) {
        return timed.stream().filter(r -> r.path("for").asText().equals(s)).map(r -> r.path("server").asText())
                .filter(x -> !x.equals(REF) && !x.equals(s)).distinct().toList();
    }

    private List<Map<String, Double>> pairsOf(String s, String c) {
        return pairs.entrySet().stream().filter(e -> e.getKey().get(0).equals(s) && e.getKey().get(1).equals(c))
                .map(Map.Entry::getValue).toList();
    }

    /** num/den within each counted pair of backend s in case c; num's own figures; the number of pairs. */
    private record Ratios(List<Double> ratios, List<Double> own, int pairs) { }

    private Ratios ratios(String s, String c, String num, String den) {
        List<Double> got = new ArrayList<>();
        List<Double> own = new ArrayList<>();
        List<Map<String, Double>> all = pairsOf(s, c);
        for (Map<String, Double> p : all) {
            Double a = p.get(num);
            Double b = p.get(den);
            if (a != null && b != null) {
                got.add(a / b);
                own.add(a);
            }
        }
        return new Ratios(got, own, all.size());
    }

    private String loads(String s, String c) {
        List<Double> got = timed.stream().filter(r -> r.path("for").asText().equals(s) && r.path("case").asText().equals(c)
                && r.hasNonNull("load1")).map(r -> r.path("load1").asDouble()).toList();
        return got.isEmpty() ? "load ?" : String.format(Locale.ROOT, "load %.1f-%.1f", min(got), max(got));
    }

    private static String cell(Ratios r, String name, String load) {
        if (r.ratios().isEmpty()) {
            return "no saturated pair of " + r.pairs();
        }
        String n = r.ratios().size() < r.pairs() ? ", n=" + r.ratios().size() + "/" + r.pairs() : "";
        return f2(median(r.own())) + " (" + f2(median(r.ratios())) + "x " + name + " [" + f2(min(r.ratios())) + "-"
                + f2(max(r.ratios())) + "]" + n + (load.isEmpty() ? "" : ", " + load) + ")";
    }

    /** Every table of the comparison, in Markdown, as bench/compare-ref.sh prints it. */
    public String tables() {
        StringBuilder out = new StringBuilder();
        List<String> cases = cases();
        out.append("Server CPU us per echoed message (median), then the ratio within each pair: median [min-max], and the\n")
                .append("machine's 1-minute load average over those runs\n");
        List<String> header = new ArrayList<>(List.of("server"));
        header.addAll(cases);
        List<List<String>> rows = new ArrayList<>();
        for (String s : backends()) {
            List<String> row = new ArrayList<>(List.of(s));
            for (String c : cases) {
                List<String> parts = new ArrayList<>(List.of(cell(ratios(s, c, s, REF), REF, loads(s, c))));
                for (String m : models(s)) {
                    Ratios r = ratios(s, c, s, m);
                    parts.add(r.ratios().isEmpty() ? "no saturated pair with " + m
                            : f2(median(r.ratios())) + "x " + m + " [" + f2(min(r.ratios())) + "-" + f2(max(r.ratios())) + "]");
                }
                row.add(String.join("; ", parts));
            }
            rows.add(row);
        }
        out.append('\n').append(Views.table(header, rows));
        List<List<String>> refs = new ArrayList<>();
        for (String s : backends()) {
            for (String m : models(s)) {
                List<String> row = new ArrayList<>(List.of(m, s));
                cases.forEach(c -> row.add(cell(ratios(s, c, m, REF), REF, "")));
                refs.add(row);
            }
        }
        if (!refs.isEmpty()) {
            List<String> h = new ArrayList<>(List.of("reference", "in the pairs of"));
            h.addAll(cases);
            out.append("\nThe model references, from the same pairs: us/msg (ratio to ref-echo)\n\n").append(Views.table(h, refs));
        }
        out.append(floor());
        return out.toString();
    }

    /** The median measured cost of one call (us), or null when none was measured. */
    public Double callCost() {
        List<Double> us = costs.stream().filter(r -> r.path("syscall_cost").hasNonNull("us"))
                .map(r -> r.path("syscall_cost").path("us").asDouble()).toList();
        return us.isEmpty() ? null : median(us);
    }

    private String floor() {
        if (costs.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("\nOne system call on the server's CPU: ");
        List<String> each = new ArrayList<>();
        for (JsonNode r : costs) {
            JsonNode sc = r.path("syscall_cost");
            each.add(r.path("when").asText() + ": " + (sc.hasNonNull("us") ? sc.path("us").asText() : "?") + " us"
                    + (r.hasNonNull("kit_us") ? " (kit's syscall-cost.c: " + r.path("kit_us").asText() + " us)" : "")
                    + ", load " + r.path("load1").asText());
        }
        out.append(String.join(", ", each)).append('\n');
        Double cost = callCost();
        if (cost == null) {
            return out.append("no system-call cost measured: no floor\n").toString();
        }
        out.append("\nThe floor of each backend's model: ref-echo's us/msg less (ref-echo's calls/msg - the backend's) x ")
                .append(String.format(Locale.ROOT, "%.3f", cost)).append(" us\n")
                .append("(the median call cost above), within each pair; calls/msg from one counted run each (perf stat on tracepoints,\n")
                .append("bin/lab probe kernel-bill), not timed\n\n");
        List<List<String>> rows = new ArrayList<>();
        for (String s : backends()) {
            for (String c : cases()) {
                Ratios r = ratios(s, c, s, REF);
                if (r.ratios().isEmpty()) {
                    continue;
                }
                Bill rb = calls(s, c, REF);
                Bill bb = calls(s, c, s);
                if (rb == null || bb == null) {
                    rows.add(List.of(s, c, f2(median(r.ratios())) + "x", "not counted", "not counted", "-", "-", loads(s, c)));
                    continue;
                }
                double saved = (rb.perMsg().get("total") - bb.perMsg().get("total")) * cost;
                List<Double> refs = new ArrayList<>();
                List<Double> vs = new ArrayList<>();
                for (Map<String, Double> p : pairsOf(s, c)) {
                    if (p.get(s) != null && p.get(REF) != null) {
                        refs.add(p.get(REF));
                        vs.add(p.get(s) / (p.get(REF) - saved));
                    }
                }
                rows.add(List.of(s, c, f2(median(r.ratios())) + "x", f2(rb.perMsg().get("total")) + rb.mark(),
                        f2(bb.perMsg().get("total")) + bb.mark(), f2(median(refs) - saved),
                        f2(median(vs)) + "x [" + f2(min(vs)) + "-" + f2(max(vs)) + "]", loads(s, c)));
            }
        }
        out.append(Views.table(List.of("server", "case", "vs ref-echo", "ref-echo calls/msg", "its calls/msg", "floor us/msg",
                "vs floor [min-max]", "load"), rows));
        Map<List<String>, JsonNode> last = new LinkedHashMap<>();
        counted.forEach(r -> last.put(List.of(r.path("server").asText(), r.path("for").asText(), r.path("case").asText()), r));
        List<String> shown = KINDS.stream().filter(k -> counted.stream().anyMatch(r -> {
            Map<String, Double> g = perMsg(r);
            return g != null && g.getOrDefault(k, 0.0) != 0;
        })).toList();
        if (!shown.isEmpty()) {
            List<List<String>> bill = new ArrayList<>();
            for (Map.Entry<List<String>, JsonNode> e : last.entrySet()) {
                Map<String, Double> g = perMsg(e.getValue());
                if (g != null) {
                    List<String> row = new ArrayList<>(e.getKey());
                    shown.forEach(k -> row.add(g3(g.getOrDefault(k, 0.0))));
                    bill.add(row);
                }
            }
            List<String> h = new ArrayList<>(List.of("server", "in the pairs of", "case"));
            h.addAll(shown);
            out.append("\nPer echoed message, from the counted runs: system calls by kind, and context switches\n\n")
                    .append(Views.table(h, bill));
        }
        return out.toString();
    }

    /** Calls per message by kind, from one counted run, and " (disturbed)" when it ran below saturation. */
    private record Bill(Map<String, Double> perMsg, String mark) { }

    /** Kind -> calls per message, and context switches per message, from a counted run's kernel bill. */
    private static Map<String, Double> perMsg(JsonNode r) {
        JsonNode b = r.path("bill");
        JsonNode kb = b.path("kernel_bill");
        double rate = r.path("ref_load").path("msgs_per_s").asDouble();
        if (!kb.path("syscalls").isObject() || kb.path("syscalls").isEmpty() || rate <= 0) {
            return null;
        }
        double msgs = rate * b.path("seconds").asDouble();
        Map<String, Double> d = new LinkedHashMap<>();
        kb.path("syscalls").properties().forEach(e -> d.put(e.getKey(), e.getValue().asDouble() / msgs));
        d.put("ctx_switches", (kb.path("voluntary_ctx_switches").asDouble() + kb.path("involuntary_ctx_switches").asDouble()) / msgs);
        return d;
    }

    /** The last counted run at saturation (a pair counted again replaces a disturbed one), else the last, marked. */
    private Bill calls(String s, String c, String server) {
        Predicate<JsonNode> mine = r -> r.path("for").asText().equals(s) && r.path("case").asText().equals(c)
                && r.path("server").asText().equals(server) && perMsg(r) != null;
        List<JsonNode> runs = counted.stream().filter(mine).toList();
        if (runs.isEmpty()) {
            return null;
        }
        List<JsonNode> busy = runs.stream().filter(r -> r.path("ref_load").path("server_cpu_pct").asDouble() >= saturated).toList();
        return new Bill(perMsg((busy.isEmpty() ? runs : busy).getLast()), busy.isEmpty() ? " (disturbed)" : "");
    }

    /**
     * One row per backend and case: its CPU per message and ratio to ref-echo (the first table's
     * cells), for a table that sets several runs side by side ({@code variant} leads each row).
     */
    public List<List<String>> ratioRows(String variant) {
        List<List<String>> rows = new ArrayList<>();
        for (String s : backends()) {
            for (String c : cases()) {
                rows.add(List.of(variant, s, c, cell(ratios(s, c, s, REF), REF, loads(s, c))));
            }
        }
        return rows;
    }

    /** The servers and cases measured, for the docs' data line. */
    public String measured() {
        return String.join(", ", new LinkedHashSet<>(backends())) + " at " + String.join(", ", cases());
    }

    static double median(List<Double> v) {
        List<Double> s = v.stream().sorted().toList();
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    /** Three significant digits, as Python's {@code :.3g}. */
    private static String g3(double v) {
        if (v == 0) {
            return "0";
        }
        String s = String.format(Locale.ROOT, "%.3g", v);
        if (s.contains("e")) {
            String[] p = s.split("e");
            String m = p[0].contains(".") ? p[0].replaceAll("0+$", "").replaceAll("\\.$", "") : p[0];
            int exp = Integer.parseInt(p[1]);
            return m + "e" + (exp < 0 ? "-" : "+") + String.format(Locale.ROOT, "%02d", Math.abs(exp));
        }
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }
}
