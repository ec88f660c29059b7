package dev.echolab.lab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echolab.common.BadValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures are results: a server that cannot start is reported with its output, and the run goes on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompareFailuresTest {

    record Run(int exit, String out, String err) {
    }

    static Run compare(Path home, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompareCommand cmd = new CompareCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), home);
        int exit = LabCommand.commandLine(cmd, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aServerThatFailsToStartIsAFailedCaseAndTheRunContinues(@TempDir Path tmp) throws Exception {
        Path broken = tmp.resolve("broken-server");
        Files.writeString(broken, "#!/bin/sh\necho \"starting $*\"\necho 'error: the flux capacitor is missing' >&2\nexit 1\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path out = tmp.resolve("out");

        Run r = compare(tmp, "--backends", "nio,blocking", "--connections", "10,20", "--duration", "1s", "--warmup", "0s",
                "--work", "none", "--repeat", "1", "--idle", "10", "--no-reference",
                "--server-command", broken.toString(), "--out", out.toString());

        assertEquals(0, r.exit, r.err);
        JsonNode cases = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("cases");
        assertEquals(6, cases.size(), "2 backends x 2 connection counts + 2 idle cases, all attempted");
        for (JsonNode c : cases) {
            assertEquals("failed", c.get("status").asText());
            assertTrue(c.get("failure").asText().contains("exited before it was ready"), c.toString());
            assertTrue(c.get("server_output").toString().contains("flux capacitor"), c.toString());
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("Failed cases") && html.contains("flux capacitor"));
        assertTrue(r.out.contains("6 of 6 cases failed"), r.out);
    }

    @Test
    void anUnknownBackendIsOneLineWithTheValidIdsThenTheUsageAndExitTwo(@TempDir Path tmp) {
        Run r = compare(tmp, "--backends", "nio,telepathy", "--out", tmp.toString());
        assertEquals(2, r.exit);
        List<String> lines = r.err.lines().toList();
        String first = lines.getFirst();
        assertTrue(first.contains("--backends") && first.contains("unknown backend 'telepathy'") && first.contains("nio"), first);
        assertTrue(r.err.contains("Usage:"), r.err);
    }

    /** Every option that takes a value, with values it must refuse; a new option without any fails the test. */
    static final Map<String, List<String>> BAD_VALUES = Map.ofEntries(
            Map.entry("--backends", List.of("telepathy", "")),
            Map.entry("--connections", List.of("ten", "0", "-5")),
            Map.entry("--duration", List.of("0", "soon")),
            Map.entry("--warmup", List.of("soon", "-1s")),
            Map.entry("--work", List.of("sleep", "io:", "cpu:x")),
            Map.entry("--driver", List.of("quantum")),
            Map.entry("--repeat", List.of("0", "twice")),
            Map.entry("--idle", List.of("-1", "many")),
            Map.entry("--retries", List.of("-1", "twice")),
            Map.entry("--out", List.of("")),
            Map.entry("--server-command", List.of("", " ")),
            Map.entry("--ready-timeout", List.of("0", "soon")));

    @Test
    void everyOptionRefusesABadValueInOneLineThenTheUsageWithExitTwo(@TempDir Path tmp) {
        CompareCommand probe = new CompareCommand(System.out, System.err, tmp);
        BadValues.assertEveryOptionRefusesItsBadValues(LabCommand.commandLine(probe, System.out, System.err).getCommandSpec(),
                BAD_VALUES, (option, value) -> {
                    Run r = option.equals("--out") ? compare(tmp, option, value)
                            : compare(tmp, option, value, "--out", tmp.resolve("never").toString());
                    return new BadValues.Refusal(r.exit, r.err);
                });
    }

    @Test
    void theLabWithoutACommandSaysWhatToDoWithExitTwo() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = LabCommand.commandLine(new LabCommand(), System.out, new PrintStream(err, true, StandardCharsets.UTF_8)).execute();
        assertEquals(2, exit);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("compare"), err.toString(StandardCharsets.UTF_8));
    }
}
