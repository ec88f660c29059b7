package dev.echolab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command-line contract (docs/design.md), checked through the real launcher {@code bin/server}
 * in a child process, as a user runs it: the ready line, SIGTERM, a taken port, the warning for a
 * non-loopback bind, an unavailable transport, and exit status 2 through the launcher. Help and
 * usage errors in detail are {@link ServerCommandTest}'s, in-process. Runs after {@code package}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerLauncherIT {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path SERVER = ROOT.resolve("bin/server");
    /** A drain for the tests not about its length: long enough to be a drain, short enough not to wait. */
    private static final long SHORT_DRAIN_MS = 100;

    /**
     * Every backend and variant: configuration line, ready line, an echo, and exit 0 on SIGTERM
     * with a client still connected, within 5 s of the drain's end. The drain is short here
     * ({@value #SHORT_DRAIN_MS} ms); the default's length is {@link
     * #sigtermAndSighupDrainForTheirTimeoutAndSigintStopsAtOnceEachThenExitingZeroWithinFiveSeconds}'s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void printsOneReadyLineEchoesAndExitsZeroOnSigterm(ServerConfig config) throws Exception {
        EchoServers.assumeAvailable(config);
        List<String> args = new ArrayList<>(List.of("--port", "0", "--drain-timeout", SHORT_DRAIN_MS + "ms", "--backend"));
        args.addAll(List.of(config.label().split(" ")));
        Process p = start(args.toArray(String[]::new));
        try {
            BufferedReader out = reader(p);
            String configuration = out.readLine();
            assertTrue(configuration.startsWith("echolab server: backend=" + config.backend().id()), configuration);
            String line = out.readLine();
            ReadyLine ready = ReadyLine.parse(line).orElseThrow(() -> new AssertionError("not a ready line: " + line));
            assertEquals("127.0.0.1", ready.host());
            assertEquals(config.backend().id(), ready.backend());
            assertTrue(ready.port() > 0);
            try (Socket s = connect(ready.port())) {
                roundTrip(s, "Thread-0 say hello 0\n");
                p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its pipes
                // The client stays: the drain, then the command-line contract's 5 s.
                assertTrue(p.waitFor(SHORT_DRAIN_MS + 5_000, TimeUnit.MILLISECONDS),
                        "still running " + (SHORT_DRAIN_MS + 5_000) + " ms after SIGTERM");
            }
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * The stop signals of a single server process, as design.md states them: SIGTERM (and SIGHUP,
     * with nothing to reload) stops accepting, serves the open connections until their clients
     * close or {@code --drain-timeout} ends, then closes the rest and exits 0 within 5 s of the
     * drain's end; SIGINT does the same at once. A client stays connected throughout. Where the
     * signal drains: once a new connection is refused, the client is still echoed, and it is closed
     * not before the drain's end. SIGINT is given a drain far longer than 5 s, so a SIGINT that
     * drained would fail. SIGTERM keeps the default drain (3 s); the other cases of SIGTERM, on
     * every backend, are {@link #printsOneReadyLineEchoesAndExitsZeroOnSigterm}'s.
     */
    @ParameterizedTest(name = "SIG{0}, {1}")
    @CsvSource({"TERM, the default drain, 3000", "HUP, --drain-timeout 2s, 2000", "INT, --drain-timeout 60s, 0"})
    void sigtermAndSighupDrainForTheirTimeoutAndSigintStopsAtOnceEachThenExitingZeroWithinFiveSeconds(
            String signal, String drain, long drainMs) throws Exception {
        List<String> args = new ArrayList<>(List.of("--port", "0", "--backend", "nio"));
        if (drain.startsWith("--")) {
            args.addAll(List.of(drain.split(" ")));
        }
        Process p = start(Map.of(), DEFAULT_SIGINT, args.toArray(String[]::new));
        try {
            ReadyLine ready = configurationThenReady(reader(p));
            try (Socket s = connect(ready.port())) {
                roundTrip(s, "before SIG" + signal + "\n");
                long signalled = System.nanoTime();
                Process kill = new ProcessBuilder("kill", "-s", signal, String.valueOf(p.pid())).start();
                assertTrue(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -s " + signal);
                if (drainMs > 0) {
                    awaitRefused(ready.port());
                    roundTrip(s, "served while draining\n");
                }
                LimitsTest.assertClosedByServer(s);
                long closedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertTrue(closedMs >= drainMs, "the client was closed " + closedMs + " ms after SIG" + signal
                        + ", before the " + drainMs + " ms drain ended");
                long exitMs = drainMs + 5_000;
                assertTrue(p.waitFor(exitMs - closedMs, TimeUnit.MILLISECONDS), "still running " + exitMs + " ms after SIG" + signal);
            }
            assertEquals(0, p.exitValue(), "exit status after SIG" + signal);
        } finally {
            p.destroyForcibly();
        }
    }

    /** Waits (5 s at most) until a connection to {@code port} is refused: the server has stopped accepting. */
    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            try (Socket probe = connect(port)) {
                assertTrue(System.nanoTime() < deadline, "still accepting 5 s after the signal");
            } catch (IOException refused) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /**
     * design.md: "at most once a second and only while something changes, one stats line". A
     * client echoes without pause for 4 s: at most one line per second of it (plus one for the
     * second it ends in); then, with nothing changing, no line for 2.5 s.
     */
    @Test
    void statsLinesComeAtMostOnceASecondAndOnlyWhileSomethingChanges() throws Exception {
        Process p = start("--port", "0", "--backend", "nio");
        try {
            BufferedReader out = reader(p);
            ReadyLine ready = configurationThenReady(out);
            java.util.concurrent.BlockingQueue<Long> statsAt = new java.util.concurrent.LinkedBlockingQueue<>();
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) {
                        if (StatsLine.parse(l).isPresent()) {
                            statsAt.add(System.nanoTime());
                        }
                    }
                } catch (IOException ended) {
                    // the process ended
                }
            });
            long busyMs = 4_000;
            try (Socket s = connect(ready.port())) {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(busyMs);
                for (int i = 0; System.nanoTime() - end < 0; i++) {
                    roundTrip(s, "message " + i + "\n");
                }
            }
            Thread.sleep(1_500); // the close, then the line that reports it
            int whileBusy = statsAt.size();
            assertTrue(whileBusy >= 2, "stats lines while a client echoed for " + busyMs + " ms: " + whileBusy);
            assertTrue(whileBusy <= busyMs / 1_000 + 2, whileBusy + " stats lines in " + (busyMs + 1_500) + " ms");
            Thread.sleep(2_500);
            assertEquals(whileBusy, statsAt.size(), "stats lines while nothing changed");
        } finally {
            p.toHandle().destroy();
            p.waitFor(5, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }

    /**
     * A taken port is one line and exit 1 on every backend, whoever holds it: a plain socket, or
     * one that shares the port through SO_REUSEPORT.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Backend.class)
    void refusesATakenPortEvenWhenItIsSharedThroughReusePort(Backend backend) throws Exception {
        EchoServers.assumeAvailable(ServerConfig.loopback(backend));
        assertRefusedWhereTaken(List.of("--backend", backend.id()));
    }

    /**
     * The same with {@code --processes 2}, where it is hardest: the children bind with SO_REUSEPORT,
     * and the kernel would let them join a holder that shares the port silently. The parent tries
     * the port before it starts any child (ProcessGroup), whatever the backend, so one backend shows it.
     */
    @Test
    void refusesATakenPortWithProcessesEvenWhenItIsSharedThroughReusePort() throws Exception {
        assertRefusedWhereTaken(List.of("--backend", "nio", "--processes", "2"));
    }

    private static void assertRefusedWhereTaken(List<String> options) throws Exception {
        for (boolean reusePort : new boolean[] {false, true}) {
            try (ServerSocketChannel taken = ServerSocketChannel.open()) {
                taken.setOption(StandardSocketOptions.SO_REUSEPORT, reusePort);
                taken.bind(new InetSocketAddress("127.0.0.1", 0));
                int port = ((InetSocketAddress) taken.getLocalAddress()).getPort();
                List<String> args = new ArrayList<>(options);
                args.addAll(List.of("--port", String.valueOf(port)));
                Result r = run(args.toArray(String[]::new));
                String what = args + (reusePort ? ", held with SO_REUSEPORT" : ", held") + ": " + r;
                assertEquals(1, r.exit, what);
                assertEquals(List.of("port " + port + " is already in use"), r.err, what);
                assertTrue(r.out.stream().noneMatch(l -> ReadyLine.parse(l).isPresent()), what);
            }
        }
    }

    @Test
    void aBadOptionExitsTwoThroughTheLauncher() throws Exception {
        Result r = run("--port", "eighty");
        assertEquals(2, r.exit);
        assertTrue(String.join("\n", r.err).contains("Usage:"), "usage printed");
        assertNoStackTrace(r);
    }

    @Test
    void warnsWhenBindingBeyondLoopback() throws Exception {
        Process p = start("--host", "0.0.0.0", "--port", "0");
        try {
            BufferedReader out = reader(p);
            out.readLine();
            assertTrue(out.readLine().startsWith("listening on 0.0.0.0:"));
            p.toHandle().destroy();
            assertTrue(p.waitFor(5, TimeUnit.SECONDS));
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(err.contains("warning") && err.contains("reachable from the network"), err);
            assertEquals(0, p.exitValue());
        } finally {
            p.destroyForcibly();
        }
    }

    /** Netty reads this property once per JVM, so only a fresh process can show the failure. */
    @Test
    void anExplicitUnavailableTransportIsOneLineAndStatusOne() throws Exception {
        Result r = run(Map.of("ECHOLAB_JAVA_OPTS", "-Dio.netty.transport.noNative=true"),
                "--backend", "netty", "--transport", "epoll", "--port", "0");
        assertEquals(1, r.exit, r.toString());
        List<String> lines = r.err.stream().filter(l -> !l.startsWith("WARNING")).toList();
        assertEquals(1, lines.size(), "one line: " + r.err);
        assertTrue(lines.getFirst().contains("netty transport epoll is not available"), r.toString());
        assertTrue(lines.getFirst().contains("noNative"), "Netty's reason: " + r);
    }

    /**
     * Where io_uring is denied, {@code --backend uring} says why in one line and exits 1. Denied
     * here for real: strace makes the server's {@code io_uring_setup} fail, as a seccomp filter
     * (EPERM) or an old kernel (ENOSYS) would.
     */
    @Test
    void uringWhereIoUringIsDeniedIsOneLineAndStatusOne() throws Exception {
        Process probe = new ProcessBuilder("strace", "-f", "-q", "-o", "/dev/null", "true").start();
        assumeTrue(probe.waitFor(10, TimeUnit.SECONDS) && probe.exitValue() == 0, "skipped: strace cannot trace here");
        for (String errno : List.of("EPERM", "ENOSYS")) {
            Process p = new ProcessBuilder("strace", "-f", "-q", "-o", "/dev/null", "-e", "trace=io_uring_setup",
                    "-e", "inject=io_uring_setup:error=" + errno, SERVER.toString(), "--backend", "uring", "--port", "0")
                    .directory(ROOT.toFile()).start();
            p.getOutputStream().close();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            List<String> lines = err.lines().filter(l -> !l.startsWith("WARNING")).toList();
            assertEquals(1, p.exitValue(), errno + ": " + err);
            assertEquals(1, lines.size(), errno + ", one line: " + err);
            assertTrue(lines.getFirst().startsWith("error: io_uring is not available here: "), lines.getFirst());
            assertTrue(lines.getFirst().contains(errno.equals("EPERM") ? "switched off" : "Linux 5.19"), lines.getFirst());
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    record Result(int exit, List<String> out, List<String> err) {
    }

    static Process start(String... args) throws IOException {
        return start(Map.of(), args);
    }

    static Process start(Map<String, String> env, String... args) throws IOException {
        return start(env, List.of(), args);
    }

    /**
     * Put before {@code bin/server} to restore SIGINT's default action: a test run started in the
     * background by a non-interactive shell inherits SIGINT ignored, and a JVM that starts with a
     * signal ignored keeps it so. The promise is for a server that can be interrupted, as from a
     * terminal.
     */
    static final List<String> DEFAULT_SIGINT = List.of("env", "--default-signal=INT");

    static Process start(Map<String, String> env, List<String> prefix, String... args) throws IOException {
        assertTrue(Files.isExecutable(SERVER), SERVER + " is executable");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(SERVER.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    static Result run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    static Result run(Map<String, String> env, String... args) throws Exception {
        Process p = start(env, args);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Result(p.exitValue(), out.lines().toList(), err.lines().toList());
    }

    /** Reads the configuration line and the ready line after it. */
    static ReadyLine configurationThenReady(BufferedReader out) throws IOException {
        out.readLine();
        String line = out.readLine();
        return ReadyLine.parse(line).orElseThrow(() -> new AssertionError("not a ready line: " + line));
    }

    static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    static void assertNoStackTrace(Result r) {
        for (String line : r.err) {
            assertFalse(line.matches("\\s+at .*") || line.contains("Exception"), "stack trace: " + line);
        }
    }
}
