package dev.echolab.server;

import dev.echolab.common.Cli;
import dev.echolab.server.aio.AsyncChannelEchoServer;
import dev.echolab.server.blocking.ThreadPerConnectionEchoServer;
import dev.echolab.server.netty.NettyEchoServer;
import dev.echolab.server.nio.SelectorEchoServer;
import dev.echolab.server.nonblocking.PollingEchoServer;
import dev.echolab.server.pool.ThreadPoolEchoServer;
import dev.echolab.server.uring.UringEchoServer;
import dev.echolab.server.virtual.VirtualThreadEchoServer;

import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The registry of IO models: everything the commands know about a backend is its entry here (its
 * class, its threads, where {@code --work} runs, the options it takes, whether this machine can
 * run it). The order is the reading order of the lessons; a backend that is listed here gets the
 * whole contract test suite, and {@code bin/server} offers it with no other change.
 */
public enum Backend implements Cli.Choice {

    BLOCKING("one platform thread per connection, blocking reads and writes",
            Threads.fixed("per-connection", 0), WorkOn.OWN_THREAD, ThreadPerConnectionEchoServer::new),
    POOL("the blocking echo loop on a fixed thread pool; extra connections wait",
            Threads.option("threads in the pool", 200), WorkOn.OWN_THREAD, ThreadPoolEchoServer::new),
    VIRTUAL("the blocking echo loop on one virtual thread per connection",
            Threads.fixed("per-connection", 0), WorkOn.OWN_THREAD, VirtualThreadEchoServer::new),
    NONBLOCKING("one thread asks every socket in turn, no selector; busy when idle",
            Threads.fixed("1", 1), WorkOn.LOOP_OR_POOL, PollingEchoServer::new),
    NIO("one selector thread; --threads N: 1 acceptor + N reactor threads",
            Threads.option("reactors, plus an acceptor thread when N > 1", 1), WorkOn.LOOP_OR_POOL, SelectorEchoServer::new),
    AIO("NIO.2 async channels: completion callbacks on a thread group",
            Threads.option("threads of the channel group", Threads.PER_CPU), WorkOn.LOOP_OR_POOL, AsyncChannelEchoServer::new),
    URING("one thread, one io_uring: completions of accept, recv and send (Linux)",
            Threads.fixed("1", 1), WorkOn.LOOP, UringEchoServer::new, false, UringEchoServer::unavailability),
    NETTY("Netty event loops; --transport io_uring, epoll or nio (auto)",
            Threads.option("event loops", Threads.PER_CPU), WorkOn.LOOP_OR_POOL, NettyEchoServer::new, true, () -> null);

    /**
     * What {@code --threads} means to a backend.
     *
     * @param role    what N counts, or null when the model has no such number and ignores the option
     * @param count   the default: a number (0 when the model has none) or {@link #PER_CPU}
     * @param shown   how the settings line shows the threads of a model that ignores the option
     */
    public record Threads(String role, int count, String shown) {

        /**
         * A default of one thread per CPU. With {@code --processes N} the processes share the CPUs,
         * so each takes its share (CPUs / N, at least 1): more loops than cores only add wake-ups
         * and context switches.
         */
        static final int PER_CPU = -1;

        static Threads option(String role, int count) {
            return new Threads(role, count, null);
        }

        static Threads fixed(String shown, int count) {
            return new Threads(null, count, shown);
        }
    }

    /** Where {@code --work} runs. */
    public enum WorkOn {
        /** On the event loop, or with {@code --offload N} on a pool of N threads. */
        LOOP_OR_POOL(null),
        /** On each connection's own thread (the blocking models): {@code --offload} has nothing to move. */
        OWN_THREAD("each connection's own thread"),
        /** On the one loop thread, whatever {@code --offload} says. */
        LOOP("its loop thread");

        private final String without;

        WorkOn(String without) {
            this.without = without;
        }
    }

    private final String summary;
    private final Threads threads;
    private final WorkOn work;
    private final EchoServer.Factory factory;
    private final boolean transport;
    private final Supplier<String> unavailability;

    Backend(String summary, Threads threads, WorkOn work, EchoServer.Factory factory) {
        this(summary, threads, work, factory, false, () -> null);
    }

    /**
     * @param work           where {@code --work} runs
     * @param transport      whether the backend takes {@code --transport}
     * @param unavailability why this machine cannot run the backend, or null if it can
     */
    Backend(String summary, Threads threads, WorkOn work, EchoServer.Factory factory,
            boolean transport, Supplier<String> unavailability) {
        this.summary = summary;
        this.threads = threads;
        this.work = work;
        this.factory = factory;
        this.transport = transport;
        this.unavailability = unavailability;
    }

    public String summary() {
        return summary;
    }

    public Threads threads() {
        return threads;
    }

    /** Whether the default is one thread per CPU (then {@code --processes N} divides it). */
    public boolean threadsPerCpu() {
        return threads.count() == Threads.PER_CPU;
    }

    /** Worker threads when {@code --threads} is not given; 0 when the model has no fixed number. */
    public int defaultThreads() {
        return threadsPerCpu() ? Runtime.getRuntime().availableProcessors() : threads.count();
    }

    /** The settings line's {@code threads=}: the number in use, or what the model has instead. */
    public String threadsShown(int effective) {
        return threads.role() == null ? threads.shown() : String.valueOf(effective);
    }

    /** Whether {@code --offload N} moves {@code --work} to a pool of N threads. */
    public boolean offloads() {
        return work == WorkOn.LOOP_OR_POOL;
    }

    /** Whether each connection has a thread of its own (the blocking loop), as {@code --tally} needs. */
    public boolean threadPerConnection() {
        return work == WorkOn.OWN_THREAD;
    }

    /** Where {@code --work} runs when the backend does not offload ("its loop thread"), else null. */
    public String workThread() {
        return work.without;
    }

    /** Whether the backend takes {@code --transport}. */
    public boolean takesTransport() {
        return transport;
    }

    /** Why this machine cannot run the backend (no io_uring, for instance), or null if it can. */
    public String unavailability() {
        return unavailability.get();
    }

    /** How an {@link EchoServer} of this model is made: its class's constructor. */
    public EchoServer.Factory factory() {
        return factory;
    }

    /** The id ({@code nio}), so help texts and logs show what a user types. */
    @Override
    public String toString() {
        return id();
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
        return Cli.ids(Backend.class);
    }

    /** The ids of the backends that match, in reading order: {@code blocking, pool and virtual}. */
    public static String ids(Predicate<Backend> which) {
        List<String> ids = Arrays.stream(values()).filter(which).map(Backend::id).toList();
        return ids.size() < 2 ? String.join("", ids)
                : String.join(", ", ids.subList(0, ids.size() - 1)) + " and " + ids.getLast();
    }
}
