package dev.echolab.loadgen.search;

import dev.echolab.loadgen.search.RateSearch.Outcome;
import dev.echolab.loadgen.search.RateSearch.Plan;
import dev.echolab.loadgen.search.RateSearch.Step;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateSearchTest {

    /** A server of known capacity: p99 grows as 1/(1 - load) below it; above it, it falls behind. */
    private static RateSearch.Trial server(double capacity, List<Double> asked) {
        return rate -> {
            asked.add(rate);
            double load = rate / capacity;
            if (load >= 1) {
                return new Step(rate, capacity, 50_000, 2_000_000, 0);
            }
            return new Step(rate, rate, 200, Math.round(500 / (1 - load)), 0);
        };
    }

    @Test
    void findsTheHighestRateUnderTheBoundWithinThePrecision() throws Exception {
        // the modelled server's p99 stays within the bound up to 90% of its capacity
        List<Double> asked = new ArrayList<>();
        Outcome o = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 20, false), server(1000, asked));
        double found = o.capacity().orElseThrow();
        assertTrue(found <= 900 && found >= 900 / 1.05, "found " + found + " in " + o);
        assertTrue(o.bracket().orElseThrow() > 900, o.toString());
        assertTrue(o.bracket().orElseThrow() <= found * 1.05, o.toString());
        assertEquals(asked.size(), o.curve().size());
        assertEquals(List.of(50.0, 100.0, 200.0, 400.0, 800.0, 1600.0), asked.subList(0, 6), "rising geometrically first");
        assertTrue(o.stop().contains("closed"), o.stop());
    }

    @Test
    void aSweepStopsAtTheFirstMissWithoutBisecting() throws Exception {
        List<Double> asked = new ArrayList<>();
        Outcome o = RateSearch.run(new Plan(100, 1.5, 5_000, 0.95, false, 0.05, 20, false), server(1000, asked));
        assertEquals(List.of(100.0, 150.0, 225.0, 337.5, 506.25, 759.375, 1139.0625), asked);
        assertEquals(759.375, o.capacity().orElseThrow());
        assertTrue(o.stop().startsWith("missed at 1139 msgs/s"), o.stop());
    }

    @Test
    void errorsAndFallingBehindAreMissesEvenUnderTheLatencyBound() {
        Plan plan = new Plan(100, 2, 5_000, 0.95, true, 0.05, 10, false);
        assertEquals("3 errors", RateSearch.miss(plan, new Step(100, 100, 100, 100, 3)));
        assertEquals("achieved 90 of 100 msgs/s", RateSearch.miss(plan, new Step(100, 90, 100, 100, 0)));
        assertEquals("p99 5001 us above 5000 us", RateSearch.miss(plan, new Step(100, 100, 100, 5001, 0)));
        assertEquals("", RateSearch.miss(plan, new Step(100, 95, 100, 5000, 0)));
    }

    @Test
    void stopsAfterMaxStepsWhetherRisingOrBisecting() throws Exception {
        List<Double> asked = new ArrayList<>();
        Outcome rising = RateSearch.run(new Plan(1, 2, 5_000, 0.95, true, 0.05, 4, false), server(1e9, asked));
        assertEquals(4, rising.curve().size());
        assertEquals(8.0, rising.capacity().orElseThrow());
        assertTrue(rising.bracket().isEmpty());
        assertTrue(rising.stop().contains("capacity is higher"), rising.stop());

        Outcome bisecting = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.001, 8, false), server(1000, new ArrayList<>()));
        assertEquals(8, bisecting.curve().size());
        assertTrue(bisecting.stop().startsWith("out of steps"), bisecting.stop());
    }

    @Test
    void aServerThatMissesAtTheFirstRateHasNoCapacity() throws Exception {
        Outcome o = RateSearch.run(new Plan(2000, 2, 5_000, 0.95, true, 0.05, 10, false), server(1000, new ArrayList<>()));
        assertFalse(o.capacity().isPresent());
        assertEquals(1, o.curve().size());
    }

    /**
     * The modelled server stalls once, in the step at 400 msgs/s, far below its capacity: without a
     * second trial the search brackets the capacity below 400; with one, the stall is run again and
     * passes, and the search finds the same answer as without the stall.
     */
    @Test
    void aSingleStallIsRunAgainAndDoesNotLowerTheCapacity() throws Exception {
        List<Double> asked = new ArrayList<>();
        RateSearch.Trial stallsOnce = rate -> {
            Step step = server(1000, asked).run(rate);
            boolean first = asked.stream().filter(r -> r == 400.0).count() == 1;
            return rate == 400.0 && first ? new Step(rate, rate, 200, 300_000, 0) : step;
        };
        Outcome fooled = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 20, false), stallsOnce);
        assertTrue(fooled.capacity().orElseThrow() < 400, fooled.toString());

        asked.clear();
        Outcome confirmed = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 20, true), stallsOnce);
        Outcome steady = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 20, true), server(1000, new ArrayList<>()));
        assertEquals(steady.capacity(), confirmed.capacity(), confirmed.toString());
        assertEquals(List.of(50.0, 100.0, 200.0, 400.0, 400.0, 800.0), asked.subList(0, 6), "the stalled rate twice, then on");
        assertEquals(asked.size(), confirmed.curve().size(), "both trials are on the curve");
    }

    /**
     * Only a miss on the p99 alone is run again: one with errors, or behind its schedule, is a miss
     * at once; and a rate the server cannot take misses twice and counts as missed.
     */
    @Test
    void onlyAMissOnTheP99AloneIsRunAgainAndARealOneMissesTwice() throws Exception {
        Plan plan = new Plan(100, 2, 5_000, 0.95, true, 0.05, 10, true);
        Step p99Alone = new Step(100, 100, 100, 5001, 0);
        assertTrue(RateSearch.confirms(plan, List.of(p99Alone)));
        assertTrue(RateSearch.confirms(plan, List.of(new Step(50, 50, 100, 100, 0), p99Alone)));
        assertFalse(RateSearch.confirms(plan, List.of(p99Alone, p99Alone)), "the second trial of its rate decides");
        assertFalse(RateSearch.confirms(plan, List.of(new Step(100, 100, 100, 5001, 1))), "errors");
        assertFalse(RateSearch.confirms(plan, List.of(new Step(100, 90, 100, 5001, 0))), "behind its schedule");
        assertFalse(RateSearch.confirms(plan, List.of(new Step(100, 100, 100, 5000, 0))), "met the bound");
        List<Step> tenSteps = IntStream.range(0, 10).mapToObj(i -> new Step(10 + i, 10 + i, 100, 5001, 0)).toList();
        assertFalse(RateSearch.confirms(plan, tenSteps), "no step left for it (--max-steps 10)");
        assertFalse(RateSearch.confirms(new Plan(100, 2, 5_000, 0.95, true, 0.05, 10, false), List.of(p99Alone)),
                "a plan that does not confirm");

        List<Double> asked = new ArrayList<>();
        Outcome o = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 30, true), server(1000, asked));
        double found = o.capacity().orElseThrow();
        assertTrue(found <= 900 && found >= 900 / 1.05, "found " + found + " in " + o);
        for (Step s : o.curve()) {
            if (RateSearch.confirms(plan, List.of(s))) {
                assertEquals(2, asked.stream().filter(r -> r == s.offered()).count(), "a p99 miss is run twice: " + s.offered());
            }
        }
        assertEquals(1, asked.stream().filter(r -> r == 1600.0).count(), "a miss behind schedule once");
    }

    @Test
    void refusesAPlanThatCouldNotEnd() {
        assertThrows(IllegalArgumentException.class, () -> new Plan(100, 1, 5_000, 0.95, true, 0.05, 10, false));
        assertThrows(IllegalArgumentException.class, () -> new Plan(0, 2, 5_000, 0.95, true, 0.05, 10, false));
        assertThrows(IllegalArgumentException.class, () -> new Plan(100, 2, 5_000, 0.95, true, 0.05, 0, false));
    }
}
