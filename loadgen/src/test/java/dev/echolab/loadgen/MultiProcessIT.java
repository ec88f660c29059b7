package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.loadgen.output.JsonStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The short form of bench/c100k.sh, through the real launchers: 25,000 connections, more than one
 * process of either side may hold (20,000 descriptors here), from 2 load-generator processes and 2
 * source addresses to 2 server processes sharing one port; open loop, every connection sending a
 * message every 2 s, the rate ramped up over the first second as the script does. One run, one
 * report: every connection up and answered, nothing lost, and the server's stats line summing both
 * processes. Then {@code bin/loadgen merge} on the logs of two runs.
 */
class MultiProcessIT {

    private static final Path ROOT = ServerProcess.ROOT;
    private static final int CONNECTIONS = 25_000;

    private static Loadgen loadgen(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/loadgen").toString()));
        command.addAll(List.of(args));
        return Loadgen.child(command);
    }

    @Test
    @Timeout(240)
    void twoProcessesFromTwoAddressesRunTwentyFiveThousandConnectionsAsOneRun() throws Exception {
        Path json = ROOT.resolve("loadgen/target/it-multiprocess.json");
        Path stream = ROOT.resolve("loadgen/target/it-multiprocess.jsonl");
        try (ServerProcess server = new ServerProcess("--backend", "nio", "--threads", "2", "--processes", "2")) {
            Loadgen r = loadgen("--port", Integer.toString(server.port()), "--driver", "nio", "--processes", "2",
                    "--source", "127.0.0.1-127.0.0.2", "--connections", Integer.toString(CONNECTIONS),
                    "--connect-rate", "10000", "--rate", "12500", "--ramp", "1s", "--warmup", "2s", "--duration", "5s",
                    "--json", json.toString(), "--json-stream", stream.toString());
            assertEquals(0, r.exit(), r::toString);
            assertTrue(r.out().startsWith("loadgen 127.0.0.1:" + server.port() + ": 25000 connections in 2 processes from 2 "
                    + "source addresses 127.0.0.1 .. 127.0.0.2, opened at 10000 per second"), r::out);
            assertEquals(1, r.out().lines().filter(l -> l.startsWith("Running ")).count(), "one report: " + r.out());
            assertTrue(r.out().lines().anyMatch(l -> l.contains("measuring") && l.endsWith("(2 of 2 processes)")), r::out);
            JsonStream.Contents seconds = JsonStream.read(stream);
            assertTrue(seconds.progress().stream().anyMatch(p -> p.measuring() && p.processes() == 2), seconds::toString);
            assertEquals(JsonReport.read(json), seconds.report(), "the stream ends with the run's report");
            JsonNode doc = Loadgen.json(json);
            assertEquals(CONNECTIONS, Loadgen.number(doc, "/connections"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/errors"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/mismatches"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/fairness/no_reply"), doc::toString);
            // Every connection sends every 2 s for 5 s: each one was answered during the measurement.
            assertTrue(Loadgen.number(doc, "/fairness/min_msgs") >= 1, doc::toString);
            assertTrue(Loadgen.number(doc, "/msgs") >= CONNECTIONS, doc::toString);
            // The combined JSON is as complete as one process's: every documented key, the children's own figures.
            DocumentedJson.assertAtTheirDocumentedPaths(doc, true);
            assertEquals(2, Loadgen.number(doc, "/settings/processes"), doc::toString);
            assertEquals("127.0.0.1,127.0.0.2", doc.at("/settings/source").asText(), doc::toString);
            assertEquals(1, Loadgen.number(doc, "/settings/ramp_s"), doc::toString); // what the children get: SourceAddressesTest
            assertTrue(Loadgen.number(doc, "/self/loop_turns/max_us") > 0, doc::toString);
            assertTrue(Loadgen.number(doc, "/self/jit_ms") > 0, doc::toString);
            assertAcceptedBySumOfBothProcesses(server);
        }
    }

    /** The parent's stats line sums its children: {@code accepted=25000 ... accepted-per-process=a/b}. */
    private static void assertAcceptedBySumOfBothProcesses(ServerProcess server) throws InterruptedException {
        Pattern p = Pattern.compile("accepted=(\\d+) .*accepted-per-process=(\\d+)/(\\d+)");
        for (int i = 0; i < 50; i++) {
            Matcher m = p.matcher(server.lastStats());
            if (m.find() && Long.parseLong(m.group(1)) == CONNECTIONS) {
                long a = Long.parseLong(m.group(2));
                long b = Long.parseLong(m.group(3));
                assertEquals(CONNECTIONS, a + b, server.lastStats());
                assertTrue(a > 0 && b > 0, "both server processes served: " + server.lastStats());
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no stats line with accepted=" + CONNECTIONS + ": " + server.lastStats());
    }

    @Test
    @Timeout(180)
    void mergeCombinesTheLogsOfTwoRuns() throws Exception {
        Path[] logs = {ROOT.resolve("loadgen/target/it-merge-a.hlog"), ROOT.resolve("loadgen/target/it-merge-b.hlog")};
        Path[] jsons = {ROOT.resolve("loadgen/target/it-merge-a.json"), ROOT.resolve("loadgen/target/it-merge-b.json")};
        long messages = 0;
        try (ServerProcess server = new ServerProcess()) {
            for (int i = 0; i < 2; i++) {
                Loadgen r = loadgen("--port", Integer.toString(server.port()), "--driver", "nio", "--connections", "20",
                        "--rate", "2000", "--warmup", "500ms", "--duration", "2s", "--hlog", logs[i].toString(),
                        "--json", jsons[i].toString(), "--processes", Integer.toString(i + 1));
                assertEquals(0, r.exit(), r::toString);
                messages += (long) Loadgen.number(Loadgen.json(jsons[i]), "/msgs");
            }
        }
        Loadgen m = loadgen("merge", logs[0].toString(), logs[1].toString());
        assertEquals(0, m.exit(), m::toString);
        assertTrue(m.out().startsWith("Merged 2 interval logs"), m::out);
        assertTrue(m.out().contains("\n  " + messages + " messages in all\n"), "the two runs' messages, " + messages + ": " + m.out());
        assertTrue(m.out().contains("corrected  uncorrected"), m::out);
        assertTrue(m.out().contains("the logs do not overlap in time"), m::out);
        Loadgen missing = loadgen("merge", logs[0].toString(), ROOT.resolve("loadgen/target/no-such.hlog").toString());
        assertEquals(1, missing.exit(), missing::toString);
        assertEquals("cannot read " + ROOT.resolve("loadgen/target/no-such.hlog") + ": no such file\n", missing.err());
    }
}
