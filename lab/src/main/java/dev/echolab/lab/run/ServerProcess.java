package dev.echolab.lab.run;

import dev.echolab.common.Children;
import dev.echolab.server.ReadyLine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A server under test in its own process: started from a command line, ready when it prints its
 * ready line (an echolab server's or a peer's {@link ReadyLine}), stopped with SIGTERM. Keeps its
 * last lines of output so a server that fails can be reported with what it said.
 */
public final class ServerProcess implements AutoCloseable {

    private static final int KEEP_LINES = 15;

    private final Process process;
    private final Function<String, Optional<Integer>> readyPort;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final CompletableFuture<Integer> ready = new CompletableFuture<>();

    private ServerProcess(Process process, Function<String, Optional<Integer>> readyPort) {
        this.process = process;
        this.readyPort = readyPort;
        Thread.ofPlatform().daemon().name("server-output-" + process.pid()).start(this::readOutput);
    }

    /**
     * Starts {@code command} and waits for the line from which {@code readyPort} reads its port;
     * throws with its last output if it never comes.
     */
    public static ServerProcess start(List<String> command, Function<String, Optional<Integer>> readyPort, Duration readyTimeout)
            throws IOException, ServerFailedException {
        Process p = Children.start(new ProcessBuilder(command).redirectErrorStream(true));
        p.getOutputStream().close();
        ServerProcess server = new ServerProcess(p, readyPort);
        try {
            server.ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
            return server;
        } catch (TimeoutException e) {
            server.close();
            throw new ServerFailedException("not ready after " + readyTimeout.toSeconds() + " s", server.lastLines());
        } catch (Exception e) {
            server.close();
            throw new ServerFailedException("exited before it was ready (status " + server.exitStatus() + ")",
                    server.lastLines());
        }
    }

    private void readOutput() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > KEEP_LINES) {
                        lastLines.removeFirst();
                    }
                }
                if (!ready.isDone()) {
                    readyPort.apply(line).ifPresent(ready::complete);
                }
            }
        } catch (IOException ignored) {
            // the process is gone; exitStatus() tells how
        }
        ready.completeExceptionally(new IOException("server output ended"));
    }

    public int port() {
        return ready.join();
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public List<String> lastLines() {
        synchronized (lastLines) {
            return new ArrayList<>(lastLines);
        }
    }

    private Integer exitStatus() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * SIGTERM, then waits up to {@code grace}; SIGKILL after that.
     *
     * @return the exit status, or null if it had to be killed
     */
    public Integer stop(Duration grace) {
        process.toHandle().destroy();
        try {
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        return null;
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            stop(Duration.ofSeconds(5));
        }
    }

    /** The server did not come up; carries its last output lines for the report. */
    static final class ServerFailedException extends Exception {
        final List<String> output;

        ServerFailedException(String message, List<String> output) {
            super(message);
            this.output = output;
        }
    }
}
