package dev.echolab.common;

import picocli.CommandLine;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * The two grammars of amounts on every echolab command line, each read by one picocli converter
 * per Java type, named on the option ({@code converter = Quantities.Count.class}):
 *
 * <ul>
 *   <li>counts and rates: a decimal number with an optional {@code k} (thousand) or {@code M}
 *       (million): {@code 500}, {@code 10k}, {@code 1.5M}, {@code 2500.5}; a count must come out
 *       whole ({@code 1.5k} is 1500, {@code 1.2345k} is refused);</li>
 *   <li>sizes in bytes: a number with an optional {@code B}, {@code KiB}, {@code MiB} or
 *       {@code GiB} (powers of 1024): {@code 512}, {@code 64KiB}, {@code 1.5MiB}. A bare {@code k}
 *       or {@code KB} is refused: which of 1000 and 1024 it means is the question a size should
 *       not leave open.</li>
 * </ul>
 */
public final class Quantities {

    public static final String COUNT_EXAMPLES = "e.g. 500, 10k, 1.5M";
    public static final String SIZE_EXAMPLES = "e.g. 512, 64KiB, 1.5MiB";

    private Quantities() {
    }

    /** A count or rate: {@code 10k} is 10000.0, {@code 1.5M} 1500000.0. */
    public static double rate(String text) {
        String t = text.strip();
        long unit = 1;
        if (t.endsWith("k")) {
            unit = 1_000;
        } else if (t.endsWith("M")) {
            unit = 1_000_000;
        }
        BigDecimal v = decimal(unit == 1 ? t : t.substring(0, t.length() - 1), true, text, "a number (" + COUNT_EXAMPLES + ")");
        return v.multiply(BigDecimal.valueOf(unit)).doubleValue();
    }

    /** A whole count: {@code 10k} is 10000; {@code 1.2345k} is not a count. */
    public static long count(String text) {
        double v = rate(text);
        if (v != Math.rint(v) || Math.abs(v) > Long.MAX_VALUE / 2.0) {
            throw new IllegalArgumentException("'" + text + "' is not a whole number (" + COUNT_EXAMPLES + ")");
        }
        return (long) v;
    }

    /** A size in bytes: {@code 64KiB} is 65536. */
    public static long bytes(String text) {
        String t = text.strip();
        String lower = t.toLowerCase(Locale.ROOT);
        long unit = 1;
        String digits = t;
        for (String[] u : new String[][] {{"kib", "1024"}, {"mib", "1048576"}, {"gib", "1073741824"}, {"b", "1"}}) {
            if (lower.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                digits = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        String expected = "a size in bytes (" + SIZE_EXAMPLES + ")";
        BigDecimal v = decimal(digits, false, text, expected).multiply(BigDecimal.valueOf(unit));
        if (v.signum() < 0 || v.stripTrailingZeros().scale() > 0 || v.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected);
        }
        return v.longValueExact();
    }

    /** A decimal number; with an exponent ({@code 3.5E8}, as Java prints a double) when {@code exponent}. */
    private static BigDecimal decimal(String digits, boolean exponent, String text, String expected) {
        try {
            if (!digits.strip().matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)" + (exponent ? "([eE][+-]?\\d+)?" : ""))) {
                throw new NumberFormatException();
            }
            return new BigDecimal(digits.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not " + expected);
        }
    }

    private static int toInt(long v, String text) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + text + "' is too large");
        }
        return (int) v;
    }

    /** An {@code int} count option. */
    public static final class Count implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) throws Exception {
            return Cli.parsing(v -> toInt(count(v), v)).convert(value);
        }
    }

    /** A {@code long} count option. */
    public static final class LongCount implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) throws Exception {
            return Cli.<Long>parsing(Quantities::count).convert(value);
        }
    }

    /** A rate option (per second; a fraction allowed). */
    public static final class Rate implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) throws Exception {
            return Cli.<Double>parsing(Quantities::rate).convert(value);
        }
    }

    /** An {@code int} size option, in bytes. */
    public static final class Size implements CommandLine.ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) throws Exception {
            return Cli.parsing(v -> toInt(bytes(v), v)).convert(value);
        }
    }

    /** A {@code long} size option, in bytes. */
    public static final class LongSize implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) throws Exception {
            return Cli.<Long>parsing(Quantities::bytes).convert(value);
        }
    }
}
