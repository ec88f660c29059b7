package dev.echolab.lab.run;

import dev.echolab.common.ChildProcess;
import dev.echolab.server.ReadyLine;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A server under test in its own process ({@link ChildProcess}): started from a command line, ready
 * when it prints its ready line (an echolab server's or a peer's {@link ReadyLine}), stopped with
 * SIGTERM. Its output (stderr merged) is read throughout and its last lines kept, so a server that
 * fails can be reported with what it said.
 */
public final class ServerProcess implements AutoCloseable {

    private final ChildProcess child;
    private final int port;

    private ServerProcess(ChildProcess child, int port) {
        this.child = child;
        this.port = port;
    }

    /**
     * Starts {@code command} and waits for the line from which {@code readyPort} reads its port;
     * throws with its last output if it never comes.
     */
    public static ServerProcess start(List<String> command, Function<String, Optional<Integer>> readyPort, Duration readyTimeout)
            throws IOException, ServerFailedException {
        ChildProcess child = ChildProcess.start(new ProcessBuilder(command).redirectErrorStream(true),
                line -> readyPort.apply(line).isPresent(), null, null);
        child.process().getOutputStream().close();
        try {
            return new ServerProcess(child, readyPort.apply(child.awaitReady(readyTimeout)).orElseThrow());
        } catch (ChildProcess.NotReadyException e) {
            child.close();
            throw new ServerFailedException(e.getMessage(), e.output());
        } catch (InterruptedException e) {
            child.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the server started", e);
        }
    }

    public int port() {
        return port;
    }

    public long pid() {
        return child.pid();
    }

    public boolean isAlive() {
        return child.isAlive();
    }

    public List<String> lastLines() {
        return child.lastLines();
    }

    /**
     * SIGTERM, then waits up to {@code grace}; SIGKILL after that.
     *
     * @return the exit status, or null if it had to be killed
     */
    public Integer stop(Duration grace) {
        return child.stop(grace);
    }

    @Override
    public void close() {
        child.close();
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
