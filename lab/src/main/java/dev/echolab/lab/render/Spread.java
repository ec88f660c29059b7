package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How much a figure moves between repetitions of the same case in one run: for each server,
 * connections and work, (max - min) / median of the server CPU per message over the repetitions
 * the lab counted. Two servers whose figures differ by less than the larger of their own spreads
 * and the run's (the median over every case measured at least twice) are a tie: the run cannot
 * tell them apart.
 */
public record Spread(Map<String, Double> byCase, Double run) {

    static Spread of(Dataset d) {
        Map<String, List<Double>> values = new LinkedHashMap<>();
        for (JsonNode c : d.countedLoadCases()) {
            Double v = Dataset.number(c, "server_cpu_us_per_msg");
            if (v != null) {
                values.computeIfAbsent(key(c.get("backend").asText(), c.get("connections").asText(), c.get("work").asText()),
                        k -> new ArrayList<>()).add(v);
            }
        }
        return of(values);
    }

    /** The spread of each case's repetitions ({@code values}: case -> one figure per counted repetition) and the run's. */
    public static Spread of(Map<String, List<Double>> values) {
        Map<String, Double> byCase = new LinkedHashMap<>();
        values.forEach((k, v) -> {
            if (v.size() >= 2) {
                double min = v.stream().min(Double::compare).get();
                double max = v.stream().max(Double::compare).get();
                byCase.put(k, (max - min) / Dataset.median(v));
            }
        });
        return new Spread(byCase, Dataset.median(new ArrayList<>(byCase.values())));
    }

    static String key(String backend, String connections, String work) {
        return backend + "|" + connections + "|" + work;
    }

    /** Whether {@code ratio} (a over b) is within the spread of a, of b and of the run; null: no spread measured. */
    Boolean tie(double ratio, String a, String b) {
        List<Double> s = new ArrayList<>(List.of(byCase.getOrDefault(a, Double.NaN), byCase.getOrDefault(b, Double.NaN)));
        s.add(run == null ? Double.NaN : run);
        double limit = s.stream().filter(Objects::nonNull).filter(x -> !x.isNaN()).mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        return Double.isNaN(limit) ? null : Math.abs(ratio - 1) <= limit;
    }
}
