package dev.echolab.common;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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

        @Override
        public Integer call() {
            if (fail != null) {
                throw new IllegalStateException(fail.isEmpty() ? null : fail);
            }
            return 0;
        }
    }

    record Run(int exit, String out, List<String> err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Demo demo = new Demo();
        var cl = Cli.commandLine(demo, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        cl.registerConverter(Colour.class, Cli.byId(Colour.class, "colour"));
        int exit = cl.execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8).lines().toList());
    }

    @Test
    void aBadValueIsOneLineNamingTheOptionTheValueAndWhatWouldDoThenTheUsage() {
        Run r = run("--wait", "soon");
        assertEquals(Cli.USAGE, r.exit());
        assertEquals("Invalid value for option '--wait': 'soon' is not a duration (" + Durations.EXAMPLES + ")", r.err().getFirst());
        assertTrue(r.err().stream().anyMatch(l -> l.startsWith("Usage: demo")), r.err().toString());
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
}
