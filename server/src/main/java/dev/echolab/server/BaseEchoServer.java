package dev.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every backend does the same way around its model, so that a backend's file holds only the
 * model: the configuration, the counters ({@link ServerStats}) and the {@link Limits} policy, the
 * address it bound, and a close that runs once however often (and from wherever) it is called.
 *
 * <p>A backend writes two methods: {@link #listen()} binds, starts its threads and returns the
 * bound address; {@link #stop()} ends everything {@code listen} started. {@code stop} runs at most
 * once, and only after {@code listen} returned: a {@code listen} that fails cleans up after itself.
 */
public abstract class BaseEchoServer implements EchoServer {

    protected final ServerConfig config;
    protected final ServerStats stats = new ServerStats();
    protected final Limits limits;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile InetSocketAddress address;

    protected BaseEchoServer(ServerConfig config) {
        this.config = config;
        this.limits = new Limits(config, stats);
    }

    /** Binds as {@link Sockets} does for every backend, starts serving; returns the bound address. */
    protected abstract InetSocketAddress listen() throws IOException;

    /** Stops accepting, closes every connection, and returns once every thread of this server has ended. */
    protected abstract void stop();

    @Override
    public final void start() throws IOException {
        address = listen();
    }

    @Override
    public final InetSocketAddress localAddress() {
        if (address == null) {
            throw new IllegalStateException("not started");
        }
        return address;
    }

    @Override
    public final ServerStats.Snapshot stats() {
        return stats.snapshot();
    }

    @Override
    public final void close() {
        if (closed.compareAndSet(false, true) && address != null) {
            stop();
        }
    }

    /** True once {@link #close()} was called: loops end, and failures they see are the close's doing. */
    protected final boolean closing() {
        return closed.get();
    }

    /** What this server's connections share; {@code offload} is where {@code --work} runs, or null. */
    protected final ConnectionContext context(Executor offload) {
        return new ConnectionContext(stats, limits, config.work(), offload);
    }

    /** Closes {@code c}, if any, ignoring failure: the peer may be gone, or we are shutting down. */
    public static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // best effort: nothing useful to do with a failure to close
        }
    }
}
