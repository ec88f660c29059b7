package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real launchers, as a user runs them: {@code bin/server --port 0} in a child process (stopped
 * by its PID), then {@code bin/loadgen} against it, and against nothing once it is gone.
 */
class LoadgenLauncherIT {

    private static final Path ROOT = ServerProcess.ROOT;

    private static ServerProcess server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        server = new ServerProcess();
        port = server.port();
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    private static Loadgen loadgen(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/loadgen").toString()));
        command.addAll(List.of(args));
        return Loadgen.child(command);
    }

    @Test
    @Timeout(180)
    void loadsTheRealServerAndWritesJson() throws Exception {
        Path json = ROOT.resolve("loadgen/target/it-loadgen.json");
        Loadgen r = loadgen("--port", Integer.toString(port), "--connections", "50", "--duration", "1s",
                "--warmup", "500ms", "--json", json.toString());
        assertEquals(0, r.exit(), () -> r.out() + r.err());
        assertTrue(r.out().startsWith("loadgen 127.0.0.1:" + port + ": 50 connections, driver platform"), r::out);
        assertTrue(r.out().contains("Messages/sec:"), r::out);
        JsonNode doc = Loadgen.json(json);
        assertEquals(50, Loadgen.number(doc, "/connections"), doc::toString);
        assertEquals(0, Loadgen.number(doc, "/errors"), doc::toString);
    }

    @Test
    @Timeout(180)
    void badOptionExitsWithTwo() throws Exception {
        Loadgen r = loadgen("--port", Integer.toString(port), "--no-such-option");
        assertEquals(2, r.exit(), r::err);
        assertTrue(r.err().contains("Usage:"), r::err);
    }

    @Test
    @Timeout(180)
    void nothingListeningIsOneLineAndExitOne() throws Exception {
        int freed;
        try (ServerProcess other = new ServerProcess()) {
            freed = other.port();
        }
        long start = System.nanoTime();
        Loadgen r = loadgen("--port", Integer.toString(freed));
        assertEquals(1, r.exit(), () -> r.out() + r.err());
        assertEquals("connection refused: 127.0.0.1:" + freed + "\n", r.err());
        // A JVM start and one refused connect: measured 1.4 s on a 2-core VM with one core busy (stress-
        // ng, 2026-11-25).
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "took too long");
    }
}
