package dev.echolab.server;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What every backend does the same way around its model, so that a backend's file holds only the
 * model: the configuration, the counters ({@link ServerStats}) and the {@link Limits} policy, the
 * address it bound, and a close that runs once however often (and from wherever) it is called.
 *
 * <p>A backend writes three methods: {@link #listen()} binds, starts its threads and returns the
 * bound address; {@link #closeListener()} stops accepting and leaves the connections be;
 * {@link #stop()} ends everything {@code listen} started. Each runs at most once, the last two only
 * after {@code listen} returned: a {@code listen} that fails cleans up after itself.
 *
 * <p>A drained stop ({@link #drain}) is {@code closeListener}, then a wait until the open-connection
 * count falls to 0 (each client closed its connection) or the timeout ends, then {@code stop}: the
 * counter every backend keeps is all the drain needs, so a backend's part is only to stop accepting.
 */
public abstract class BaseEchoServer implements EchoServer {

    /** How often a drain looks at the open-connection count. */
    private static final long DRAIN_CHECK_MS = 10;

    protected final ServerConfig config;
    protected final ServerStats stats = new ServerStats();
    protected final Limits limits;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile InetSocketAddress address;

    protected BaseEchoServer(ServerConfig config) {
        this.config = config;
        this.limits = new Limits(config, stats);
    }

    /** Binds as {@link Sockets} does for every backend, starts serving; returns the bound address. */
    protected abstract InetSocketAddress listen() throws IOException;

    /** Stops accepting, closes every connection, and returns once every thread of this server has ended. */
    protected abstract void stop();

    /**
     * Stops accepting: closes the listening socket, or has the thread that owns it do so, and ends
     * the accept loop; connections already accepted are served on. Called at most once, before
     * {@link #stop()} if at all.
     */
    protected abstract void closeListener();

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

    @Override
    public final void stopAccepting() {
        if (address != null && !closed.get() && draining.compareAndSet(false, true)) {
            closeListener();
        }
    }

    @Override
    public final long drain(Duration timeout, CountDownLatch abort) throws InterruptedException {
        stopAccepting();
        long deadline = System.nanoTime() + timeout.toNanos();
        long open;
        while ((open = stats.open()) > 0 && System.nanoTime() - deadline < 0
                && !abort.await(DRAIN_CHECK_MS, TimeUnit.MILLISECONDS)) {
            // each client closes its connection in its own time
        }
        return open;
    }

    /** True once {@link #stopAccepting()} was called: an accept loop ends, and its failures are the close's doing. */
    protected final boolean draining() {
        return draining.get();
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
