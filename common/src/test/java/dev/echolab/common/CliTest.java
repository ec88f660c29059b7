package dev.echolab.common;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The error forms every command shares, on a small command of its own. */
class CliTest {

    enum Colour {
        RED, GREEN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Command(name = "demo", mixinStandardHelpOptions = true)
    static final class Demo implements Callable<Integer> {
        @Option(names = "--wait", defaultValue = "5s", description = "A wait (default: ${DEFAULT-VALUE}).")
        Duration wait;

        @Option(names = "--colour", defaultValue = "red")
        Colour colour;

        @Option(names = "--fail")
        String fail;

        @Option(names = "--verbose")
        boolean verbose;

        @Option(names = "--count", defaultValue = "3")
        int count;

        @Option(names = "--limit", defaultValue = "1000")
        int limit;

        @Option(names = "--big")
        long big;

        @Option(names = "--ratio")
        double ratio;

        @Option(names = "--file")
        Path file;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            if (count > 100) {
                throw Cli.invalid(spec.commandLine(), "--count", "a count from 0 to 100");
            }
            if (limit > 500 && count == 0) {
                throw Cli.invalid(spec.commandLine(), "--limit", "a limit from 0 to 500");
            }
            if (fail != null && fail.startsWith("foreseen: ")) {
                throw new Cli.Failure(fail.substring("foreseen: ".length()));
            }
            if (fail != null) {
                throw new IllegalStateException(fail.isEmpty() ? null : fail);
            }
            return 0;
        }
    }

    record Run(int exit, String out, List<String> err, Demo demo) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Demo demo = new Demo();
        var cl = Cli.commandLine(demo, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        cl.registerConverter(Colour.class, Cli.byId(Colour.class, "colour"));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).lines().toList(), demo);
    }

    @Test
    void aBadValueIsOneLineNamingTheOptionTheValueAndWhatWouldDoThenTheUsage() {
        Run r = run("--wait", "soon");
        assertEquals(Cli.USAGE, r.exit());
        assertEquals("Invalid value for option '--wait': 'soon' is not a duration (" + Durations.EXAMPLES + ")", r.err().getFirst());
        assertEquals("", r.err().get(1), "a blank line between the error and the usage");
        assertTrue(r.err().get(2).startsWith("Usage: demo"), r.err().toString());
        Run colour = run("--colour", "blue");
        assertEquals("Invalid value for option '--colour': unknown colour 'blue' (valid: red, green)", colour.err().getFirst());
    }

    @Test
    void durationsDefaultAndHelpAsPeopleTypeThem() {
        Run r = run("--help");
        assertEquals(Cli.OK, r.exit());
        assertTrue(r.out().contains("(default: 5s)"), r.out());
        assertFalse(r.out().contains("PT5S"), r.out());
    }

    @Test
    void aFailureIsOneLineWithExitOneAndAStackTraceOnlyWhenVerbose() {
        Run r = run("--fail", "disk full");
        assertEquals(Cli.FAILURE, r.exit());
        assertEquals(List.of("error: disk full"), r.err());
        assertEquals(List.of("error: unexpected failure (--verbose shows where)"), run("--fail", "").err());
        assertTrue(run("--fail", "disk full", "--verbose").err().stream().anyMatch(l -> l.strip().startsWith("at ")));
    }

    @Test
    void numbersAndFileNamesAreReadAndABadOneIsOneLineInTheUsersWords() {
        Demo d = run("--count", " 7 ", "--big", "5000000000", "--ratio", "0.25", "--file", "out.json", "--colour", "GREEN").demo();
        assertEquals(7, d.count);
        assertEquals(5_000_000_000L, d.big);
        assertEquals(0.25, d.ratio);
        assertEquals(Path.of("out.json"), d.file);
        assertEquals(Colour.GREEN, d.colour);
        assertEquals("Invalid value for option '--count': 'x' is not a whole number", run("--count", "x").err().getFirst());
        assertEquals("Invalid value for option '--big': '1.5' is not a whole number", run("--big", "1.5").err().getFirst());
        assertEquals("Invalid value for option '--ratio': 'NaN' is not a number", run("--ratio", "NaN").err().getFirst());
        assertEquals("Invalid value for option '--ratio': 'Infinity' is not a number", run("--ratio", "Infinity").err().getFirst());
        assertEquals("Invalid value for option '--ratio': 'half' is not a number", run("--ratio", "half").err().getFirst());
        assertEquals("Invalid value for option '--file': ' ' is not a file name", run("--file", " ").err().getFirst());
        assertEquals("Invalid value for option '--file': 'a\u0000b' is not a file name", run("--file", "a\u0000b").err().getFirst());
    }

    @Test
    void aValueOutOfRangeFoundAfterParsingQuotesWhatWasTypedOrTheDefault() {
        Run typed = run("--count", "101");
        assertEquals(Cli.USAGE, typed.exit());
        assertEquals("Invalid value for option '--count': '101' is not a count from 0 to 100", typed.err().getFirst());
        Run defaulted = run("--count", "0");
        assertEquals(Cli.USAGE, defaulted.exit());
        assertEquals("Invalid value for option '--limit': '1000' is not a limit from 0 to 500", defaulted.err().getFirst());
    }

    @Test
    void aForeseenFailureIsItsOwnLineAndExitOne() {
        Run r = run("--fail", "foreseen: port 8080 is already in use");
        assertEquals(Cli.FAILURE, r.exit());
        assertEquals(List.of("port 8080 is already in use"), r.err());
    }

    enum Transport implements Cli.Choice {
        IO_URING
    }

    @Test
    void aChoicesIdIsItsNameInLowerCase() {
        assertEquals("io_uring", Transport.IO_URING.id());
    }
}
