package dev.echolab.server;

import dev.echolab.common.Descriptors;
import dev.echolab.common.Durations;

import java.io.IOException;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a backend is started with. Every value is checked here, once: backends trust it, and
 * {@code bin/server} reports a value refused here as a usage error naming its option
 * ({@link Invalid}).
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
 * @param maxConnections open connections beyond which new ones are closed at once (by default
 *                  what the open-file limit allows: {@link #defaultMaxConnections()})
 * @param idleTimeout close a connection after this long without traffic; {@link Duration#ZERO}: never
 * @param maxBuffered unsent bytes all connections together may hold before event loops stop
 *                  reading (by default {@link #defaultMaxBuffered()})
 * @param tally     the lesson on locks ({@link Tally}): a counter every connection updates per
 *                  message; {@link Tally.Mode#NONE} for none. Thread-per-connection backends only.
 */
public record ServerConfig(Backend backend, String host, int port, int threads,
                           Transport transport, Work work, int offload, boolean reusePort,
                           int maxConnections, Duration idleTimeout, long maxBuffered, Tally.Mode tally) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;

    public ServerConfig {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(tally, "tally");
        check(!host.isBlank(), "--host", host, "an address or a host name, e.g. 127.0.0.1");
        check(port >= 0 && port <= 65_535, "--port", port, "a port from 0 to 65535");
        check(threads >= 0, "--threads", threads, "a number of threads (0 or more; 0: the backend's default)");
        check(offload >= 0, "--offload", offload, "a number of threads (0 or more)");
        check(maxConnections >= 1, "--max-connections", maxConnections, "a number of connections (1 or more)");
        check(!idleTimeout.isNegative(), "--idle-timeout", idleTimeout, "a duration (0 or more; 0: off)");
        check(maxBuffered >= 1, "--max-buffered", maxBuffered, "a number of bytes (1 or more)");
        check(tally == Tally.Mode.NONE || backend.threadPerConnection(), "--tally", tally.id(),
                "usable here: only " + Backend.ids(Backend::threadPerConnection) + " give each connection a thread of its own");
    }

    /** No tally: the plain echo server. */
    public ServerConfig(Backend backend, String host, int port, int threads, Transport transport, Work work, int offload,
                        boolean reusePort, int maxConnections, Duration idleTimeout, long maxBuffered) {
        this(backend, host, port, threads, transport, work, offload, reusePort, maxConnections, idleTimeout, maxBuffered,
                Tally.Mode.NONE);
    }

    /**
     * A value no backend can use, named by its {@code bin/server} option: the command turns it into
     * its usage error, anyone else gets it as an {@link IllegalArgumentException}.
     *
     * @param option   the option that sets the value: {@code --port}
     * @param expected what would be valid: {@code a port from 0 to 65535}
     */
    public static final class Invalid extends IllegalArgumentException {
        private final String option;
        private final String expected;

        Invalid(String option, Object value, String expected) {
            super(option + " " + value + " is not " + expected);
            this.option = option;
            this.expected = expected;
        }

        public String option() {
            return option;
        }

        public String expected() {
            return expected;
        }
    }

    private static void check(boolean valid, String option, Object value, String expected) {
        if (!valid) {
            throw new Invalid(option, value, expected);
        }
    }

    /** Default limits: connections from the open-file limit, no idle timeout, a quarter of the heap. */
    public ServerConfig(Backend backend, String host, int port, int threads,
                        Transport transport, Work work, int offload, boolean reusePort) {
        this(backend, host, port, threads, transport, work, offload, reusePort,
                defaultMaxConnections(), Duration.ZERO, defaultMaxBuffered());
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
     * This configuration as {@code bin/server} options, exactly (limits as numbers, durations in
     * {@link Durations}' grammar, unrounded), so that {@code bin/server} parses them back to an equal
     * configuration: what a {@code --processes} child is started with ({@code --child} for
     * {@link #reusePort()}), and what a test passes to the launcher. The one writer of a server's
     * command line.
     */
    public List<String> toArguments() {
        List<String> args = new ArrayList<>(List.of("--backend", backend.id(), "--host", host, "--port", String.valueOf(port)));
        args.addAll(choices());
        if (reusePort) {
            args.add("--child");
        }
        args.addAll(List.of("--max-connections", String.valueOf(maxConnections),
                "--idle-timeout", idleTimeout.isZero() ? "off" : Durations.format(idleTimeout),
                "--max-buffered", String.valueOf(maxBuffered)));
        return args;
    }

    /** One line for a failed bind: "port N is already in use" for the common case. */
    public String bindFailure(IOException e) {
        String msg = String.valueOf(e.getMessage());
        if (e instanceof BindException || msg.contains("Address already in use")) {
            return msg.contains("in use") ? "port " + port + " is already in use" : "cannot bind " + host + ":" + port + ": " + msg;
        }
        return "cannot start " + backend.id() + " on " + host + ":" + port + ": " + msg;
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
        if (tally != Tally.Mode.NONE) {
            args.addAll(List.of("--tally", tally.id()));
        }
        return args;
    }

    /** Threads the backend should use: the explicit choice, or the backend's default. */
    public int effectiveThreads() {
        return threads > 0 ? threads : backend.defaultThreads();
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(backend, host, p, threads, transport, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered, tally);
    }

    public ServerConfig withThreads(int n) {
        return new ServerConfig(backend, host, port, n, transport, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered, tally);
    }

    public ServerConfig withTransport(Transport t) {
        return new ServerConfig(backend, host, port, threads, t, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered, tally);
    }

    public ServerConfig withWork(Work w, int offloadThreads) {
        return new ServerConfig(backend, host, port, threads, transport, w, offloadThreads, reusePort,
                maxConnections, idleTimeout, maxBuffered, tally);
    }

    public ServerConfig withReusePort(boolean on) {
        return new ServerConfig(backend, host, port, threads, transport, work, offload, on,
                maxConnections, idleTimeout, maxBuffered, tally);
    }

    /** The three limits at once; 0 for a number means its default ({@link Duration#ZERO}: no idle timeout). */
    public ServerConfig withLimits(int maxConns, Duration idle, long maxBuf) {
        return new ServerConfig(backend, host, port, threads, transport, work, offload, reusePort,
                maxConns == 0 ? defaultMaxConnections() : maxConns, idle, maxBuf == 0 ? defaultMaxBuffered() : maxBuf, tally);
    }

    public ServerConfig withTally(Tally.Mode mode) {
        return new ServerConfig(backend, host, port, threads, transport, work, offload, reusePort,
                maxConnections, idleTimeout, maxBuffered, mode);
    }
}
