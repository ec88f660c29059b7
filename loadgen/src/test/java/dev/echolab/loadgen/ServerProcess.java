package dev.echolab.loadgen;

import dev.echolab.common.ChildProcess;
import dev.echolab.server.ReadyLine;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bin/server --backend nio --port 0} in a child process ({@link ChildProcess}), as a user
 * starts it: ready once it printed its ready line, stopped by its PID. Its own process, so its
 * descriptors are not ours.
 */
final class ServerProcess implements AutoCloseable {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private final ChildProcess child;
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
        child = ChildProcess.start(new ProcessBuilder(command).redirectErrorStream(true),
                line -> ReadyLine.parse(line).isPresent(), this::line, null);
        try {
            port = ReadyLine.parse(child.awaitReady(Duration.ofSeconds(120))).orElseThrow().port();
        } catch (Exception e) {
            close();
            throw e;
        }
    }

    /** Keeps the latest stats line. */
    private void line(String line) {
        if (line.startsWith("connections=")) {
            lastStats = line;
        }
    }

    int port() {
        return port;
    }

    /** The server's process id ({@code bin/server} execs its JVM). */
    long pid() {
        return child.pid();
    }

    /** The latest stats line ({@code connections=...}), or empty. */
    String lastStats() {
        return lastStats;
    }

    /**
     * One server for a whole test class, started before its first test and stopped after its
     * last: {@code @RegisterExtension static final ServerProcess.ForClass SERVER = new ServerProcess.ForClass();}
     */
    static final class ForClass implements BeforeAllCallback, AfterAllCallback {
        private ServerProcess server;

        @Override
        public void beforeAll(ExtensionContext context) throws Exception {
            server = new ServerProcess();
        }

        @Override
        public void afterAll(ExtensionContext context) {
            if (server != null) {
                server.close();
            }
        }

        int port() {
            return server.port();
        }
    }

    /** SIGTERM by PID, then wait; SIGKILL only if it did not stop in time. */
    @Override
    public void close() {
        child.stop(Duration.ofSeconds(10));
    }
}
