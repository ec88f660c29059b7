package dev.echolab.lab.run;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * The lab's judgement of one load case: could anything but the server have set its figures? The
 * saturation rule of bench/compare-ref.sh, applied to every case (docs/lab.md, "Disturbed cases"):
 * <ul>
 * <li>{@code disturbed}: the machine was busy with something else: over the load generator's
 *     measured interval the host's CPU beyond the server's and the load generator's process trees
 *     ({@link CaseResult#otherLoadPct}) was above {@value #OTHER_LOAD_MAX_PCT}% of a core. Run
 *     again; if it stays disturbed, kept but left out of the medians.</li>
 * <li>{@code load-generator-bound}: the load generator was saturated while the server used less
 *     than {@value #SERVER_BUSY_PCT}% of its core, on an otherwise quiet machine: msgs/s measures
 *     the load generator's core, not the server. Not a disturbance: nothing else was running, and
 *     a rerun finds the same (the fastest server outruns a JVM load generator on one core), so it
 *     is not run again; it counts, marked. Cases with simulated
 *     waiting ({@code io:}) are never so judged: their server waits by design.</li>
 * <li>{@code ok}: neither.</li>
 * </ul>
 * In bench/compare-ref.sh a server below 80% alone means a disturbance, because its C load
 * generator is never saturated; here the load generator is a JVM on one core, so the lab measures
 * the disturbance itself (other load) and tells the load generator's ceiling apart from it.
 */
public final class Verdict {

    /** What the lab concluded about one attempt at a case. */
    public enum Kind {
        OK("ok"), LOADGEN_BOUND("load-generator-bound"), DISTURBED("disturbed");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        @JsonValue
        @Override
        public String toString() {
            return label;
        }
    }

    /** One attempt at a case, as results.json keeps it. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Attempt(int attempt, Kind verdict, String reason, Double msgsPerS, Double serverCpuPct,
                   Double loadgenCpuPct, Boolean loadgenSaturated, Double otherLoadPct) {
    }

    /**
     * Other load (host CPU beyond the server and the load generator, % of one core) above which
     * the machine counts as busy. The lab itself leaves some: its own sampling, and the loopback
     * traffic's softirq work that lands on an idle moment of a CPU. The limit sits just above that
     * floor on a quiet machine, because a false alarm costs only a rerun; what the published runs
     * saw is in docs/lab.md, generated from their data.
     */
    static final double OTHER_LOAD_MAX_PCT = 20;

    /** Below this % of its core the server was waiting for something (bench/compare-ref.sh SATURATED). */
    static final double SERVER_BUSY_PCT = 80;

    /** The rule in one paragraph, for the reports. */
    public static final String RULE = String.format("The lab's verdict on each load case, over the load generator's measured interval: "
            + "disturbed when the machine's CPU beyond the server and the load generator (other load) was above %.0f%% of a core; "
            + "such a case is run again, and one still disturbed is kept here but left out of the medians. "
            + "load-generator-bound when the load generator was saturated while the server used less than %.0f%% of its core "
            + "on a quiet machine: its msgs/s is the load generator's ceiling and its server µs/msg an upper bound "
            + "(below saturation each wake-up carries fewer messages); it counts, as a rerun finds the same.",
            OTHER_LOAD_MAX_PCT, SERVER_BUSY_PCT);

    private Verdict() {
    }

    /** A case with an attempt judged anything but ok. */
    public static boolean notOk(CaseResult c) {
        return c.attempts != null && c.attempts.stream().anyMatch(a -> a.verdict() != null && a.verdict() != Kind.OK);
    }

    /** The run's verdict, for the reports' header: from the last attempt at each load case. */
    public static String overall(List<CaseResult> cases) {
        List<CaseResult> judged = cases.stream().filter(c -> c.verdict != null).toList();
        if (judged.isEmpty()) {
            return "no load case was judged";
        }
        long disturbed = judged.stream().filter(c -> c.verdict == Kind.DISTURBED).count();
        long bound = judged.stream().filter(c -> c.verdict == Kind.LOADGEN_BOUND).count();
        int reruns = judged.stream().mapToInt(c -> c.attempts.size() - 1).sum();
        String head = disturbed > 0 ? disturbed + " of " + judged.size() + " load cases disturbed (left out of the medians)"
                : bound == 0 ? "undisturbed: every load case ok (" + judged.size() + ")"
                : "undisturbed: no load case disturbed (" + judged.size() + ")";
        return head + (bound > 0 ? "; " + bound + " load-generator-bound" : "")
                + (reruns > 0 ? "; " + reruns + (reruns == 1 ? " rerun" : " reruns") : "");
    }

    /** Judges {@code c} and records the verdict in it; cases that are not measured loads are not judged. */
    static void judge(CaseResult c) {
        c.verdict = null;
        c.verdictReason = null;
        if (!c.scenario.equals("load") || c.status == CaseResult.Status.failed || c.serverCpuPct == null) {
            return;
        }
        if (c.otherLoadPct != null && c.otherLoadPct > OTHER_LOAD_MAX_PCT) {
            c.verdict = Kind.DISTURBED;
            c.verdictReason = String.format("busy machine: other load %.0f%% of a core (limit %.0f%%)",
                    c.otherLoadPct, OTHER_LOAD_MAX_PCT);
        } else if (Boolean.TRUE.equals(c.loadgenSaturated) && c.serverCpuPct < SERVER_BUSY_PCT && !c.work.startsWith("io:")) {
            c.verdict = Kind.LOADGEN_BOUND;
            c.verdictReason = String.format("load generator saturated (%.0f%% CPU) while the server used %.0f%% of its core",
                    c.loadgenCpuPct, c.serverCpuPct);
        } else {
            c.verdict = Kind.OK;
        }
    }

    /**
     * Runs a case, judges it, and runs it again while it is disturbed, at most {@code retries}
     * more times or until {@code stopped}. Returns the last attempt, with every attempt's verdict
     * in {@link CaseResult#attempts}; {@code retrying} hears of each attempt that is run again.
     */
    public static CaseResult untilUndisturbed(CaseResult planned, UnaryOperator<CaseResult> run, int retries,
                                       BooleanSupplier stopped, Consumer<CaseResult> retrying) {
        List<Attempt> attempts = new ArrayList<>();
        CaseResult c = planned;
        for (int n = 1; ; n++) {
            c = run.apply(c);
            judge(c);
            attempts.add(new Attempt(n, c.verdict, c.verdictReason, c.msgsPerS, c.serverCpuPct,
                    c.loadgenCpuPct, c.loadgenSaturated, c.otherLoadPct));
            c.attempts = attempts;
            if (c.verdict != Kind.DISTURBED || n > retries || stopped.getAsBoolean()) {
                return c;
            }
            retrying.accept(c);
            c = planned.again();
        }
    }
}
