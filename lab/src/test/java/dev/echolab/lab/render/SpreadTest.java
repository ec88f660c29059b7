package dev.echolab.lab.render;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A difference within the measured run-to-run spread is a tie; beyond it, a finding; unmeasured, neither. */
class SpreadTest {

    @Test
    void aRatioWithinTheLargerSpreadIsATie() {
        Spread s = new Spread(Map.of("nio|500|none", 0.04, "c-epoll|500|none", 0.10), 0.06);
        assertEquals(true, s.tie(1.09, "nio|500|none", "c-epoll|500|none"), "within c-epoll's own 10%");
        assertEquals(true, s.tie(0.91, "nio|500|none", "c-epoll|500|none"), "below as above");
        assertEquals(false, s.tie(1.11, "nio|500|none", "c-epoll|500|none"), "beyond every spread");
    }

    @Test
    void theRunsSpreadStandsInForACaseMeasuredOnce() {
        Spread s = new Spread(Map.of(), 0.06);
        assertEquals(true, s.tie(1.05, "nio|500|none", "c-epoll|500|none"));
        assertEquals(false, s.tie(1.07, "nio|500|none", "c-epoll|500|none"));
    }

    @Test
    void withoutRepetitionsNothingIsDecided() {
        assertNull(new Spread(Map.of(), null).tie(1.5, "nio|500|none", "c-epoll|500|none"));
    }
}
