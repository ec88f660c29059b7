package dev.echolab.server;

import dev.echolab.server.aio.AsyncChannelEchoServer;
import dev.echolab.server.blocking.ThreadPerConnectionEchoServer;
import dev.echolab.server.netty.NettyEchoServer;
import dev.echolab.server.nio.SelectorEchoServer;
import dev.echolab.server.nonblocking.PollingEchoServer;
import dev.echolab.server.pool.ThreadPoolEchoServer;
import dev.echolab.server.uring.UringEchoServer;
import dev.echolab.server.virtual.VirtualThreadEchoServer;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry of IO models: the only way to create an {@link EchoServer}. The order is the
 * reading order of the lessons; a backend that is listed here gets the whole contract test suite.
 */
public enum Backend {

    BLOCKING("one platform thread per connection, blocking reads and writes", 0,
            ThreadPerConnectionEchoServer::new),
    POOL("the blocking echo loop on a fixed thread pool; extra connections wait", 200,
            ThreadPoolEchoServer::new),
    VIRTUAL("the blocking echo loop on one virtual thread per connection", 0,
            VirtualThreadEchoServer::new),
    NONBLOCKING("one thread asks every socket in turn, no selector; busy when idle", 1,
            PollingEchoServer::new),
    NIO("one selector thread; --threads N: 1 acceptor + N reactor threads", 1,
            SelectorEchoServer::new),
    AIO("NIO.2 async channels: completion callbacks on a thread group", Backend.PER_CPU,
            AsyncChannelEchoServer::new),
    URING("one thread, one io_uring: completions of accept, recv and send (Linux)", 1,
            UringEchoServer::new),
    NETTY("Netty event loops; --transport io_uring, epoll or nio (auto)", Backend.PER_CPU,
            NettyEchoServer::new);

    /** A default of one thread per CPU (the constants above name it qualified: a forward reference). */
    private static final int PER_CPU = -1;

    private final String summary;
    private final int defaultThreads;
    private final Function<ServerConfig, EchoServer> factory;

    Backend(String summary, int defaultThreads, Function<ServerConfig, EchoServer> factory) {
        this.summary = summary;
        this.defaultThreads = defaultThreads;
        this.factory = factory;
    }

    /** The short id used on the command line, in package names and in the docs. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The id, so help texts and logs show {@code nio}, not {@code NIO}. */
    @Override
    public String toString() {
        return id();
    }

    public String summary() {
        return summary;
    }

    /**
     * Whether the default is one thread per CPU. With {@code --processes N} the processes share the
     * CPUs, so each takes its share (CPUs / N, at least 1): more event loops than CPUs only wake and
     * switch more.
     */
    public boolean threadsPerCpu() {
        return defaultThreads == PER_CPU;
    }

    /** Worker threads when {@code --threads} is not given; 0 when the model has no fixed number. */
    public int defaultThreads() {
        return threadsPerCpu() ? Runtime.getRuntime().availableProcessors() : defaultThreads;
    }

    public EchoServer create(ServerConfig config) {
        if (config.backend() != this) {
            throw new IllegalArgumentException("config is for " + config.backend().id() + ", not " + id());
        }
        return factory.apply(config);
    }

    /** The backend with this id, or an exception naming the valid ids. */
    public static Backend fromId(String id) {
        for (Backend b : values()) {
            if (b.id().equalsIgnoreCase(id.strip())) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown backend '" + id + "' (valid: " + ids() + ")");
    }

    /** Every id, comma-separated, in reading order. */
    public static String ids() {
        return Arrays.stream(values()).map(Backend::id).collect(Collectors.joining(", "));
    }

    /** Completion candidates for picocli's help: the ids, not the enum constant names. */
    public static final class Ids implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(Backend::id).iterator();
        }
    }
}
