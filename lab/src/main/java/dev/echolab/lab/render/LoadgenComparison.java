package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code bench/loadgen-vs-ref.sh} measured, read from the {@code results.jsonl} it writes: our
 * load generator against the C reference load generator {@code ref-load}, both driving the same C
 * echo server in turn, as the table the script prints and {@code docs/performance.md} shows (render
 * view {@code loadgen-ref}).
 *
 * <p>The records, one JSON object a line: {@code {"run": {...}}} first (command, date, commit,
 * machine, connections, depth); then one per run: {@code driver} ({@code ref-load}, or one of ours:
 * {@code nio}, {@code platform} ...), {@code pair}, {@code load1} and {@code result}, the load
 * generator's JSON (the keys both share: {@code msgs_per_s}, {@code p50_us}, {@code p99_us},
 * {@code p999_us}, {@code cpu_pct}). Each ratio is ours over ref-load's in the same pair; the
 * median, minimum and maximum over the pairs are given.
 */
public final class LoadgenComparison {

    static final String REF = "ref-load";
    /** The figures compared, by their key in both load generators' JSON, and their heading. */
    private static final Map<String, String> FIGURES = new LinkedHashMap<>();

    static {
        FIGURES.put("msgs_per_s", "msgs/s");
        FIGURES.put("p50_us", "p50");
        FIGURES.put("p99_us", "p99");
        FIGURES.put("p999_us", "p99.9");
        FIGURES.put("cpu_us_per_msg", "CPU per message");
    }

    private final JsonNode run;
    /** pair -> driver -> result. */
    private final Map<String, Map<String, JsonNode>> pairs = new LinkedHashMap<>();
    private final List<String> drivers = new ArrayList<>();

    private LoadgenComparison(List<JsonNode> records) {
        JsonNode header = null;
        for (JsonNode r : records) {
            if (r.has("run")) {
                header = r.get("run");
            } else if (r.has("driver")) {
                String d = r.path("driver").asText();
                pairs.computeIfAbsent(r.path("pair").asText(), k -> new LinkedHashMap<>()).put(d, r.path("result"));
                if (!d.equals(REF) && !drivers.contains(d)) {
                    drivers.add(d);
                }
            }
        }
        run = header == null ? Dataset.JSON.createObjectNode() : header;
    }

    /** The records of {@code file} ({@link Dataset#jsonLines}). */
    public static LoadgenComparison read(Path file) throws IOException {
        return new LoadgenComparison(Dataset.jsonLines(file));
    }

    public JsonNode run() {
        return run;
    }

    /** A figure of one run, or null when the run failed or its JSON lacks it. */
    static Double figure(JsonNode result, String key) {
        double rate = result.path("msgs_per_s").asDouble();
        if (rate <= 0) {
            return null;
        }
        if (key.equals("cpu_us_per_msg")) {
            return result.hasNonNull("cpu_pct") ? result.path("cpu_pct").asDouble() / 100 / rate * 1e6 : null;
        }
        return result.hasNonNull(key) && result.path(key).asDouble() > 0 ? result.path(key).asDouble() : null;
    }

    /** The table: each run's figures pair by pair, then each driver's ratios to ref-load. */
    public String tables() {
        List<List<String>> runs = new ArrayList<>();
        for (Map.Entry<String, Map<String, JsonNode>> p : pairs.entrySet()) {
            for (Map.Entry<String, JsonNode> d : p.getValue().entrySet()) {
                List<String> row = new ArrayList<>(List.of(p.getKey(), d.getKey()));
                for (String key : FIGURES.keySet()) {
                    Double v = figure(d.getValue(), key);
                    row.add(v == null ? "-" : key.equals("cpu_us_per_msg") ? String.format(Locale.ROOT, "%.3f", v)
                            : String.format(Locale.ROOT, "%,.0f", v));
                }
                runs.add(row);
            }
        }
        List<String> header = new ArrayList<>(List.of("pair", "load generator"));
        FIGURES.forEach((k, h) -> header.add(k.startsWith("p") ? h + " µs" : k.equals("cpu_us_per_msg") ? h + " µs" : h));
        List<List<String>> ratios = new ArrayList<>();
        for (String d : drivers) {
            List<String> row = new ArrayList<>(List.of(d));
            int n = 0;
            for (String key : FIGURES.keySet()) {
                List<Double> r = new ArrayList<>();
                for (Map<String, JsonNode> p : pairs.values()) {
                    Double ours = p.containsKey(d) ? figure(p.get(d), key) : null;
                    Double ref = p.containsKey(REF) ? figure(p.get(REF), key) : null;
                    if (ours != null && ref != null) {
                        r.add(ours / ref);
                    }
                }
                n = Math.max(n, r.size());
                row.add(r.isEmpty() ? "-" : f2(RefComparison.median(r)) + " [" + f2(r.stream().mapToDouble(x -> x).min().orElseThrow())
                        + "-" + f2(r.stream().mapToDouble(x -> x).max().orElseThrow()) + "]");
            }
            row.add(n + " of " + pairs.size());
            ratios.add(row);
        }
        List<String> ratioHeader = new ArrayList<>(List.of("load generator"));
        FIGURES.values().forEach(h -> ratioHeader.add(h + " (× ref-load)"));
        ratioHeader.add("pairs");
        return Views.table(header, runs) + "\nEach driver over ref-load in the same pair: median [min-max]\n\n"
                + Views.table(ratioHeader, ratios);
    }

    private static String f2(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
