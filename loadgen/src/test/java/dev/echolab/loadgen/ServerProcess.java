package dev.echolab.loadgen;

import dev.echolab.server.ReadyLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/server --backend nio --port 0} in a child process, as a user starts it: ready once it
 * printed its ready line, stopped by its PID. Its own process, so its descriptors are not ours.
 */
final class ServerProcess implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private final Process process;
    private final int port;
    private volatile String lastStats = "";

    ServerProcess() throws Exception {
        this("--backend", "nio");
    }

    /** {@code bin/server OPTIONS --port 0}. */
    ServerProcess(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("bin/server").toString()));
        command.addAll(List.of(options));
        command.addAll(List.of("--port", "0"));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            port = CompletableFuture.supplyAsync(this::readyPort).get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    int port() {
        return port;
    }

    /** The latest stats line ({@code connections=...}), or empty. */
    String lastStats() {
        return lastStats;
    }

    private int readyPort() {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                var ready = ReadyLine.parse(line);
                if (ready.isPresent()) {
                    Thread.ofPlatform().daemon(true).start(() -> drain(r, this));
                    return ready.get().port();
                }
            }
            throw new IllegalStateException("the server exited without a ready line");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void drain(BufferedReader r, ServerProcess server) {
        try {
            // keeps the server's stats lines from filling the pipe, and the latest one
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("connections=")) {
                    server.lastStats = line;
                }
            }
        } catch (IOException ignored) {
            // the server is gone
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }

    /** SIGTERM by PID, then wait; SIGKILL only if it did not stop in time. */
    static void stop(Process p) throws InterruptedException {
        ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroy);
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
            p.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
