package dev.echolab.server;

import dev.echolab.common.Descriptors;
import dev.echolab.common.Durations;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 *                  default derived from the open-file limit ({@link #defaultMaxConnections()})
 * @param idleTimeout close a connection after this long without traffic; {@link Duration#ZERO}: never
 * @param maxBuffered unsent bytes all connections together may hold before event loops stop
 *                  reading; 0 means the default ({@link #defaultMaxBuffered()})
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
        maxConnections = maxConnections == 0 ? defaultMaxConnections() : maxConnections;
        maxBuffered = maxBuffered == 0 ? defaultMaxBuffered() : maxBuffered;
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

    // ---- defaults, from the process's own limits ------------------------------------------------

    /**
     * The default {@code --max-connections}: what the open-file limit leaves once the JVM's own
     * descriptors and {@link Descriptors#JVM_HEADROOM} are set aside (each connection is one
     * descriptor). Without a known limit (unlimited, or no /proc) there is no cap to derive.
     */
    public static int defaultMaxConnections() {
        long limit = Descriptors.softLimit().orElse(Integer.MAX_VALUE);
        long fit = limit - Descriptors.JVM_HEADROOM - Descriptors.open().orElse(50);
        return (int) Math.clamp(fit, 1, Integer.MAX_VALUE);
    }

    /** The default {@code --max-buffered}: a quarter of the maximum heap. */
    public static long defaultMaxBuffered() {
        return Runtime.getRuntime().maxMemory() / 4;
    }

    /** One line when {@code maxConnections} cannot fit in the open-file limit, or null when it fits. */
    public static String fitWarning(int maxConnections) {
        int fit = defaultMaxConnections();
        if (maxConnections <= fit) {
            return null;
        }
        return "warning: --max-connections " + maxConnections + " cannot fit: the open-file limit is "
                + Descriptors.softLimit().orElse(Long.MAX_VALUE) + ", which leaves room for about " + fit
                + " connections; raise it (ulimit -n) or expect accept to fail with 'Too many open files'";
    }

    // ---- as options ----------------------------------------------------------------------------

    /**
     * This configuration as {@code bin/server} options, limits resolved to numbers: what a
     * {@code --processes} child is started with, and what a test passes to the launcher.
     */
    public List<String> toArguments() {
        List<String> args = new ArrayList<>(List.of("--backend", backend.id(), "--host", host, "--port", String.valueOf(port)));
        args.addAll(choices());
        args.addAll(List.of("--max-connections", String.valueOf(maxConnections),
                "--idle-timeout", idleTimeout.isZero() ? "off" : Durations.format(idleTimeout),
                "--max-buffered", String.valueOf(maxBuffered)));
        return args;
    }

    /** The backend and the options that set this configuration apart: {@code nio --threads 2}. */
    public String label() {
        List<String> words = new ArrayList<>(List.of(backend.id()));
        words.addAll(choices());
        return String.join(" ", words);
    }

    /** The model's own options where they are not the backend's defaults. */
    private List<String> choices() {
        List<String> args = new ArrayList<>();
        if (threads > 0) {
            args.addAll(List.of("--threads", String.valueOf(threads)));
        }
        if (transport != Transport.AUTO) {
            args.addAll(List.of("--transport", transport.id()));
        }
        if (!work.isNone()) {
            args.addAll(List.of("--work", work.toString()));
        }
        if (offload > 0) {
            args.addAll(List.of("--offload", String.valueOf(offload)));
        }
        return args;
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
