package dev.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * One TCP echo server, whatever its IO model: every byte a client sends comes back, in order.
 *
 * <p>Lifecycle: create it through {@link Backend#create(ServerConfig)}, {@link #start()} it, and
 * {@link #close()} it (try-with-resources). The echo contract every implementation keeps is
 * checked by one test suite against all of them ({@code EchoContractTest}).
 */
public interface EchoServer extends AutoCloseable {

    /** Binds and returns once the server is listening. Called once. */
    void start() throws IOException;

    /** The address actually bound (the real port when the configuration asked for port 0). */
    InetSocketAddress localAddress();

    /** Extra facts for the ready line, such as {@code transport=epoll}; empty by default. */
    default String details() {
        return "";
    }

    /** A cheap, thread-safe snapshot of the counters. */
    ServerStats.Snapshot stats();

    /**
     * Stops accepting, closes every connection and returns once every thread this server started
     * has ended. Idempotent; never throws.
     */
    @Override
    void close();
}
