package dev.echolab.lab.render;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * One published dataset, {@code docs/data/NAME/}: the results.json of one lab run, or of several
 * runs of the same command ({@code NAME/1/results.json}, {@code NAME/2/...}), as the lab wrote them
 * less the per-second curves no figure of the docs draws. {@link #rows} is what the docs' tables and
 * figures read: {@code bin/lab compare}'s {@code summary[]}, or {@code bin/lab chapter}'s
 * {@code experiments[].rows[]} of every run with {@code experiment} and {@code run} added.
 */
record Dataset(String name, List<JsonNode> runs) {

    static final ObjectMapper JSON = new ObjectMapper();

    static Dataset load(Path data, String name) {
        Path dir = data.resolve(name);
        try {
            List<Path> files;
            if (Files.isRegularFile(dir.resolve("results.json"))) {
                files = List.of(dir.resolve("results.json"));
            } else if (Files.isDirectory(dir)) {
                try (Stream<Path> s = Files.list(dir)) {
                    files = s.map(p -> p.resolve("results.json")).filter(Files::isRegularFile)
                            .sorted(Comparator.comparing(Path::toString)).toList();
                }
            } else {
                files = List.of();
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no dataset " + name + ": " + dir + " holds no results.json");
            }
            List<JsonNode> runs = new ArrayList<>();
            for (Path f : files) {
                runs.add(JSON.readTree(f.toFile()));
            }
            return new Dataset(name, runs);
        } catch (IOException e) {
            throw new IllegalArgumentException("dataset " + name + " unreadable: " + e.getMessage());
        }
    }

    boolean chapter() {
        return runs.getFirst().has("experiments");
    }

    JsonNode first() {
        return runs.getFirst();
    }

    /** The rows the docs read (see the class comment). */
    List<JsonNode> rows() {
        List<JsonNode> rows = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            JsonNode run = runs.get(i);
            if (run.has("experiments")) {
                for (JsonNode e : run.get("experiments")) {
                    for (JsonNode r : e.get("rows")) {
                        ObjectNode row = ((ObjectNode) r).deepCopy();
                        row.put("experiment", e.get("id").asText());
                        row.put("run", i + 1);
                        rows.add(row);
                    }
                }
            } else {
                run.get("summary").forEach(rows::add);
            }
        }
        return rows;
    }

    /** Load cases of every run that count (not judged disturbed), as the medians count them. */
    List<JsonNode> countedLoadCases() {
        return runs.stream().flatMap(r -> stream(r.get("cases")))
                .filter(c -> "load".equals(text(c, "scenario")) && !"disturbed".equals(text(c, "verdict"))).toList();
    }

    /** Every attempt the lab judged of the cases {@code filters} pick ({@link #matching}), over every run. */
    List<JsonNode> attempts(Map<String, String> filters) {
        return matching(runs.stream().flatMap(r -> stream(r.get("cases"))).toList(), filters).stream()
                .flatMap(c -> stream(c.get("attempts"))).toList();
    }

    static List<JsonNode> matching(List<JsonNode> rows, Map<String, String> filters) {
        Predicate<JsonNode> p = r -> filters.entrySet().stream().allMatch(f -> f.getValue().equals(text(r, f.getKey())));
        return rows.stream().filter(p).toList();
    }

    static Stream<JsonNode> stream(JsonNode array) {
        if (array == null || !array.isArray()) {
            return Stream.empty();
        }
        List<JsonNode> l = new ArrayList<>();
        array.forEach(l::add);
        return l.stream();
    }

    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    static Double number(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || !v.isNumber() ? null : v.asDouble();
    }

    static Double median(List<Double> values) {
        List<Double> v = values.stream().filter(Objects::nonNull).sorted().toList();
        if (v.isEmpty()) {
            return null;
        }
        int m = v.size() / 2;
        return v.size() % 2 == 1 ? v.get(m) : (v.get(m - 1) + v.get(m)) / 2;
    }

    /** The JSON records of {@code file}, one a line (blank lines skipped); a line that is not JSON is named with its number. */
    static List<JsonNode> jsonLines(Path file) throws IOException {
        List<JsonNode> records = new ArrayList<>();
        int n = 0;
        for (String line : Files.readAllLines(file)) {
            n++;
            if (!line.isBlank()) {
                try {
                    records.add(JSON.readTree(line));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalArgumentException(file + ":" + n + ": not a JSON record: " + e.getOriginalMessage());
                }
            }
        }
        return records;
    }
}
