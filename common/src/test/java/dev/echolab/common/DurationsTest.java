package dev.echolab.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DurationsTest {

    @Test
    void readsWhatPeopleType() {
        assertEquals(Duration.ofSeconds(10), Durations.parse("10s"));
        assertEquals(Duration.ofMillis(1500), Durations.parse("1.5s"));
        assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
        assertEquals(Duration.ofNanos(250_000), Durations.parse("250us"));
        assertEquals(Duration.ofNanos(250_000), Durations.parse("250µs"));
        assertEquals(Duration.ofNanos(300), Durations.parse("300ns"));
        assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
        assertEquals(Duration.ofHours(1), Durations.parse(" 1H "));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        assertEquals(Duration.ZERO, Durations.parse("off"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"soon", "5", "-1s", "1.5", "s", "PT5S", "5 seconds", "99999999999h", ""})
    void refusesAnythingElseSayingWhatWouldDo(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
        assertTrue(e.getMessage().contains("'" + text + "'"), e.getMessage());
    }

    @Test
    void printsDurationsBackInTheSameGrammar() {
        for (String typed : new String[] {"5s", "1500ms", "250us", "2m", "1h", "0s", "7ns", "90s"}) {
            assertEquals(typed, Durations.format(Durations.parse(typed)));
        }
        assertEquals("1500ms", Durations.format(Durations.parse("1.5s")));
    }

    @Test
    void theLongestDurationIsTheLargestNanosecondCountAndOneMoreIsTooLong() {
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), Durations.parse(Long.MAX_VALUE + "ns"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("9223372036854775808ns"));
        assertEquals("'9223372036854775808ns' is too long a duration", e.getMessage());
    }
}
