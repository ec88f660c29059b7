package dev.echolab.lab.peer;

import dev.echolab.lab.run.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.echolab.server.ReadyLine;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.echoConcurrently;
import static dev.echolab.server.EchoServers.oddSizes;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every peer in {@code peers/} keeps the echo contract (docs/design.md) and the command-line
 * contract the lab relies on, checked with the client side of the backends' own suite
 * ({@code EchoServers}) against the real program, built as the lab builds it. A peer whose
 * toolchain this machine lacks is skipped with the reason ("skipped: go not installed ...").
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerContractTest {

    private static final int MiB = 1024 * 1024;
    /** The repository: the tests run in lab/. */
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();

    @TempDir
    static Path builds;
    private static final Map<Peer, List<String>> BUILT = new EnumMap<>(Peer.class);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void echoesEveryByteToSeveralClientsAndClosesAfterHalfClose(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none")) {
            int port = server.port();
            try (Socket s = connect(port)) {
                roundTrip(s, "Thread-0 say hello 0\n");
            }
            byte[] data = random(MiB, 1);
            try (Socket s = connect(port)) {
                assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), false), "1 MiB in odd-sized writes");
            }
            byte[] last = random(MiB, 2);
            try (Socket s = connect(port)) {
                // Read to the peer's end-of-file: it must send everything back, then close.
                assertArrayEquals(last, echoConcurrently(s, last, oddSizes(), true), "1 MiB, then a half-close");
            }
            assertEquals(20 * 20, concurrentClients(port, 20, 20));
            assertEquals(0, server.stop(Duration.ofSeconds(10)), "exit status after SIGTERM");
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void sleepsItsIoWorkBeforeEachEcho(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "io:50ms"); Socket s = connect(server.port())) {
            assertTrue(server.lastLines().stream().anyMatch(l -> l.contains("backend=" + peer.id()) && l.endsWith("work=io:50ms")),
                    "ready line: " + server.lastLines());
            long start = System.nanoTime();
            roundTrip(s, "slow\n");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 50, "an echo with --work io:50ms came back after " + ms + " ms"); // a lower bound: no machine is too fast
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void refusesBadUsageInOneLineWithExitTwo(Peer peer) throws Exception {
        List<String> command = new ArrayList<>(built(peer));
        command.addAll(List.of("--work", "sleep"));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("'sleep' is not a work spec"), err);
    }

    /** {@code clients} connections at once, each {@code messages} round trips; returns the verified echoes. */
    private static int concurrentClients(int port, int clients, int messages) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (Socket s = connect(port)) {
                        for (int n = 0; n < messages; n++) {
                            roundTrip(s, "Thread-" + id + " say hello " + n + "\n");
                        }
                    }
                    return messages;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            return total;
        }
    }

    private static ServerProcess start(Peer peer, String work) throws Exception {
        List<String> command = new ArrayList<>(built(peer));
        command.addAll(List.of("--port", "0", "--work", work));
        return ServerProcess.start(command, line -> ReadyLine.parse(line).map(ReadyLine::port), Duration.ofSeconds(30));
    }

    /** The peer as the lab builds it, once per class; skipped when this machine lacks its toolchain, failed when it does not build. */
    private static synchronized List<String> built(Peer peer) {
        Toolchain toolchain = Toolchain.system();
        String missing = toolchain.missing(peer.tool()).orElse(null);
        Assumptions.assumeTrue(missing == null, () -> "skipped: " + missing);
        return BUILT.computeIfAbsent(peer, p -> {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            return p.prepare(HOME, builds, toolchain, new PrintStream(log, true, StandardCharsets.UTF_8))
                    .orElseThrow(() -> new AssertionError(log.toString(StandardCharsets.UTF_8)));
        });
    }
}
