package dev.echolab.server;

import java.time.Duration;
import java.util.Objects;

/**
 * What a backend is started with. Validated here, once, so backends can trust it.
 *
 * @param backend   which IO model
 * @param host      address to bind (loopback unless the user chose otherwise)
 * @param port      TCP port, 0 for any free port
 * @param threads   worker threads; 0 means the backend's own default ({@link Backend#defaultThreads()})
 * @param transport the netty backend's IO mechanism; the other backends ignore it
 * @param work      simulated work per message ({@link Work#NONE} for a plain echo)
 * @param offload   threads of the pool that runs {@code work} off the event loop; 0 runs it on the
 *                  loop (event-loop backends) or on the connection's thread (blocking backends)
 * @param reusePort bind with {@code SO_REUSEPORT}, so several processes can share the port
 *                  ({@code --processes}); set by the launcher for its children
 * @param maxConnections open connections beyond which new ones are closed at once; 0 means the
 *                  default derived from the open-file limit ({@link Limits#defaultMaxConnections()})
 * @param idleTimeout close a connection after this long without traffic; {@link Duration#ZERO}: never
 * @param maxBuffered unsent bytes all connections together may hold before event loops stop
 *                  reading; 0 means the default ({@link Limits#defaultMaxBuffered()})
 */
public record ServerConfig(Backend backend, String host, int port, int threads,
                           Transport transport, Work work, int offload, boolean reusePort,
                           int maxConnections, Duration idleTimeout, long maxBuffered) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ServerConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(work, "work");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be positive, not " + threads);
        }
        if (offload < 0) {
            throw new IllegalArgumentException("offload must be positive, not " + offload);
        }
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (maxConnections < 0 || maxBuffered < 0 || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("limits must be positive (0 for the default)");
        }
        maxConnections = maxConnections == 0 ? Limits.defaultMaxConnections() : maxConnections;
        maxBuffered = maxBuffered == 0 ? Limits.defaultMaxBuffered() : maxBuffered;
    }

    /** Default limits: connections from the open-file limit, no idle timeout, a quarter of the heap. */
    public ServerConfig(Backend backend, String host, int port, int threads,
                        Transport transport, Work work, int offload, boolean reusePort) {
        this(backend, host, port, threads, transport, work, offload, reusePort, 0, Duration.ZERO, 0);
    }

    /** Plain echo: no work, no offload, the default transport, no shared port. */
    public ServerConfig(Backend backend, String host, int port, int threads) {
        this(backend, host, port, threads, Transport.AUTO, Work.NONE, 0, false);
    }

    /** The given backend on 127.0.0.1, any free port, default threads: what tests use. */
    public static ServerConfig loopback(Backend backend) {
        return new ServerConfig(backend, DEFAULT_HOST, 0, 0);
    }

    /** Threads the backend should use: the explicit choice, or the backend's default. */
    public int effectiveThreads() {
        return threads > 0 ? threads : backend.defaultThreads();
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(backend, host, p, threads, transport, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered);
    }

    public ServerConfig withThreads(int n) {
        return new ServerConfig(backend, host, port, n, transport, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered);
    }

    public ServerConfig withTransport(Transport t) {
        return new ServerConfig(backend, host, port, threads, t, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered);
    }

    public ServerConfig withWork(Work w, int offloadThreads) {
        return new ServerConfig(backend, host, port, threads, transport, w, offloadThreads, reusePort,
                maxConnections, idleTimeout, maxBuffered);
    }

    public ServerConfig withReusePort(boolean on) {
        return new ServerConfig(backend, host, port, threads, transport, work, offload, on,
                maxConnections, idleTimeout, maxBuffered);
    }

    /** The three limits at once; 0 (or {@link Duration#ZERO}) keeps the default as in the record. */
    public ServerConfig withLimits(int maxConns, Duration idle, long maxBuf) {
        return new ServerConfig(backend, host, port, threads, transport, work, offload, reusePort,
                maxConns, idle, maxBuf);
    }
}
