package dev.echolab.lab.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * What {@code bin/lab diff} found: the table it prints and the {@code --json} file, written and
 * read by this one type (schema in docs/lab.md, "Comparing two runs").
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
record DiffReport(String old, String now, double minSpread, List<Row> cases, int regressions) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One case: figures are medians of the counted repetitions; ratio is new over old; spread a fraction (0.1: ±10%). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    record Row(String caseLabel, String figure, Double old, Double now, Double ratio, Double spread, String verdict, String reason) {
    }

    static DiffReport of(Path old, Path now, double minSpread, List<Judgement> judgements) {
        List<Row> rows = judgements.stream().map(j -> new Row(j.label(), j.figure(), j.old(), j.now(), j.ratio(), j.spread(),
                j.verdict().toString(), j.reason())).toList();
        int regressions = (int) judgements.stream().filter(j -> j.verdict() == Judgement.Verdict.REGRESSION).count();
        return new DiffReport(old.toString(), now.toString(), minSpread, rows, regressions);
    }

    void write(Path file) throws IOException {
        JSON.writeValue(file.toFile(), this);
    }

    static DiffReport read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), DiffReport.class);
    }

    /** The table, then one line: how many regressions among how many cases. */
    String table() {
        int w = Math.max("case".length(), cases.stream().mapToInt(r -> r.caseLabel().length()).max().orElse(0));
        StringBuilder sb = new StringBuilder();
        String format = "%-" + w + "s  %-13s  %10s  %10s  %6s  %6s  %s%n";
        sb.append(String.format(Locale.ROOT, format, "case", "figure", "old", "new", "ratio", "spread", "verdict"));
        for (Row r : cases) {
            sb.append(String.format(Locale.ROOT, format, r.caseLabel(), r.figure(), number(r.old()), number(r.now()),
                    r.ratio() == null ? "-" : String.format(Locale.ROOT, "%.2f", r.ratio()),
                    r.spread() == null ? "-" : String.format(Locale.ROOT, "±%.0f%%", r.spread() * 100),
                    r.verdict() + (r.reason() == null ? "" : " (" + r.reason() + ")")));
        }
        long judged = cases.stream().filter(r -> !r.verdict().equals(Judgement.Verdict.NOT_JUDGED.toString())).count();
        sb.append(regressions == 0 ? "no regression" : regressions == 1 ? "1 regression" : regressions + " regressions")
                .append(" in ").append(judged).append(" judged of ").append(cases.size()).append(cases.size() == 1 ? " case" : " cases")
                .append(String.format(Locale.ROOT, " (spread floor ±%.0f%%)%n", minSpread * 100));
        return sb.toString();
    }

    private static String number(Double v) {
        return v == null ? "-" : v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
