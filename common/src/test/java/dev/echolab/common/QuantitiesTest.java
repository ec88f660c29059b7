package dev.echolab.common;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantitiesTest {

    @Test
    void countsAndRatesTakeThousandsAndMillions() throws Exception {
        assertEquals(500, new Quantities.Count().convert("500"));
        assertEquals(10_000, new Quantities.Count().convert("10k"));
        assertEquals(1_500_000L, new Quantities.LongCount().convert("1.5M"));
        assertEquals(2_500.5, new Quantities.Rate().convert("2500.5"));
        assertEquals(20_000.0, new Quantities.Rate().convert("20k"));
        assertEquals(1_500.0, new Quantities.Rate().convert("1.5k"));
    }

    @Test
    void sizesTakeBinaryUnits() throws Exception {
        assertEquals(512, new Quantities.Size().convert("512"));
        assertEquals(65_536, new Quantities.Size().convert("64KiB"));
        assertEquals(1_572_864L, new Quantities.LongSize().convert("1.5MiB"));
        assertEquals(2L << 30, new Quantities.LongSize().convert("2GiB"));
        assertEquals(100, new Quantities.Size().convert("100B"));
    }

    @Test
    void refusesWhatIsNotAnAmountOfItsKind() {
        for (String bad : new String[] {"1.2345k", "ten", "10K", "1.5", "", "k"}) {
            CommandLine.TypeConversionException e = assertThrows(CommandLine.TypeConversionException.class,
                    () -> new Quantities.Count().convert(bad), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        for (String bad : new String[] {"1k", "64KB", "0.5B", "-1KiB", "3000000000"}) {
            assertThrows(CommandLine.TypeConversionException.class, () -> new Quantities.Size().convert(bad), bad);
        }
    }
}
