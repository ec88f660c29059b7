package dev.echolab.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What keeps a server alive when clients are unkind, written once for every backend: the
 * connection gate ({@code --max-connections}), the idle timeout ({@code --idle-timeout}) and the
 * global buffer budget ({@code --max-buffered}). A backend asks; it never re-implements the policy.
 *
 * <pre>
 *   accept ──► admit()? ──no──► close at once, count rejected (a log line at most once a second)
 *                 │yes
 *                 ▼
 *   read ──► unsent bytes: reserve(n) ──► sent: release(n); overBudget()? event loops stop reading
 *
 *   accept fails (out of descriptors) ──► acceptFailed(e): said once; the backend pauses accepting
 *                                          ACCEPT_RETRY_MS (never retries at once) and keeps serving
 * </pre>
 *
 * Accepts are serialised on every backend (one accept thread, acceptor reactor or boss loop), so
 * "open &lt; max, then accepted()" needs no lock: closes only make the count smaller meanwhile.
 */
public final class Limits {

    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long a backend stops accepting after {@code accept} failed. The listening socket stays
     * readable while the process is out of descriptors, so retrying at once would be a busy loop.
     */
    public static final long ACCEPT_RETRY_MS = 100;
    /** At most one line about failing accepts per this interval, however often they recover and fail again. */
    static final long ACCEPT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /**
     * Per instance, not static: {@code bin/server} reads the defaults below before it configures
     * logging, and a static logger would be created, with the wrong settings, at that moment.
     */
    private final Logger log = LoggerFactory.getLogger(Limits.class);
    private final ServerStats stats;
    private final int maxConnections;
    private final long maxBuffered;
    private final Duration idleTimeout;
    private final AtomicLong buffered = new AtomicLong();
    private volatile long lastRejectLog = System.nanoTime() - LOG_INTERVAL_NANOS;
    /** True from a failed accept to the next successful one. */
    private volatile boolean acceptFailing;
    private volatile long lastAcceptLog = System.nanoTime() - ACCEPT_LOG_INTERVAL_NANOS;
    /** Failed accepts since the last line about them (accepts are serialised: one writer). */
    private volatile long acceptFailuresUnsaid;

    public Limits(ServerConfig config, ServerStats stats) {
        this.stats = stats;
        this.maxConnections = config.maxConnections();
        this.maxBuffered = config.maxBuffered();
        this.idleTimeout = config.idleTimeout();
    }

    /**
     * Called right after accept. True: the connection is counted as accepted and the caller serves
     * it. False: over {@code --max-connections}; the caller closes it at once (it was counted as
     * rejected). Closing costs the client one reset instead of a queue it would wait in forever.
     */
    public boolean admit() {
        acceptFailing = false;
        if (stats.open() >= maxConnections) {
            stats.rejected();
            long now = System.nanoTime();
            if (now - lastRejectLog >= LOG_INTERVAL_NANOS) {
                lastRejectLog = now;
                log.warn("--max-connections {} reached: closing new connections (rejected so far: {})",
                        maxConnections, stats.snapshot().rejected());
            }
            return false;
        }
        stats.accepted();
        return true;
    }

    /**
     * {@code accept} failed: out of file descriptors, most likely. The caller pauses accepting for
     * {@link #ACCEPT_RETRY_MS} and keeps serving its connections. Said when accepting starts to
     * fail, and at most once per {@link #ACCEPT_LOG_INTERVAL_NANOS} however often it recovers in
     * between (a server at its limit recovers and fails again with every client that leaves).
     */
    public void acceptFailed(Throwable cause) {
        long now = System.nanoTime();
        if (!acceptFailing && now - lastAcceptLog >= ACCEPT_LOG_INTERVAL_NANOS) {
            long before = acceptFailuresUnsaid;
            log.warn("accept failed ({}); retrying every {} ms{}", cause.getMessage(), ACCEPT_RETRY_MS,
                    before == 0 ? "" : " (" + before + " more failed accepts since the last such line)");
            lastAcceptLog = now;
            acceptFailuresUnsaid = 0;
        } else {
            acceptFailuresUnsaid++;
        }
        acceptFailing = true;
    }

    /** True when an idle timeout is set (it is off by default). */
    public boolean idleTimeoutEnabled() {
        return !idleTimeout.isZero();
    }

    public Duration idleTimeout() {
        return idleTimeout;
    }

    public long idleTimeoutNanos() {
        return idleTimeout.toNanos();
    }

    /** Milliseconds for a read's own timeout (aio, Netty): 0 (wait forever) when off, at least 1 when on. */
    public int idleTimeoutMillis() {
        return idleTimeoutEnabled() ? (int) Math.clamp(idleTimeout.toMillis(), 1, Integer.MAX_VALUE) : 0;
    }

    /** How often an event loop sweeps for idle connections: a quarter of the timeout, 10 ms to 1 s. */
    public long idleSweepMillis() {
        return Math.clamp(idleTimeout.toMillis() / 4, 10, 1_000);
    }

    /** An idle connection was closed by the server. */
    public void idleClosed() {
        stats.idleClosed();
    }

    /** {@code n} more bytes are held for a client that has not taken them yet. */
    public void reserve(long n) {
        buffered.addAndGet(n);
    }

    /** {@code n} held bytes were sent (or dropped with their connection). */
    public void release(long n) {
        buffered.addAndGet(-n);
    }

    /** Above {@code --max-buffered}: event loops stop reading until writes drain below it. */
    public boolean overBudget() {
        return buffered.get() >= maxBuffered;
    }

    public long buffered() {
        return buffered.get();
    }
}
