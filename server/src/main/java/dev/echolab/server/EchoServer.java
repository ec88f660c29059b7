package dev.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * One TCP echo server, whatever its IO model: every byte a client sends comes back, in order.
 *
 * <p>Lifecycle: {@link #create(ServerConfig)} it (the configuration names the backend, whose
 * registry entry gives its {@link Factory}), {@link #start()} it, and {@link #close()} it
 * (try-with-resources). The echo contract every implementation keeps is
 * checked by one test suite against all of them ({@code EchoContractTest}).
 */
public interface EchoServer extends AutoCloseable {

    /** How a backend's server is made from its configuration: its class's constructor. */
    @FunctionalInterface
    interface Factory {
        EchoServer create(ServerConfig config);
    }

    /** The configured backend's server, not yet started. */
    static EchoServer create(ServerConfig config) {
        return config.backend().factory().create(config);
    }

    /** Binds and returns once the server is listening. Called once. */
    void start() throws IOException;

    /** The address actually bound (the real port when the configuration asked for port 0). */
    InetSocketAddress localAddress();

    /** Extra facts for the ready line, such as {@code transport=epoll}; empty by default. */
    default String details() {
        return "";
    }

    /** The {@code --tally} count, once stopped; empty without one. */
    default java.util.Optional<Tally.Line> tally() {
        return java.util.Optional.empty();
    }

    /** A cheap, thread-safe snapshot of the counters. */
    ServerStats.Snapshot stats();

    /**
     * Stops accepting: the listening socket is closed (with {@code --processes} the kernel sends new
     * connections to the other processes). The open connections go on being served. Idempotent.
     */
    void stopAccepting();

    /**
     * The first half of a drained stop: {@link #stopAccepting()}, then wait while connections are
     * open, until their clients have closed them, {@code timeout} has passed or {@code abort} is
     * counted down. Returns how many are still open; {@link #close()} ends them.
     */
    long drain(Duration timeout, CountDownLatch abort) throws InterruptedException;

    /**
     * Stops accepting, closes every connection and returns once every thread this server started
     * has ended. Idempotent; never throws.
     */
    @Override
    void close();
}
