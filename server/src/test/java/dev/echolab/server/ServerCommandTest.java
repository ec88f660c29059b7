package dev.echolab.server;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/server}'s help and usage errors, in-process: what the command says before it serves anything. */
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
                "--max-connections", "--idle-timeout", "--max-buffered")) {
            assertTrue(r.out().contains(option + "="), "help lacks " + option);
        }
        assertFalse(r.out().contains("PT"), "durations as people type them:\n" + r.out());
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
