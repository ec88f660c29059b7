package dev.echolab.loadgen.search;

import dev.echolab.loadgen.search.RateSearch.Outcome;
import dev.echolab.loadgen.search.RateSearch.Plan;
import dev.echolab.loadgen.search.RateSearch.Step;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

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
        Outcome o = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.05, 20), server(1000, asked));
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
        Outcome o = RateSearch.run(new Plan(100, 1.5, 5_000, 0.95, false, 0.05, 20), server(1000, asked));
        assertEquals(List.of(100.0, 150.0, 225.0, 337.5, 506.25, 759.375, 1139.0625), asked);
        assertEquals(759.375, o.capacity().orElseThrow());
        assertTrue(o.stop().startsWith("missed at 1139 msgs/s"), o.stop());
    }

    @Test
    void errorsAndFallingBehindAreMissesEvenUnderTheLatencyBound() {
        Plan plan = new Plan(100, 2, 5_000, 0.95, true, 0.05, 10);
        assertEquals("3 errors", RateSearch.miss(plan, new Step(100, 100, 100, 100, 3)));
        assertEquals("achieved 90 of 100 msgs/s", RateSearch.miss(plan, new Step(100, 90, 100, 100, 0)));
        assertEquals("p99 5001 us above 5000 us", RateSearch.miss(plan, new Step(100, 100, 100, 5001, 0)));
        assertEquals("", RateSearch.miss(plan, new Step(100, 95, 100, 5000, 0)));
    }

    @Test
    void stopsAfterMaxStepsWhetherRisingOrBisecting() throws Exception {
        List<Double> asked = new ArrayList<>();
        Outcome rising = RateSearch.run(new Plan(1, 2, 5_000, 0.95, true, 0.05, 4), server(1e9, asked));
        assertEquals(4, rising.curve().size());
        assertEquals(8.0, rising.capacity().orElseThrow());
        assertTrue(rising.bracket().isEmpty());
        assertTrue(rising.stop().contains("capacity is higher"), rising.stop());

        Outcome bisecting = RateSearch.run(new Plan(50, 2, 5_000, 0.95, true, 0.001, 8), server(1000, new ArrayList<>()));
        assertEquals(8, bisecting.curve().size());
        assertTrue(bisecting.stop().startsWith("out of steps"), bisecting.stop());
    }

    @Test
    void aServerThatMissesAtTheFirstRateHasNoCapacity() throws Exception {
        Outcome o = RateSearch.run(new Plan(2000, 2, 5_000, 0.95, true, 0.05, 10), server(1000, new ArrayList<>()));
        assertFalse(o.capacity().isPresent());
        assertEquals(1, o.curve().size());
    }

    @Test
    void refusesAPlanThatCouldNotEnd() {
        assertThrows(IllegalArgumentException.class, () -> new Plan(100, 1, 5_000, 0.95, true, 0.05, 10));
        assertThrows(IllegalArgumentException.class, () -> new Plan(0, 2, 5_000, 0.95, true, 0.05, 10));
        assertThrows(IllegalArgumentException.class, () -> new Plan(100, 2, 5_000, 0.95, true, 0.05, 0));
    }
}
