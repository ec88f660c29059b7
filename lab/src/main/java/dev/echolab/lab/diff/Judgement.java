package dev.echolab.lab.diff;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.echolab.lab.run.Summary;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The rule of {@code bin/lab diff}, for one case present in both files. Each side's figure is the
 * median of its counted repetitions; the ratio is new over old. The spread a case is allowed is the
 * largest of: the case's own spread on either side ((max - min) / median of its repetitions, as the
 * lab's reports compute it), either run's spread (the median of its cases' spreads), and the floor
 * {@code --min-spread} (which also stands in where nothing was measured twice).
 *
 * <ul>
 *   <li>{@code tie}: the change is within the spread.</li>
 *   <li>{@code faster}: better beyond the spread.</li>
 *   <li>{@code slower}: worse beyond the spread, but some repetition of the new run is as good as
 *       some repetition of the old one: the runs overlap, so noise could still explain it.</li>
 *   <li>{@code regression}: worse beyond the spread and every counted repetition of the new run is
 *       worse than every counted repetition of the old one.</li>
 *   <li>{@code not judged}: the case is in one file only, failed, had errors, or every repetition
 *       was disturbed.</li>
 * </ul>
 */
record Judgement(String label, String figure, Double old, Double now, Double ratio, Double spread, Verdict verdict,
                 String reason) {

    enum Verdict {
        FASTER("faster"), TIE("tie"), SLOWER("slower"), REGRESSION("regression"), NOT_JUDGED("not judged");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        @JsonValue
        @Override
        public String toString() {
            return label;
        }
    }

    /** Every case of {@code old} and {@code now}, in the old file's order and then the new cases. */
    static List<Judgement> of(Side old, Side now, double minSpread) {
        List<Judgement> rows = new ArrayList<>();
        old.cases().forEach((key, o) -> rows.add(now.cases().containsKey(key)
                ? judge(o, now.cases().get(key), spread(old, now, key, minSpread))
                : notJudged(o, "only in OLD")));
        now.cases().forEach((key, n) -> {
            if (!old.cases().containsKey(key)) {
                rows.add(notJudged(n, "only in NEW"));
            }
        });
        return rows;
    }

    /** The spread allowed for {@code key}: the largest of both sides' case and run spreads and the floor. */
    static double spread(Side old, Side now, String key, double minSpread) {
        return Stream.of(old.spread().byCase().get(key), now.spread().byCase().get(key),
                old.spread().run(), now.spread().run(), minSpread)
                .filter(Objects::nonNull).mapToDouble(Double::doubleValue).max().orElse(minSpread);
    }

    static Judgement judge(Side.Case o, Side.Case n, double spread) {
        Double om = median(o.values());
        Double nm = median(n.values());
        String why = o.notJudged() != null ? "OLD: " + o.notJudged() : n.notJudged() != null ? "NEW: " + n.notJudged() : null;
        if (why == null && !o.figure().equals(n.figure())) {
            why = "OLD measured " + o.figure() + ", NEW " + n.figure();
        }
        if (why != null || om == null || nm == null) {
            return new Judgement(o.label(), o.figure(), om, nm, ratio(om, nm), spread, Verdict.NOT_JUDGED,
                    why == null ? "nothing measured" : why);
        }
        double ratio = nm / om;
        double worse = o.lowerIsBetter() ? ratio : 1 / ratio; // above 1: the new run is worse
        Verdict v;
        if (Math.abs(worse - 1) <= spread) {
            v = Verdict.TIE;
        } else if (worse < 1) {
            v = Verdict.FASTER;
        } else {
            double oldWorst = o.lowerIsBetter() ? max(o.values()) : -min(o.values());
            double newBest = o.lowerIsBetter() ? min(n.values()) : -max(n.values());
            v = newBest > oldWorst ? Verdict.REGRESSION : Verdict.SLOWER;
        }
        return new Judgement(o.label(), o.figure(), om, nm, ratio, spread, v, null);
    }

    private static Judgement notJudged(Side.Case c, String why) {
        Double m = median(c.values());
        return new Judgement(c.label(), c.figure(), why.endsWith("OLD") ? m : null, why.endsWith("NEW") ? m : null,
                null, null, Verdict.NOT_JUDGED, why);
    }

    private static Double ratio(Double old, Double now) {
        return old == null || now == null || old == 0 ? null : now / old;
    }

    private static Double median(List<Double> values) {
        return Summary.median(values, v -> v);
    }

    private static double min(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    private static double max(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
    }
}
