package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The figures a sentence quotes: {@code <!-- fig DATASET [FIELD=VALUE ...] WHAT [DECIMALS] -->1.23<!-- /fig -->}.
 * The filters pick rows of the dataset ({@link Dataset#rows}); WHAT is one of
 * <ul>
 * <li>a numeric field of those rows ({@code cpu_us_per_msg}, {@code cores_used}, ...): their median,
 *     or with {@code min:} / {@code max:} before it their least or greatest;</li>
 * <li>{@code ratio}: the row's server CPU per message over the reference's ({@link #REFERENCE}) at the
 *     same connections and work;</li>
 * <li>{@code spread}: the run's run-to-run spread in % ({@link Spread});</li>
 * <li>{@code other_load:P}: the P-th percentile (0-100) of the other load every judged attempt saw
 *     (of the cases the filters pick, {@code backend=c-epoll} say);</li>
 * <li>{@code syscalls:KIND}: system calls of that kind per message ({@code total}, {@code read}, {@code other} ...),
 *     the median over the load cases the filters pick that the lab counted (the kernel bill);</li>
 * <li>{@code @a.b}: a text of the first run's results.json ({@code @verdict}, {@code @environment.date}).</li>
 * </ul>
 * DECIMALS (default 0) formats numbers with thousands separators; a figure the data holds no
 * value for (every run of it disturbed, say) reads {@value #NOT_MEASURED}.
 */
final class Figures {

    /** The server every ratio is taken to: the ceiling of one core. */
    static final String REFERENCE = "c-epoll";

    /** What a figure reads when its data holds no value: every run of it disturbed, or no repetition. */
    static final String NOT_MEASURED = "n/a";

    private Figures() {
    }

    static String figure(String spec, Datasets data) {
        List<String> words = List.of(spec.strip().split("\\s+"));
        if (words.size() < 2) {
            throw new IllegalArgumentException("figure '" + spec + "': say DATASET [FIELD=VALUE ...] WHAT [DECIMALS]");
        }
        Dataset d = data.get(words.getFirst());
        Map<String, String> filters = new LinkedHashMap<>();
        List<String> rest = new ArrayList<>();
        for (String w : words.subList(1, words.size())) {
            int eq = w.indexOf('=');
            if (eq > 0 && rest.isEmpty()) {
                filters.put(w.substring(0, eq), w.substring(eq + 1));
            } else {
                rest.add(w);
            }
        }
        if (rest.isEmpty() || rest.size() > 2) {
            throw new IllegalArgumentException("figure '" + spec + "': say what to quote, then at most the decimals");
        }
        String what = rest.getFirst();
        int decimals = rest.size() == 2 ? Integer.parseInt(rest.get(1)) : 0;
        if (what.startsWith("@")) {
            JsonNode n = d.first();
            for (String part : what.substring(1).split("\\.")) {
                n = n == null ? null : n.get(part);
            }
            if (n == null || n.isNull()) {
                throw new IllegalArgumentException("figure '" + spec + "': dataset " + d.name() + " has no " + what.substring(1));
            }
            return n.isNumber() ? format(n.asDouble(), decimals) : n.asText();
        }
        Double v;
        if (what.equals("spread")) {
            v = Spread.of(d).run();
            v = v == null ? null : v * 100;
        } else if (what.startsWith("other_load:")) {
            v = percentile(d.attempts(filters).stream().map(a -> Dataset.number(a, "other_load_pct")).filter(Objects::nonNull).toList(),
                    Double.parseDouble(what.substring("other_load:".length())));
        } else if (what.startsWith("syscalls:")) {
            String kind = what.substring("syscalls:".length());
            v = Dataset.median(Dataset.matching(d.countedLoadCases(), filters).stream()
                    .map(c -> Dataset.number(c.path("kernel_bill").path("syscalls_per_msg"), kind)).filter(Objects::nonNull).toList());
        } else {
            List<JsonNode> rows = Dataset.matching(d.rows(), filters);
            if (rows.isEmpty()) {
                throw new IllegalArgumentException("figure '" + spec + "': no row of dataset " + d.name() + " has " + filters);
            }
            v = value(d, rows, what);
        }
        return v == null ? NOT_MEASURED : format(v, decimals);
    }

    private static Double value(Dataset d, List<JsonNode> rows, String what) {
        if (what.equals("ratio")) {
            return Dataset.median(rows.stream().map(r -> ratio(d, r)).toList());
        }
        String field = what.replaceFirst("^(min|max):", "");
        if (rows.stream().noneMatch(r -> r.has(field))) {
            throw new IllegalArgumentException("dataset " + d.name() + " has no field " + field);
        }
        List<Double> values = rows.stream().map(r -> Dataset.number(r, field)).filter(Objects::nonNull).toList();
        if (values.isEmpty()) {
            return null;
        }
        return what.startsWith("min:") ? values.stream().min(Double::compare).get()
                : what.startsWith("max:") ? values.stream().max(Double::compare).get()
                : Dataset.median(values);
    }

    /** A compare summary row's CPU per message over the reference's at the same connections and work, or null. */
    static Double ratio(Dataset d, JsonNode row) {
        JsonNode ref = reference(d, row);
        Double x = Dataset.number(row, "cpu_us_per_msg");
        Double r = ref == null ? null : Dataset.number(ref, "cpu_us_per_msg");
        return x == null || r == null || r == 0 ? null : x / r;
    }

    static JsonNode reference(Dataset d, JsonNode row) {
        return Dataset.matching(d.rows(), Map.of("backend", REFERENCE, "scenario", "load",
                "connections", Dataset.text(row, "connections"), "work", Dataset.text(row, "work"))).stream().findFirst().orElse(null);
    }

    static Double percentile(List<Double> values, double p) {
        List<Double> v = values.stream().sorted().toList();
        if (v.isEmpty()) {
            return null;
        }
        int i = (int) Math.ceil(p / 100 * v.size()) - 1;
        return v.get(Math.max(0, Math.min(v.size() - 1, i)));
    }

    static String format(Double v, int decimals) {
        return v == null ? "-" : String.format(Locale.US, "%,." + decimals + "f", v);
    }
}
