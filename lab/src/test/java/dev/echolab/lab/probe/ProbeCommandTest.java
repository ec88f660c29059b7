package dev.echolab.lab.probe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.echolab.common.Descriptors;
import dev.echolab.lab.LabCommand;
import dev.echolab.lab.compare.CompareFailuresTest;
import dev.echolab.server.ReadyLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code bin/lab probe}: each fact as a script reads it, and one line with exit 1 or 2 otherwise. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ProbeCommandTest {

    private static final long SELF = ProcessHandle.current().pid();

    static CompareFailuresTest.Run probe(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = LabCommand.commandLine(new ProbeCommand(), o, e).execute(args);
        return new CompareFailuresTest.Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void readyPrintsThePortOfTheFirstReadyLineInTheLog(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("server.log");
        Files.writeString(log, "echolab server: backend=nio port=0\n"
                + new ReadyLine("127.0.0.1", 41234, "nio", "reactors=2") + "\n"
                + new ReadyLine("127.0.0.1", 9, "nio", "") + "\n");
        CompareFailuresTest.Run r = probe("ready", "--pid", String.valueOf(SELF), "--log", log.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals("41234\n", r.out());
    }

    @Test
    void readyFailsInOneLineWhenTheServerEndsOrTimeRunsOut(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("server.log");
        Files.writeString(log, "Address already in use\n");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        CompareFailuresTest.Run ended = probe("ready", "--pid", String.valueOf(gone.pid()), "--log", log.toString());
        assertEquals(1, ended.exit());
        assertEquals(List.of("the server (pid " + gone.pid() + ") ended before it was ready; see " + log), ended.err().lines().toList());

        CompareFailuresTest.Run late = probe("ready", "--pid", String.valueOf(SELF), "--log", log.toString(), "--timeout", "300ms");
        assertEquals(1, late.exit());
        assertEquals(List.of("the server (pid " + SELF + ") was not ready within 300ms; see " + log), late.err().lines().toList());
    }

    @Test
    void statsPrintsTheLatestStatsLineAsTheServerPrintedIt(@TempDir Path tmp) throws Exception {
        Path log = tmp.resolve("server.log");
        String first = "connections=3 accepted=10 waiting=0 bytes=4096";
        String last = "connections=2 accepted=12 waiting=1 bytes=8192 rejected=4";
        Files.writeString(log, new ReadyLine("127.0.0.1", 41234, "pool", "") + "\n" + first + "\n" + last
                + "\nconnections=oops\n");
        CompareFailuresTest.Run r = probe("stats", "--log", log.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(last + "\n", r.out());
        Files.writeString(log, "nothing yet\n");
        assertEquals("", probe("stats", "--log", log.toString()).out());
        assertEquals(1, probe("stats", "--log", tmp.resolve("none").toString()).exit());
    }

    @Test
    void durationPrintsSecondsAsADecimalAndMillisecondsWhole() {
        assertEquals("0.0015\n", probe("duration", "1500us", "--in", "s").out());
        assertEquals("1\n", probe("duration", "1500us", "--in", "ms").out());
        assertEquals("120\n", probe("duration", "2m", "--in", "s").out());
        assertEquals("90000\n", probe("duration", "90s", "--in", "ms").out());
        CompareFailuresTest.Run bare = probe("duration", "10", "--in", "s");
        assertEquals(2, bare.exit());
        assertTrue(bare.err().lines().findFirst().orElse("").contains("'10' is not a duration"), bare.err());
    }

    @Test
    void processesFillEachUpToItsOpenFilesLessTheJvmsOwn() {
        OptionalLong soft = Descriptors.softLimit();
        long per = soft.isEmpty() ? Long.MAX_VALUE / 2 : soft.getAsLong() - Descriptors.JVM_HEADROOM;
        assertEquals("1\n", probe("processes", "--connections", "1").out());
        assertEquals("1\n", probe("processes", "--connections", String.valueOf(per)).out());
        assertEquals(soft.isEmpty() ? "1\n" : "2\n", probe("processes", "--connections", String.valueOf(per + 1)).out());
        assertEquals(2, probe("processes", "--connections", "0").exit());
    }

    @Test
    void sampleReadsThisJvmAndTheMachineCountTimes() throws Exception {
        CompareFailuresTest.Run r = probe("sample", "--pid", String.valueOf(SELF), "--every", "100ms", "--count", "3");
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            lines.add(new ObjectMapper().readTree(line));
        }
        assertEquals(3, lines.size(), r.out());
        JsonNode first = lines.getFirst();
        JsonNode server = first.get("server");
        JsonNode machine = first.get("machine");
        assertEquals(List.of("epoch_ms", "server", "machine"), names(first));
        assertEquals(List.of("processes", "cpu_s", "rss_kib", "threads", "fds"), names(server));
        assertEquals(List.of("busy_s", "total_s", "steal_s", "tcp_mem_kib"), names(machine));
        // A JVM with no child process: one process, many threads (JIT, GC...), open jars, some CPU.
        assertEquals(1, server.get("processes").asInt(), server.toString());
        assertTrue(server.get("threads").asInt() > 1, server.toString());
        assertTrue(server.get("rss_kib").asLong() > 1024 && server.get("fds").asLong() > 1 && server.get("cpu_s").asDouble() > 0,
                server.toString());
        assertTrue(machine.get("steal_s").asDouble() <= machine.get("busy_s").asDouble()
                && 0 < machine.get("busy_s").asDouble() && machine.get("busy_s").asDouble() < machine.get("total_s").asDouble(),
                machine.toString());
        assertTrue(lines.get(0).get("epoch_ms").asLong() <= lines.get(2).get("epoch_ms").asLong()
                && first.get("epoch_ms").asLong() <= System.currentTimeMillis(), r.out());
    }

    @Test
    void sampleOfNoProcessIsOneLineAndExitOne() {
        Process gone;
        try {
            gone = new ProcessBuilder("true").start();
            gone.waitFor();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        CompareFailuresTest.Run r = probe("sample", "--pid", String.valueOf(gone.pid()), "--count", "1");
        assertEquals(1, r.exit());
        assertEquals(List.of("no process " + gone.pid() + " to sample"), r.err().lines().toList());
    }

    private static List<String> names(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
