package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.common.BadValues;
import dev.echolab.common.Descriptors;
import dev.echolab.loadgen.output.JsonReport;
import dev.echolab.loadgen.output.JsonStream;
import dev.echolab.loadgen.output.Progress;
import dev.echolab.server.Backend;
import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator against a correct in-process echo server (the server module's nio backend). */
class LoadgenCommandTest {

    @TempDir
    Path dir;
    private EchoServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = EchoServer.create(ServerConfig.loopback(Backend.NIO));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private String port() {
        return Integer.toString(server.localAddress().getPort());
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void countsExactlyTheMessagesAsked(DriverKind driver) throws IOException {
        Path json = dir.resolve("run.json");
        Loadgen r = Loadgen.run("--port", port(), "--messages", "100", "--connections", "20",
                "--driver", driver.id(), "--json", json.toString());
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.out().startsWith("loadgen 127.0.0.1:" + port() + ": 20 connections, driver " + driver.id()), r::toString);
        JsonNode doc = Loadgen.json(json);
        assertEquals(2000, Loadgen.number(doc, "/verified"), doc::toString);
        assertEquals(2000, Loadgen.number(doc, "/msgs"), doc::toString);
        assertEquals(20, Loadgen.number(doc, "/connections"), doc::toString);
        assertEquals(100, Loadgen.number(doc, "/fairness/min_msgs"), doc::toString);
        assertEquals(100, Loadgen.number(doc, "/fairness/max_msgs"), doc::toString);
        assertEquals(0, Loadgen.number(doc, "/errors"), doc::toString);
        assertTrue(r.out().contains("2000 echoes verified byte for byte"), r::toString);
    }

    /** docs/loadgen.md's JSON table, key by key at its own path, for the closed and the open loop. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(30)
    void jsonCarriesEveryDocumentedKeyAtItsDocumentedPath(boolean openLoop) throws IOException {
        Path json = dir.resolve("run.json");
        List<String> args = new ArrayList<>(List.of("--port", port(), "--connections", "10", "--duration", "1s",
                "--warmup", "200ms", "--pipeline", "4", "--size", "64", "--driver", "nio", "--json", json.toString()));
        if (openLoop) {
            args.addAll(List.of("--rate", "2000"));
        }
        Loadgen r = Loadgen.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        JsonNode doc = Loadgen.json(json); // parses: the file is one well-formed JSON object
        assertTrue(doc.isObject(), doc::toString);
        DocumentedJson.assertAtTheirDocumentedPaths(doc, openLoop);
        assertTrue(Loadgen.number(doc, "/msgs_per_s") > 0, doc::toString);
        assertEquals(64, Loadgen.number(doc, "/msg_bytes"), doc::toString);
        assertTrue(Loadgen.number(doc, "/self/loop_turns/max_us") > 0, doc::toString); // the nio driver measures its own share
        Loadgen.number(doc, "/self/held/p99_us"); // fails the test if the nio driver's held figures are missing
        assertTrue(r.out().contains("Load generator itself: JIT "), r::toString);
    }

    /** Every key of {@code doc}, at any depth. */
    static Set<String> keys(JsonNode doc) {
        Set<String> keys = new HashSet<>();
        collectKeys(doc, keys);
        return keys;
    }

    private static void collectKeys(JsonNode node, Set<String> keys) {
        node.properties().forEach(e -> {
            keys.add(e.getKey());
            collectKeys(e.getValue(), keys);
        });
    }

    @Test
    @Timeout(30)
    void hlogIsAReadableIntervalLog() throws IOException {
        Path hlog = dir.resolve("run.hlog");
        Loadgen r = Loadgen.run("--port", port(), "--connections", "5", "--duration", "2s", "--warmup", "0s",
                "--driver", "virtual", "--hlog", hlog.toString());
        assertEquals(0, r.exit(), r::toString);
        long total = 0;
        try (HistogramLogReader reader = new HistogramLogReader(hlog.toFile())) {
            for (var h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                total += ((org.HdrHistogram.Histogram) h).getTotalCount();
            }
        }
        assertTrue(total > 0, "no values in the interval log");
    }

    /** Every key of a {@code --json-stream} progress object (docs/loadgen.md), nested ones included. */
    static final Set<String> PROGRESS_KEYS = Set.of("schema", "type", "elapsed_s", "phase", "msgs_per_s", "latency",
            "corrected", "p50_us", "p99_us", "p999_us", "errors_by_kind", "refused", "timeout", "reset", "closed_early",
            "mismatch", "local_limit", "other", "live", "processes", "failures", "down");

    @Test
    @Timeout(30)
    void printsOneProgressLinePerSecondAndAReport() throws IOException {
        Path stream = dir.resolve("run.jsonl");
        Path json = dir.resolve("run.json");
        Loadgen r = Loadgen.run("--port", port(), "--connections", "8", "--duration", "2s", "--warmup", "1s",
                "--json-stream", stream.toString(), "--json", json.toString());
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = Files.readAllLines(stream);
        List<JsonNode> objects = new ArrayList<>();
        for (String line : lines) {
            objects.add(Loadgen.JSON.readTree(line));
        }
        List<JsonNode> progress = objects.subList(0, objects.size() - 1);
        // One a second over 1 s of warm-up and 2 s of measurement: 3, give or take one for where the ticks fall.
        assertTrue(progress.size() >= 2 && progress.size() <= 4, lines::toString);
        for (JsonNode p : progress) {
            assertEquals(PROGRESS_KEYS, keys(p), p::toString);
            assertEquals(1, p.get("schema").asInt(), p::toString);
            assertEquals("progress", p.get("type").asText(), p::toString);
            assertEquals(1, p.get("processes").asInt(), p::toString);
            assertTrue(p.get("corrected").isNull(), "a closed loop has no corrected latency: " + p);
            assertTrue(p.get("live").asInt() >= 0 && p.get("live").asInt() <= 8, p::toString);
        }
        // One a second: each in a later second of the run than the one before.
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(Math.floor(progress.get(i).get("elapsed_s").asDouble()) > Math.floor(progress.get(i - 1).get("elapsed_s").asDouble()),
                    lines::toString);
        }
        JsonNode last = progress.getLast();
        assertTrue(last.get("phase").asText().equals("measuring") && last.get("msgs_per_s").asDouble() > 0
                && last.at("/latency/p99_us").asLong() > 0, last::toString);
        assertTrue(progress.stream().anyMatch(p -> p.get("live").asInt() == 8), lines::toString);
        // The report last: the --json document itself.
        assertEquals(Loadgen.json(json), objects.getLast());
        JsonStream.Contents read = JsonStream.read(stream);
        assertEquals(progress.size(), read.progress().size());
        assertEquals(JsonReport.read(json), read.report());
        // The progress lines people read are the same seconds.
        List<String> text = r.out().lines().filter(l -> l.matches("\\[\\s*\\d+s] (warm-up|measuring) .*")).toList();
        assertEquals(progress.size(), text.size(), r::toString);
        assertEquals(read.progress().getLast().text(1), text.getLast());
        for (String part : List.of("Latency Distribution", "99.9%", "Messages/sec:", "Transfer/sec:", "Connect:",
                "Errors: refused 0, timeout 0, reset 0, closed early 0, mismatch 0, local limit 0, other 0", "Fairness:",
                "Load generator CPU:")) {
            assertTrue(r.out().contains(part), () -> "no '" + part + "' in\n" + r);
        }
    }

    /** {@code --json-stream -}: stdout is the stream alone; an open loop's seconds carry the corrected latency. */
    @Test
    @Timeout(30)
    void aJsonStreamOnStdoutIsAllThereIsOnStdout() throws IOException {
        Loadgen r = Loadgen.run("--port", port(), "--connections", "4", "--rate", "400", "--duration", "2s", "--warmup", "1s",
                "--json-stream", "-");
        assertEquals(0, r.exit(), r::toString);
        List<String> lines = r.out().lines().toList();
        for (String line : lines) {
            assertTrue(line.startsWith("{") && line.endsWith("}"), () -> "not a JSON line: " + line + "\n" + r);
        }
        JsonStream.Contents read = JsonStream.read(lines);
        assertTrue(read.progress().size() >= 2, r::toString);
        for (Progress p : read.progress()) {
            assertEquals(PROGRESS_KEYS, keys(Loadgen.JSON.readTree(p.toJson())));
        }
        Progress measured = read.progress().getLast();
        assertTrue(measured.measuring() && measured.corrected() != null && measured.corrected().p99Us() > 0, measured::toString);
        assertTrue(read.report() != null && read.report().corrected() != null && read.report().exitStatus() == 0, r::toString);
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void endsPromptlyWithFiguresWhenTheServerDies(DriverKind driver) throws Exception {
        Thread killer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                return;
            }
            server.close();
        });
        Loadgen r = Loadgen.run("--port", port(), "--connections", "20", "--duration", "20s", "--warmup", "500ms",
                "--driver", driver.id());
        killer.join();
        assertEquals(1, r.exit(), r::toString);
        // The server dies at 1.5 s of a 20 s run: the run ends then, not at 20 s.
        assertTrue(r.millis() < 8_000, r::toString);
        assertTrue(r.out().contains("Messages/sec:"), r::toString);
        assertTrue(r.err().lines().count() >= 1, r::toString);
    }

    @Test
    @Timeout(10)
    void reportsRefusedInOneLineWhenNothingListens() throws IOException {
        int free;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = s.getLocalPort();
        }
        for (DriverKind driver : DriverKind.values()) {
            Loadgen r = Loadgen.run("--port", Integer.toString(free), "--driver", driver.id());
            assertEquals(1, r.exit(), r::toString);
            assertEquals("connection refused: 127.0.0.1:" + free + System.lineSeparator(), r.err(), r::toString);
            // A refused connect is answered at once: no connect timeout to wait out.
            assertTrue(r.millis() < 3_000, r::toString);
        }
    }

    /** Every option that takes a value, with values it must refuse; a new option without any fails the test. */
    static final Map<String, List<String>> BAD_VALUES = Map.ofEntries(
            Map.entry("--host", List.of("", " ")),
            Map.entry("--port", List.of("0", "65536", "http")),
            Map.entry("--connections", List.of("0", "1000001", "many")),
            Map.entry("--duration", List.of("0", "-1s", "forever")),
            Map.entry("--warmup", List.of("-1s", "brief")),
            Map.entry("--messages", List.of("0", "-1", "all")),
            Map.entry("--size", List.of("-1", "67108865", "big")),
            Map.entry("--pipeline", List.of("0", "4097")),
            Map.entry("--rate", List.of("0", "-5", "fast", "NaN")),
            Map.entry("--ramp", List.of("-1s", "gently", "1s")), // 1s: no --rate given, so no open loop to ramp
            Map.entry("--driver", List.of("quantum", "carrier-pigeon")),
            Map.entry("--selectors", List.of("0", "65")),
            Map.entry("--processes", List.of("0", "65", "two")),
            Map.entry("--source", List.of("localhost", "127.0.0.300", "127.0.0.9-127.0.0.1")),
            Map.entry("--connect-rate", List.of("0", "-1", "fast")),
            Map.entry("--reconnect-every", List.of("0", "-1", "often")),
            Map.entry("--reconnect-attempts", List.of("0", "1000001", "many")),
            Map.entry("--connect-timeout", List.of("0", "never")),
            Map.entry("--timeout", List.of("0", "never")),
            Map.entry("--json", List.of("")),
            Map.entry("--json-stream", List.of("")),
            Map.entry("--hlog", List.of("")),
            Map.entry("--hgrm", List.of("")),
            Map.entry("--max-p99", List.of("-5ms", "0", "soon")),
            Map.entry("--max-p999", List.of("-1ms", "fast")),
            Map.entry("--min-rate", List.of("0", "-1", "lots")),
            Map.entry("--max-errors", List.of("-1", "few")),
            Map.entry("--server-pid", List.of("0", "-1", "self")));

    @Test
    @Timeout(30)
    void everyOptionRefusesABadValueInOneLineThenTheUsageWithExitTwo() {
        BadValues.assertEveryOptionRefusesItsBadValues(LoadgenCommand.commandLine(new LoadgenCommand()).getCommandSpec(),
                BAD_VALUES, (option, value) -> {
                    Loadgen r = option.equals("--port") ? Loadgen.run(option, value) : Loadgen.run(option, value, "--port", port());
                    return new BadValues.Refusal(r.exit(), r.err());
                });
        Loadgen r = Loadgen.run("--pipeline", "2000", "--size", "1000");
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().startsWith("Invalid value for option '--pipeline': '2000' is not a depth the blocking drivers"), r::toString);
        assertEquals(2, Loadgen.run("--no-such-option").exit());
        r = Loadgen.run("--rate", "100", "--ramp", "3s", "--port", port()); // the default warm-up is 2s
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().startsWith("Invalid value for option '--ramp': '3s' is not a duration no longer than the warm-up (2s)"),
                r::toString);
        // An address that is not this machine's (TEST-NET-1, never assigned): refused before any bind
        // fails with the kernel's "Cannot assign requested address", which would read as out of ports.
        r = Loadgen.run("--driver", "nio", "--source", "127.0.0.1,192.0.2.1", "--port", port());
        assertEquals(2, r.exit(), r::toString);
        assertTrue(r.err().startsWith("Invalid value for option '--source': '127.0.0.1,192.0.2.1' is not a list of this "
                + "machine's addresses (192.0.2.1 is not one; every 127.x.y.z is)"), r::toString);
    }

    @Test
    @Timeout(10)
    void valuesThatParseButCannotBeUsedAreOneLineWithExitOne() {
        Loadgen r = Loadgen.run("--host", "nosuch.invalid");
        assertEquals(1, r.exit(), r::toString);
        assertEquals("cannot resolve host 'nosuch.invalid'" + System.lineSeparator(), r.err(), r::toString);
        assertEquals("", r.out(), "nothing printed before the failure");
        r = Loadgen.run("--port", port(), "--json", dir.resolve("no/such/dir/run.json").toString());
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.err().startsWith("cannot write ") && r.err().contains("no such directory"), r::toString);
        assertEquals(1, r.err().lines().count(), r::toString);
    }

    @Test
    @Timeout(10)
    void refusesMoreConnectionsThanOpenFilesAllow() {
        String line = OpenFiles.check(Integer.MAX_VALUE - Descriptors.JVM_HEADROOM);
        if (Descriptors.softLimit().isPresent()) {
            assertTrue(line.contains("open files"), line);
            Loadgen r = Loadgen.run("--connections", "1000000", "--port", port());
            if (Descriptors.softLimit().getAsLong() < 1_000_100) {
                assertEquals(1, r.exit(), r::toString);
                assertEquals(1, r.err().lines().count(), r::toString);
            }
        }
    }

    // --reconnect-every: each connection closes and reopens its socket after every N verified
    // messages, on every driver, with the counts of a run without it and every socket seen by the server.

    /** 4 connections of 20 messages, a new socket every 5: 4 sockets each, 3 of them opened in the measurement. */
    private JsonNode reconnecting(DriverKind driver, String... more) throws IOException {
        Path json = dir.resolve("reconnect.json");
        List<String> args = new ArrayList<>(List.of("--port", port(),
                "--messages", "20", "--reconnect-every", "5", "--connections", "4", "--driver", driver.id(),
                "--json", json.toString()));
        args.addAll(List.of(more));
        Loadgen r = Loadgen.run(args.toArray(String[]::new));
        assertEquals(0, r.exit(), r::toString);
        JsonNode doc = Loadgen.json(json);
        assertEquals(80, Loadgen.number(doc, "/verified"), doc::toString);
        assertEquals(80, Loadgen.number(doc, "/msgs"), doc::toString);
        assertEquals(20, Loadgen.number(doc, "/fairness/min_msgs"), doc::toString);
        assertEquals(20, Loadgen.number(doc, "/fairness/max_msgs"), doc::toString);
        assertEquals(0, Loadgen.number(doc, "/errors") + Loadgen.number(doc, "/mismatches"), doc::toString);
        assertEquals(4 * 4, server.stats().accepted(), doc::toString);
        assertEquals(4 * 3, Loadgen.number(doc, "/connects"), doc::toString);
        assertTrue(Loadgen.number(doc, "/connects_per_s") > 0, doc::toString);
        assertEquals(5, Loadgen.number(doc, "/settings/reconnect_every"), doc::toString);
        assertTrue(r.out().contains("12 connections opened in the measurement"), r::toString);
        return doc;
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void closedLoopReconnectsEveryNMessagesWithTheCountsRight(DriverKind driver) throws IOException {
        reconnecting(driver);
    }

    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void openLoopReconnectsEveryNMessagesWithTheCountsRight(DriverKind driver) throws IOException {
        JsonNode doc = reconnecting(driver, "--rate", "400");
        assertEquals(400, Loadgen.number(doc, "/settings/rate"), doc::toString);
        // From the intended send time, never shorter than from the actual one.
        assertTrue(Loadgen.number(doc, "/corrected/max_us") >= Loadgen.number(doc, "/max_us"), doc::toString);
    }

    /** A reconnect the server refuses is a connect error that ends that connection, its messages so far counted. */
    @ParameterizedTest
    @EnumSource(DriverKind.class)
    @Timeout(30)
    void aRefusedReconnectIsAConnectError(DriverKind driver) throws IOException {
        try (FaultyEchoServer faulty = new FaultyEchoServer(FaultyEchoServer.Fault.ACCEPT_ONLY, 4, 0)) {
            Path json = dir.resolve("refused.json");
            Loadgen r = Loadgen.run("--port", Integer.toString(faulty.port()), "--messages", "20", "--reconnect-every", "5",
                    "--connections", "4", "--driver", driver.id(), "--json", json.toString());
            assertEquals(1, r.exit(), r::toString);
            JsonNode doc = Loadgen.json(json);
            assertEquals(4 * 5, Loadgen.number(doc, "/verified"), doc::toString);
            assertEquals(4, Loadgen.number(doc, "/errors_by_kind/refused"), doc::toString);
            assertEquals(4, Loadgen.number(doc, "/errors"), doc::toString);
            assertEquals(0, Loadgen.number(doc, "/connects"), doc::toString);
        }
    }
}
