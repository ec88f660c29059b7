package dev.echolab.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people type them, the same for every option of every command: a number, possibly
 * with a fraction, and a unit ({@code ns}, {@code us} or {@code µs}, {@code ms}, {@code s},
 * {@code m}, {@code h}): {@code 5s}, {@code 1.5s}, {@code 500ms}, {@code 250us}, {@code 2m}; and
 * {@code 0} (or {@code off}) for none. {@link #format} prints a duration back in that grammar.
 */
public final class Durations {

    /** What the grammar looks like, for error messages. */
    public static final String EXAMPLES = "e.g. 5s, 1.5s, 500ms, 250us, 2m";

    private static final Pattern SPEC = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|µs|ms|s|m|h)");
    private static final long NANOS_PER_HOUR = 3_600_000_000_000L;
    private static final long NANOS_PER_MINUTE = 60_000_000_000L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private Durations() {
    }

    /**
     * Parses {@code text}; an {@link IllegalArgumentException} says what is wrong with it in words
     * a user can act on.
     */
    public static Duration parse(String text) {
        String s = text.strip().toLowerCase(Locale.ROOT);
        if (s.equals("0") || s.equals("off")) {
            return Duration.ZERO;
        }
        Matcher m = SPEC.matcher(s);
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration (" + EXAMPLES + ")");
        }
        long nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us", "µs" -> 1_000;
            case "ms" -> 1_000_000;
            case "s" -> NANOS_PER_SECOND;
            case "m" -> NANOS_PER_MINUTE;
            default -> NANOS_PER_HOUR;
        };
        BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(nanosPerUnit));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return Duration.ofNanos(nanos.longValue());
    }

    /** The shortest exact way to type {@code d}: {@code 5s}, {@code 1500ms}, {@code 250us}, {@code 0s}. */
    public static String format(Duration d) {
        long n = d.toNanos();
        if (n == 0) {
            return "0s";
        }
        if (n % NANOS_PER_HOUR == 0) {
            return n / NANOS_PER_HOUR + "h";
        }
        if (n % NANOS_PER_MINUTE == 0) {
            return n / NANOS_PER_MINUTE + "m";
        }
        if (n % NANOS_PER_SECOND == 0) {
            return n / NANOS_PER_SECOND + "s";
        }
        if (n % 1_000_000 == 0) {
            return n / 1_000_000 + "ms";
        }
        if (n % 1_000 == 0) {
            return n / 1_000 + "us";
        }
        return n + "ns";
    }
}
