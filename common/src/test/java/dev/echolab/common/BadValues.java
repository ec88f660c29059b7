package dev.echolab.common;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-usage half of the command-line contract (docs/design.md, "Exit status and errors"),
 * checked the same way for every command: each option that takes a value is listed with values it
 * must refuse, and the list is held against picocli's own model of the command, so an option added
 * without bad values fails the test that uses this.
 */
public final class BadValues {

    /** A Java class name (java.net..., dev.echolab...) or an exception's name: neither belongs in a message. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(java|javax|jdk|sun|picocli|dev\\.echolab)\\.[a-z]|[A-Za-z]*Exception\\b|\\tat ");

    private BadValues() {
    }

    /** Every option of {@code spec} that takes a value (hidden ones too), by its longest name. */
    public static List<String> valuedOptions(CommandSpec spec) {
        List<String> names = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.arity().max() > 0) {
                names.add(o.longestName());
            }
        }
        return names;
    }

    /**
     * Asserts that {@code table} names every option of {@code spec} that takes a value, then runs each
     * bad value through {@code run} (option and value in, exit status and standard error out) and
     * checks the refusal: exit 2, a first line that names the option and the value and says what
     * would be valid, no class name or stack trace, then the usage.
     */
    public static void assertEveryOptionRefusesItsBadValues(CommandSpec spec, Map<String, List<String>> table,
                                                            BiFunction<String, String, Refusal> run) {
        List<String> missing = valuedOptions(spec).stream().filter(o -> !table.containsKey(o)).toList();
        assertTrue(missing.isEmpty(), spec.name() + ": options without bad values in the table: " + missing);
        table.forEach((option, values) -> {
            assertTrue(valuedOptions(spec).contains(option), spec.name() + " has no option " + option);
            assertFalse(values.isEmpty(), option + ": at least one bad value");
            for (String value : values) {
                assertRefused(option, value, run.apply(option, value));
            }
        });
    }

    /** What a command said when given one bad value. */
    public record Refusal(int exit, String err) {
    }

    static void assertRefused(String option, String value, Refusal r) {
        String what = option + " " + (value.isEmpty() ? "''" : value) + ":\n" + r.err();
        assertEquals(Cli.USAGE, r.exit(), what);
        String first = r.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("Invalid value for option '" + option + "'"), "names the option: " + what);
        assertTrue(first.contains("'" + Cli.shown(value) + "'"), "names the value: " + what);
        assertTrue(first.contains(" is not ") || first.contains("(valid: "), "says what would be valid: " + what);
        assertFalse(CLASS_NAME.matcher(r.err()).find(), "no class name or stack trace: " + what);
        assertTrue(r.err().contains("Usage: "), "then the usage: " + what);
    }
}
