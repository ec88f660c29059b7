package dev.echolab.server;

import java.util.Objects;

/**
 * What a backend is started with. Validated here, once, so backends can trust it.
 *
 * @param backend which IO model
 * @param host    address to bind (loopback unless the user chose otherwise)
 * @param port    TCP port, 0 for any free port
 * @param threads worker threads; 0 means the backend's own default ({@link Backend#defaultThreads()})
 */
public record ServerConfig(Backend backend, String host, int port, int threads) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ServerConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be positive, not " + threads);
        }
    }

    /** The given backend on 127.0.0.1, any free port, default threads: what tests use. */
    public static ServerConfig loopback(Backend backend) {
        return new ServerConfig(backend, DEFAULT_HOST, 0, 0);
    }

    /** Threads the backend should use: the explicit choice, or the backend's default. */
    public int effectiveThreads() {
        return threads > 0 ? threads : backend.defaultThreads();
    }

    public ServerConfig withThreads(int n) {
        return new ServerConfig(backend, host, port, n);
    }
}
