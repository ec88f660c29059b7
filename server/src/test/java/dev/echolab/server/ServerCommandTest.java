package dev.echolab.server;

import dev.echolab.common.BadValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/server}'s help and usage errors, in-process: what the command says before it serves anything. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerCommandTest {

    record Result(int exit, String out, String err) {
    }

    static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ServerCommand command = new ServerCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        int exit = ServerCommand.commandLine(command).execute(args);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpListsEveryBackendTransportAndOption() {
        Result r = run("--help");
        assertEquals(0, r.exit());
        for (Backend b : Backend.values()) {
            assertTrue(r.out().contains("  " + b.id() + " ") && r.out().contains(b.summary()), "help lacks backend " + b.id());
        }
        for (Transport t : Transport.values()) {
            assertTrue(r.out().contains("  " + t.id() + " "), "help lacks transport " + t.id());
        }
        for (String option : List.of("--transport", "--work", "--offload", "--processes", "--threads",
                "--max-connections", "--idle-timeout", "--max-buffered", "--drain-timeout")) {
            assertTrue(r.out().contains(option + "="), "help lacks " + option);
        }
        assertFalse(r.out().contains("PT"), "durations as people type them:\n" + r.out());
    }

    @Test
    void threadsAndOffloadHelpComeFromTheRegistry() {
        String help = run("--help").out().replaceAll("\\s+", " ");
        for (Backend b : Backend.values()) {
            Backend.Threads t = b.threads();
            if (t.role() != null) {
                String expected = b.id() + ": " + t.role() + (b.threadsPerCpu() ? " (default: one per CPU)" : " (default " + t.count() + ")");
                assertTrue(help.contains(expected), "--threads help lacks '" + expected + "': " + help);
            }
        }
        assertTrue(help.contains("Ignored by " + Backend.ids(b -> b.threads().role() == null) + "."), help);
        assertTrue(help.contains("Backends " + Backend.ids(Backend::offloads) + ": run --work"), help);
    }

    /** Every option that takes a value, with values it must refuse; a new option without any fails the test. */
    static final Map<String, List<String>> BAD_VALUES = Map.ofEntries(
            Map.entry("--backend", List.of("carrier-pigeon", "")),
            Map.entry("--host", List.of("", " ")),
            Map.entry("--port", List.of("eighty", "-1", "99999")),
            Map.entry("--threads", List.of("-1", "many")),
            Map.entry("--transport", List.of("quic")),
            Map.entry("--work", List.of("xyz", "io:", "io:5", "cpu:fast", "sleep:5ms")),
            Map.entry("--offload", List.of("-1", "some")),
            Map.entry("--max-connections", List.of("0", "lots", "1.2345k")),
            Map.entry("--idle-timeout", List.of("soon", "-1s", "5")),
            Map.entry("--max-buffered", List.of("0", "1e9", "64KB")),
            Map.entry("--processes", List.of("0", "two")),
            Map.entry("--drain-timeout", List.of("soon", "-1s", "5")),
            Map.entry("--tally", List.of("sloppy", "")));

    @Test
    void everyOptionRefusesABadValueInOneLineThenTheUsageWithExitTwo() {
        BadValues.assertEveryOptionRefusesItsBadValues(ServerCommand.commandLine(new ServerCommand()).getCommandSpec(), BAD_VALUES,
                (option, value) -> {
                    // A value let through would start a server: on a free port then, and the timeout ends it.
                    Result r = option.equals("--port") ? run(option, value) : run(option, value, "--port", "0");
                    return new BadValues.Refusal(r.exit(), r.err());
                });
    }

    @Test
    void aHostThatDoesNotResolveIsOneLineWithExitOneAndNoWarningFirst() {
        Result r = run("--host", "999.1.1.1", "--port", "0");
        assertEquals(1, r.exit(), r.toString());
        assertEquals(List.of("cannot resolve host '999.1.1.1'"), r.err().lines().toList());
    }

    @Test
    void rejectsAnUnknownBackendNamingEveryValidOneWithUsageAndExitTwo() {
        Result r = run("--backend", "carrier-pigeon");
        assertEquals(2, r.exit());
        String first = r.err().lines().findFirst().orElseThrow();
        assertTrue(first.contains("--backend") && first.contains("unknown backend 'carrier-pigeon'"), first);
        for (Backend b : Backend.values()) {
            assertTrue(first.contains(b.id()), "valid choices listed: " + first);
        }
        assertTrue(r.err().contains("Usage:"), r.err());
    }
}
