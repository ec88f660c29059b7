package dev.echolab.loadgen;

import com.fasterxml.jackson.databind.JsonNode;
import dev.echolab.loadgen.output.JsonStream;
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
        // A JVM start and one refused connect: nothing to wait out.
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "took too long");
    }

    /**
     * {@code bin/loadgen --processes 2 --timeout 1500us}: the children's own command lines, read from
     * the running processes, carry 1500us (a duration formatter that rounds to milliseconds gave 1ms).
     */
    @Test
    @Timeout(180)
    void theChildrenOfProcessesGetTheTimeoutExactly() throws Exception {
        Path stream = ROOT.resolve("loadgen/target/it-processes.jsonl");
        Files.deleteIfExists(stream);
        Process p = new ProcessBuilder(ROOT.resolve("bin/loadgen").toString(), "--port", Integer.toString(port),
                "--processes", "2", "--connections", "4", "--timeout", "1500us", "--warmup", "0s", "--duration", "3s",
                "--json-stream", stream.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            List<List<String>> children = List.of();
            for (int i = 0; i < 1200 && children.size() < 2 && p.isAlive(); i++) {
                children = p.descendants().map(h -> h.info().arguments().map(List::of).orElse(List.of()))
                        .filter(args -> args.contains("--child")).toList();
                Thread.sleep(50);
            }
            assertEquals(2, children.size(), () -> "two children with --child: " + p.descendants().map(h -> h.info().commandLine()).toList());
            for (List<String> args : children) {
                assertEquals("1500us", args.get(args.indexOf("--timeout") + 1), args::toString);
                assertEquals("2", args.get(args.indexOf("--connections") + 1), args::toString);
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/loadgen did not end");
            // The parent's stream ends with the run's report (its seconds may be none: a 1500us
            // reply timeout can end every connection within the first second).
            JsonStream.Contents run = JsonStream.read(stream);
            assertEquals(0.0015, run.report().settings().timeoutS(), run::toString);
            assertEquals(2, run.report().settings().processes(), run::toString);
        } finally {
            p.destroyForcibly();
        }
    }
}
