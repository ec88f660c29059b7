package dev.echolab.lab.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echolab.common.BadValues;
import dev.echolab.lab.LabCommand;
import dev.echolab.lab.peer.Toolchain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures are results: a server that cannot start is reported with its output, and the run goes on. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public class CompareFailuresTest {

    public record Run(int exit, String out, String err) {
    }

    static Run compare(Path home, String... args) {
        return compare(home, null, args);
    }

    /** With {@code toolchain} (null: this machine's) as where the peers' tools are found. */
    static Run compare(Path home, Toolchain toolchain, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompareCommand cmd = new CompareCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), home);
        if (toolchain != null) {
            cmd.toolchain = toolchain;
        }
        int exit = LabCommand.commandLine(cmd, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)).execute(args);
        return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aServerThatFailsToStartIsAFailedCaseAndTheRunContinues(@TempDir Path tmp) throws Exception {
        Path broken = broken(tmp);
        Path out = tmp.resolve("out");

        Run r = compare(tmp, "--backends", "nio,blocking", "--connections", "10,20", "--duration", "1s", "--warmup", "0s",
                "--work", "none", "--repeat", "1", "--idle", "10", "--no-reference",
                "--backend-command", broken.toString(), "--out", out.toString());

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

    @Test
    void aPeerWhoseToolchainIsMissingIsOneLineSayingWhatToInstallAndTheRunGoesOn(@TempDir Path tmp) throws Exception {
        Toolchain bare = new Toolchain(List.of(tmp.resolve("empty")), tmp.resolve("no-python3"));
        Path out = tmp.resolve("out");
        Run r = compare(tmp, bare, "--backends", "nio", "--peers", "all", "--connections", "10", "--duration", "1s",
                "--warmup", "0s", "--work", "none", "--repeat", "1", "--idle", "0",
                "--backend-command", broken(tmp).toString(), "--out", out.toString());

        assertEquals(0, r.exit, r.err);
        assertEquals(List.of(
                "peer c-epoll skipped: gcc not installed (apt-get install gcc)",
                "peer c-threads skipped: gcc not installed (apt-get install gcc)",
                "peer go skipped: go not installed (apt-get install golang-go)",
                "peer gevent skipped: gevent not installed (apt-get install python3-gevent)",
                "peer py-threads skipped: python3 not installed (apt-get install python3)",
                "peer py-asyncio skipped: python3 not installed (apt-get install python3)",
                "peer c-select skipped: gcc not installed (apt-get install gcc)",
                "peer c-poll skipped: gcc not installed (apt-get install gcc)",
                "peer c-fork skipped: gcc not installed (apt-get install gcc)",
                "peer py-fork skipped: python3 not installed (apt-get install python3)",
                "peer gevent-chapter skipped: gevent not installed (apt-get install python3-gevent)"), r.err.lines().toList());
        JsonNode cases = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("cases");
        assertEquals(1, cases.size(), "the backend's case still ran: " + cases);
        assertEquals("nio", cases.get(0).get("backend").asText());
    }

    @Test
    void geventMissingFromDebiansPythonIsSaidAsSuch(@TempDir Path tmp) throws Exception {
        Path python = tmp.resolve("python3");
        Files.writeString(python, "#!/bin/sh\nexit 1\n"); // a Python without gevent: the import fails
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        Toolchain toolchain = new Toolchain(List.of(), python);
        assertEquals(Optional.empty(), toolchain.missing(Toolchain.Tool.PYTHON));
        assertEquals("gevent not installed (apt-get install python3-gevent)", toolchain.missing(Toolchain.Tool.GEVENT).orElseThrow());
    }

    @Test
    void referenceAddsAndNoReferenceRemovesTheCEpollPeer(@TempDir Path tmp) {
        Toolchain bare = new Toolchain(List.of(tmp.resolve("empty")), tmp.resolve("no-python3"));
        String[] quick = {"--backends", "nio", "--connections", "1", "--duration", "1s", "--warmup", "0s", "--work", "none",
                "--repeat", "1", "--idle", "0", "--backend-command", "/bin/false", "--out", tmp.resolve("out").toString()};
        assertEquals(List.of("c-epoll"), skipped(compare(tmp, bare, quick)), "the default");
        assertEquals(List.of("c-epoll", "go"), skipped(compare(tmp, bare, with(quick, "--peers", "go", "--reference"))));
        assertEquals(List.of("go"), skipped(compare(tmp, bare, with(quick, "--peers", "c-epoll,go", "--no-reference"))));
        assertEquals(List.of(), skipped(compare(tmp, bare, with(quick, "--peers", "none"))));
    }

    @Test
    void anUnknownPeerIsOneLineWithTheValidIdsThenTheUsageAndExitTwo(@TempDir Path tmp) {
        Run r = compare(tmp, "--peers", "c-epoll,rust", "--out", tmp.toString());
        assertEquals(2, r.exit);
        String first = r.err.lines().findFirst().orElseThrow();
        assertTrue(first.contains("--peers") && first.contains("unknown peer 'rust'") && first.contains("all, none, c-epoll, c-threads, go"), first);
        assertTrue(r.err.contains("Usage:"), r.err);
    }

    /** The peers a run skipped, from its one-line reasons. */
    private static List<String> skipped(Run r) {
        return r.err.lines().filter(l -> l.startsWith("peer ")).map(l -> l.split(" ")[1]).toList();
    }

    private static String[] with(String[] args, String... more) {
        return Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
    }

    private static Path broken(Path tmp) throws Exception {
        Path broken = tmp.resolve("broken-server");
        Files.writeString(broken, "#!/bin/sh\necho \"starting $*\"\necho 'error: the flux capacitor is missing' >&2\nexit 1\n");
        Files.setPosixFilePermissions(broken, PosixFilePermissions.fromString("rwxr-xr-x"));
        return broken;
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
            Map.entry("--peers", List.of("telepathy", "", "c-epoll,,go")),
            Map.entry("--out", List.of("")),
            Map.entry("--backend-command", List.of("", " ")),
            Map.entry("--server-command", List.of("", "mine", "=bin/server", "mine=", "my server=x", "nio=bin/server")),
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
