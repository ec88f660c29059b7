package dev.echolab.loadgen;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real launchers, as a user runs them: {@code bin/server --port 0} in a child process (stopped
 * by its PID), then {@code bin/loadgen} against it, and against nothing once it is gone.
 */
class LoadgenLauncherIT {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Pattern READY = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) backend=nio");

    private static Process server;
    private static int port;

    @BeforeAll
    static void startServer() throws Exception {
        server = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--backend", "nio", "--port", "0")
                .redirectErrorStream(true).start();
        port = CompletableFuture.supplyAsync(LoadgenLauncherIT::readyPort).get(120, TimeUnit.SECONDS);
    }

    private static int readyPort() {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                Matcher m = READY.matcher(line);
                if (m.find()) {
                    Thread.ofPlatform().daemon(true).start(() -> drain(r));
                    return Integer.parseInt(m.group(1));
                }
            }
            throw new IllegalStateException("the server exited without a ready line");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader r) {
        try {
            while (r.readLine() != null) {
                // keep the server's stats lines from filling the pipe
            }
        } catch (IOException ignored) {
            // the server is gone
        }
    }

    @AfterAll
    static void stopServer() throws InterruptedException {
        if (server != null) {
            stop(server);
        }
    }

    /** SIGTERM by PID, then wait; SIGKILL only if it did not stop in time. */
    private static void stop(Process p) throws InterruptedException {
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result loadgen(String... args) throws Exception {
        Path out = Files.createTempFile("loadgen-out", ".txt");
        Path err = Files.createTempFile("loadgen-err", ".txt");
        try {
            List<String> command = new java.util.ArrayList<>(List.of(ROOT.resolve("bin/loadgen").toString()));
            command.addAll(List.of(args));
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                stop(p);
                throw new AssertionError("bin/loadgen did not end");
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Test
    @Timeout(180)
    void loadsTheRealServerAndWritesJson() throws Exception {
        Path json = ROOT.resolve("loadgen/target/it-loadgen.json");
        Result r = loadgen("--port", Integer.toString(port), "--connections", "50", "--duration", "1s",
                "--warmup", "500ms", "--json", json.toString());
        assertEquals(0, r.exit(), () -> r.out() + r.err());
        assertTrue(r.out().startsWith("loadgen 127.0.0.1:" + port + ": 50 connections, driver platform"), r::out);
        assertTrue(r.out().contains("Messages/sec:"), r::out);
        String doc = Files.readString(json);
        assertEquals(50, Loadgen.number(doc, "connections"), doc);
        assertEquals(0, Loadgen.number(doc, "errors"), doc);
    }

    @Test
    @Timeout(180)
    void badOptionExitsWithTwo() throws Exception {
        Result r = loadgen("--port", Integer.toString(port), "--no-such-option");
        assertEquals(2, r.exit(), r::err);
        assertTrue(r.err().contains("Usage:"), r::err);
    }

    @Test
    @Timeout(180)
    void nothingListeningIsOneLineAndExitOne() throws Exception {
        Process other = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--backend", "nio", "--port", "0")
                .redirectErrorStream(true).start();
        int freed;
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
            String line;
            Matcher m = null;
            while ((line = r.readLine()) != null && !(m = READY.matcher(line)).find()) {
                m = null;
            }
            assertTrue(m != null, "second server never got ready");
            freed = Integer.parseInt(m.group(1));
        } finally {
            stop(other);
        }
        long start = System.nanoTime();
        Result r = loadgen("--port", Integer.toString(freed));
        assertEquals(1, r.exit(), () -> r.out() + r.err());
        assertEquals("connection refused: 127.0.0.1:" + freed + "\n", r.err());
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "took too long");
    }
}
