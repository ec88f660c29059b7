package dev.echolab.loadgen.search;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The one rate-stepping mechanism: open-loop trials at rising offered rates until one misses the
 * bound (its p99 above it, an error, or the server falling behind the schedule), then, when asked,
 * bisection between the last rate that met the bound and the first that did not, until they are
 * within {@code precision} of each other; a miss on the p99 alone is confirmed by a second trial
 * when the plan asks. {@code bin/loadgen search} asks "what rate can it take
 * with p99 under X?"; {@code bin/lab sweep} draws the curve of every model. Both stop on their own:
 * at most {@code maxSteps} trials, each as long as its {@link Trial} makes it.
 *
 * <p>Rates rise geometrically (each {@code factor} times the last), so a server a hundred times
 * faster than the first guess is found in a handful of steps; bisection is geometric too (the
 * square root of the product), the middle of a range on the log scale the curve is drawn on.
 */
public final class RateSearch {

    /**
     * What one trial measured.
     *
     * @param offered  the open loop's rate, messages per second
     * @param achieved messages echoed per second in the measured interval
     * @param p50Us    corrected median latency, microseconds
     * @param p99Us    corrected 99th percentile, microseconds
     * @param errors   errors and mismatches of every kind
     */
    public record Step(double offered, double achieved, long p50Us, long p99Us, long errors) {
    }

    /** Runs one open-loop trial at {@code rate} messages per second. */
    @FunctionalInterface
    public interface Trial {
        Step run(double rate) throws Exception;
    }

    /**
     * How to search.
     *
     * @param startRate the first trial's rate
     * @param factor    each rising step's rate over the last one's (more than 1)
     * @param maxP99Us  the bound on the corrected p99, microseconds
     * @param minShare  the share of the offered rate a trial must achieve (a server behind its
     *                  schedule has not taken that rate, whatever its p99 says so far)
     * @param refine    bisect between the last good and the first bad rate (a search), or stop at
     *                  the first bad one (a sweep: the curve is the answer)
     * @param precision bisection stops when the first bad rate is within this share above the
     *                  last good one (e.g. 0.05)
     * @param maxSteps  trials at most, rising and bisecting together
     * @param confirm   a trial that misses on its p99 alone (no errors, its rate achieved) is run
     *                  once more at the same rate, and the rate counts as missed only when that one
     *                  misses too: one stall of a shared machine can put a single trial's p99 above
     *                  the bound, a rate the server cannot take does it every time
     */
    public record Plan(double startRate, double factor, long maxP99Us, double minShare, boolean refine,
                       double precision, int maxSteps, boolean confirm) {
        public Plan {
            if (!(startRate > 0) || !(factor > 1) || maxP99Us <= 0 || !(minShare > 0 && minShare <= 1)
                    || !(precision > 0) || maxSteps < 1) {
                throw new IllegalArgumentException("a search needs a rate above 0, a factor above 1, a p99 bound, "
                        + "a share in (0, 1], a precision above 0 and at least one step");
            }
        }
    }

    /**
     * The result.
     *
     * @param curve    every trial, in the order run
     * @param capacity the highest offered rate that met the bound; empty when even the first did not
     * @param bracket  the lowest offered rate that missed it (the capacity lies in between); empty
     *                 when every trial met it (the search ran out of steps while rising)
     * @param stop     why the search stopped, in words
     */
    public record Outcome(List<Step> curve, OptionalDouble capacity, OptionalDouble bracket, String stop) {
    }

    private RateSearch() {
    }

    /** Whether {@code step} met the plan's bound, and if not, why. */
    public static String miss(Plan plan, Step step) {
        if (step.errors() > 0) {
            return step.errors() + " errors";
        }
        if (step.p99Us() > plan.maxP99Us()) {
            return "p99 " + step.p99Us() + " us above " + plan.maxP99Us() + " us";
        }
        if (step.achieved() < plan.minShare() * step.offered()) {
            return String.format("achieved %.0f of %.0f msgs/s", step.achieved(), step.offered());
        }
        return "";
    }

    /**
     * Whether the last trial of {@code curve} is run once more before its rate counts as missed: the
     * plan confirms, it missed on its p99 alone, it is not itself the second trial of its rate, and a
     * step is left for it.
     */
    public static boolean confirms(Plan plan, List<Step> curve) {
        Step last = curve.getLast();
        boolean second = curve.size() >= 2 && curve.get(curve.size() - 2).offered() == last.offered();
        return plan.confirm() && !second && curve.size() < plan.maxSteps() && last.errors() == 0
                && last.p99Us() > plan.maxP99Us() && last.achieved() >= plan.minShare() * last.offered();
    }

    /** One trial at {@code rate}, and a second when the first {@link #confirms} it: the last one decides. */
    private static Step trial(Plan plan, Trial trial, List<Step> curve, double rate) throws Exception {
        Step step = trial.run(rate);
        curve.add(step);
        if (confirms(plan, curve)) {
            step = trial.run(rate);
            curve.add(step);
        }
        return step;
    }

    public static Outcome run(Plan plan, Trial trial) throws Exception {
        Objects.requireNonNull(trial, "trial");
        List<Step> curve = new ArrayList<>();
        double good = Double.NaN;
        double bad = Double.NaN;
        String stop;
        double rate = plan.startRate();
        while (true) {
            if (curve.size() == plan.maxSteps()) {
                stop = "every one of " + plan.maxSteps() + " steps met the bound; the capacity is higher";
                break;
            }
            Step step = trial(plan, trial, curve, rate);
            String miss = miss(plan, step);
            if (miss.isEmpty()) {
                good = rate;
                rate *= plan.factor();
            } else {
                bad = rate;
                stop = "missed at " + Math.round(rate) + " msgs/s: " + miss;
                break;
            }
        }
        while (plan.refine() && !Double.isNaN(good) && !Double.isNaN(bad) && bad > good * (1 + plan.precision())) {
            if (curve.size() == plan.maxSteps()) {
                stop = "out of steps (" + plan.maxSteps() + ") before the bracket closed to " + Math.round(plan.precision() * 100) + "%";
                break;
            }
            double mid = Math.sqrt(good * bad);
            Step step = trial(plan, trial, curve, mid);
            if (miss(plan, step).isEmpty()) {
                good = mid;
            } else {
                bad = mid;
            }
            stop = "the bracket closed to " + Math.round(plan.precision() * 100) + "%";
        }
        return new Outcome(List.copyOf(curve), Double.isNaN(good) ? OptionalDouble.empty() : OptionalDouble.of(good),
                Double.isNaN(bad) ? OptionalDouble.empty() : OptionalDouble.of(bad), stop);
    }
}
