package dev.echolab.lab;

import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.server.ReadyLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/loadgen --reconnect-on-fault} through a fault: three load generators at once against
 * {@code bin/server --processes 2}, and the child that holds the most connections killed with
 * SIGKILL while they measure. The two that reconnect (blocking and nio drivers) end clean: every
 * failure counted by kind and recovered, no connection lost, no message lost, no mismatch, and an
 * availability below 1 (the outage) and above 0. The one without the option reports the failures
 * as errors, as it always did, and its connections stay down. Here, not in the loadgen's module,
 * because it needs the server's launcher and jar.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReconnectThroughFaultsIT {

    static final Path ROOT = LabCompareIT.ROOT;

    @Test
    void aKilledChildCostsReconnectingClientsNoMessageAndTheOthersTheirConnections(@TempDir Path tmp) throws Exception {
        Process server = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--port", "0", "--processes", "2")
                .directory(ROOT.toFile()).redirectError(tmp.resolve("server.err").toFile()).start();
        List<Process> loads = new ArrayList<>();
        try {
            int port = readyPort(server);
            String[][] runs = {{"platform", "--reconnect-on-fault"}, {"nio", "--reconnect-on-fault"}, {"platform"}};
            for (int i = 0; i < runs.length; i++) {
                List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/loadgen").toString(), "--port",
                        String.valueOf(port), "--connections", "20", "--warmup", "1s", "--duration", "5s", "--driver", runs[i][0],
                        "--json", tmp.resolve(i + ".json").toString()));
                command.addAll(List.of(runs[i]).subList(1, runs[i].length));
                loads.add(new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                        .redirectOutput(tmp.resolve(i + ".log").toFile()).start());
            }
            for (int i = 0; i < runs.length; i++) {
                awaitMeasuring(loads.get(i), tmp.resolve(i + ".log"));
            }
            ProcessHandle victim = server.children().max(Comparator.comparingLong(ReconnectThroughFaultsIT::sockets)).orElseThrow();
            assertTrue(victim.destroyForcibly()); // SIGKILL
            for (Process load : loads) {
                assertTrue(load.waitFor(60, TimeUnit.SECONDS), "a load generator did not finish");
            }
            for (int i = 0; i < 2; i++) {
                String log = Files.readString(tmp.resolve(i + ".log"));
                JsonReport r = JsonReport.read(tmp.resolve(i + ".json"));
                JsonReport.Faults f = r.faults();
                assertEquals(0, loads.get(i).exitValue(), "--driver " + runs[i][0] + " with reconnect:\n" + log);
                assertTrue(f.failures() > 0, "the kill cost no failure:\n" + log);
                assertEquals(f.failures(), f.failuresByKind().values().stream().mapToLong(Long::longValue).sum(), log);
                assertTrue(f.failuresByKind().get("reset") + f.failuresByKind().get("closed_early") > 0, log);
                assertTrue(f.recovered() > 0, log);
                assertEquals(0, f.connectionsLost(), log);
                assertEquals(0, r.errors(), log);
                assertEquals(0, r.mismatches(), log);
                assertEquals(0, f.lostMsgs(), log);
                assertEquals(0, f.lostBytes(), log);
                assertTrue(f.failedMsgs() > 0 && f.failedMsgs() <= f.failures(), log); // pipeline 1: at most one a failure
                assertTrue(f.availability() > 0 && f.availability() < 1, "availability " + f.availability() + ":\n" + log);
                assertTrue(log.contains("Faults: " + f.failures() + " failures"), log);
            }
            String log = Files.readString(tmp.resolve("2.log"));
            JsonReport r = JsonReport.read(tmp.resolve("2.json"));
            JsonReport.Faults f = r.faults();
            assertEquals(1, loads.get(2).exitValue(), "without reconnect the failures are errors:\n" + log);
            assertTrue(r.errors() > 0, log);
            assertEquals(r.errors(), f.failures(), log);
            assertEquals(r.errors(), f.connectionsLost(), log);
            assertEquals(0, f.recovered(), log);
            assertEquals(0, f.lostMsgs(), log);
            assertTrue(f.availability() < 1, log);
        } finally {
            loads.forEach(Process::destroyForcibly);
            List<ProcessHandle> left = server.descendants().toList();
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            left.forEach(ProcessHandle::destroyForcibly);
        }
    }

    private static int readyPort(Process server) throws IOException {
        BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        for (String line; (line = out.readLine()) != null; ) {
            var ready = ReadyLine.parse(line);
            if (ready.isPresent()) {
                return ready.get().port();
            }
        }
        throw new IllegalStateException("the server ended without a ready line");
    }

    /** Until the load generator's progress says it measures (a 1 s warm-up, then its first measured second). */
    private static void awaitMeasuring(Process load, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - deadline < 0 && load.isAlive()) {
            if (Files.readString(log).contains(" measuring ")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the load generator did not reach its measurement:\n" + Files.readString(log));
    }

    /** The sockets a process holds: its listening socket and the connections it serves. */
    private static long sockets(ProcessHandle p) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(p.pid()), "fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException e) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            return 0;
        }
    }
}
