package dev.echolab.loadgen;

import dev.echolab.server.ReadyLine;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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

    ServerProcess() throws Exception {
        process = new ProcessBuilder(ROOT.resolve("bin/server").toString(), "--backend", "nio", "--port", "0")
                .redirectErrorStream(true).start();
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

    private int readyPort() {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                var ready = ReadyLine.parse(line);
                if (ready.isPresent()) {
                    Thread.ofPlatform().daemon(true).start(() -> drain(r));
                    return ready.get().port();
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
