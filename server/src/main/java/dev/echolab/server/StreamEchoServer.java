package dev.echolab.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The accept loop and the echo loop shared by the three blocking backends ({@code blocking},
 * {@code pool}, {@code virtual}). They differ only in the {@link ExecutorService} that runs
 * {@link #echo(Connection)}: a new platform thread, a pooled thread, or a new virtual thread per
 * connection. Everything else a reader sees here is the same for all three.
 *
 * <pre>
 *   accept thread:   accept() ──► executor.execute(echo(socket)) ──► accept() ...
 *   echo task:       read() blocks ──► write() blocks ──► read() ... ──► EOF: close
 * </pre>
 *
 * Backpressure comes for free: while the client does not read, {@code write} blocks, so the task
 * stops reading and TCP's window pushes back on the client. The memory bound is one buffer of at
 * most 64 KiB per connection, so {@code --max-connections} bounds the total ({@code --max-buffered}
 * has nothing to add here).
 *
 * <p>The socket is a {@link SocketChannel} in blocking mode, read into a direct buffer: the same
 * blocking {@code read} and {@code write} system calls as a {@code Socket}'s streams, without the
 * copy those make through a per-thread temporary direct buffer (a {@code byte[]} cannot be handed
 * to the kernel; docs/performance.md has its cost).
 *
 * <p>Memory: the buffer is what a waiting connection holds (a parked virtual thread keeps it
 * as a platform thread does), so it starts small ({@value #SMALL_BUFFER} bytes: an idle client or
 * a chat of short lines costs that much) and grows only while reads fill it, that is while a large
 * message is in flight, back to small once a read brings no more than that. A fixed 64 KiB
 * buffer would make every idle connection cost 64 KiB (docs/performance.md, "Memory per idle
 * connection", compares the models).
 *
 * <p>Limits ({@link Limits}): beyond {@code --max-connections} a new socket is closed right after
 * accept, before any thread is made for it: that cap is what keeps {@code blocking} from running
 * out of threads. {@code --idle-timeout}: a channel has no read timeout ({@code SO_TIMEOUT} is for
 * a {@code Socket}'s streams), so each connection notes when its read began and a sweeper thread
 * closes the ones whose read has waited that long; the closed read ends the loop. A write blocked
 * on a slow reader is not idle. On the pool an idle client holds a thread for all that time, which
 * is exactly how idle clients starve the others there.
 */
public abstract class StreamEchoServer extends BaseEchoServer {

    private static final Logger log = LoggerFactory.getLogger(StreamEchoServer.class);
    /** The buffer of a connection exchanging short messages, and of an idle one. */
    static final int SMALL_BUFFER = 1024;
    /** The largest read: a 1 MiB burst takes 16 round trips. */
    static final int LARGE_BUFFER = 64 * 1024;

    private final ExecutorService executor;
    private final JoinedThreads echoThreads;
    /** --tally: the counter every connection's thread updates per message (the lesson on locks). */
    private final Tally tally;
    private long accepted;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private ServerSocketChannel serverChannel;
    private Thread acceptThread;
    private Thread idleSweeper;

    /** One accepted connection; {@code readingSince} is for the idle sweeper only. */
    private static final class Connection {
        final SocketChannel channel;
        /** Its place in the order of accepts (the tally's deadlock mode takes its locks by it). */
        final long number;
        /** {@link System#nanoTime()} when the pending read began, 0 while not reading. */
        volatile long readingSince;

        Connection(SocketChannel channel, long number) {
            this.channel = channel;
            this.number = number;
        }
    }

    /**
     * @param executor the executor of the echo loops, made with the thread factory it is given
     * @param threads  how its threads are made; they are joined by {@code close()}
     */
    protected StreamEchoServer(ServerConfig config, Function<ThreadFactory, ExecutorService> executor, ThreadFactory threads) {
        super(config);
        this.echoThreads = new JoinedThreads(threads);
        this.executor = executor.apply(echoThreads);
        this.tally = new Tally(config.tally());
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        serverChannel = Sockets.bind(config);
        acceptThread = Thread.ofPlatform().name(config.backend().id() + "-accept").start(this::acceptLoop);
        if (limits.idleTimeoutEnabled()) {
            idleSweeper = Thread.ofPlatform().name(config.backend().id() + "-idle").start(this::sweepIdle);
        }
        return Sockets.localAddress(serverChannel);
    }

    private void acceptLoop() {
        while (!closing() && !draining()) {
            SocketChannel socket;
            try {
                socket = serverChannel.accept();
            } catch (IOException e) {
                if (closing() || draining()) {
                    return; // the listening socket was closed under the blocked accept
                }
                // Out of file descriptors, most likely: back off; the echo threads keep serving.
                limits.acceptFailed(e);
                sleep(Limits.ACCEPT_RETRY_MS);
                continue;
            }
            if (limits.admit()) {
                serve(new Connection(socket, accepted++));
            } else {
                closeQuietly(socket);
            }
        }
    }

    private void serve(Connection connection) {
        connections.add(connection);
        stats.waiting(+1);
        try {
            executor.execute(() -> {
                stats.waiting(-1);
                echo(connection);
            });
        } catch (RuntimeException | OutOfMemoryError noThread) {
            // The executor is shutting down, or (blocking) the OS would not make one more thread:
            // "unable to create native thread" is an OutOfMemoryError. This connection ends; the
            // server and every other connection go on. A lower --max-connections avoids it.
            if (!closing()) {
                log.warn("cannot start a thread for a new connection: {}", noThread.toString());
            }
            stats.waiting(-1);
            connections.remove(connection);
            closeQuietly(connection.channel);
            stats.closed();
        }
    }

    /** The echo loop: one connection, start to end, on whatever thread the executor gives it. */
    private void echo(Connection connection) {
        SocketChannel channel = connection.channel;
        ByteBuffer buffer = ByteBuffer.allocateDirect(SMALL_BUFFER);
        boolean idleTimeout = limits.idleTimeoutEnabled();
        try (channel) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            int n;
            Work work = config.work();
            while (true) {
                if (idleTimeout) {
                    connection.readingSince = System.nanoTime();
                }
                n = channel.read(buffer);
                if (idleTimeout) {
                    connection.readingSince = 0;
                }
                if (n <= 0) {
                    break;
                }
                // --work: on these backends the connection's own thread does it; a blocked thread
                // here holds up only its own client (and, on the pool, one of its threads).
                if (tally.enabled()) {
                    tally.around(work, Tally.lines(buffer, n), connection.number);
                } else {
                    work.perform();
                }
                buffer.flip();
                while (buffer.hasRemaining()) {
                    channel.write(buffer); // blocking mode: returns when all is written
                }
                stats.echoed(n);
                buffer = nextBuffer(buffer, n);
                buffer.clear();
            }
            // EOF: the client half-closed. Everything it sent is already written back;
            // closing now tells it we are done too.
        } catch (IOException e) {
            // The idle sweeper's close lands here too (AsynchronousCloseException), counted there.
            if (!closing()) {
                log.debug("connection ended: {}", e.toString());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // stopped while waiting for the tally's lock
        } finally {
            connections.remove(connection);
            stats.closed();
        }
    }

    /** --idle-timeout: close each connection whose read has waited that long, a few times per timeout. */
    private void sweepIdle() {
        long timeout = limits.idleTimeoutNanos();
        while (!closing()) {
            sleep(limits.idleSweepMillis());
            long now = System.nanoTime();
            for (Connection c : connections) {
                long since = c.readingSince;
                if (since != 0 && now - since >= timeout && c.channel.isOpen()) {
                    limits.idleClosed();
                    log.debug("idle for {}: closing", limits.idleTimeout());
                    closeQuietly(c.channel);
                }
            }
        }
    }

    /**
     * The buffer for the next read, after one that brought {@code n} bytes into {@code buffer}: four
     * times larger when it came back full (more is waiting, most likely), small again once a read
     * fits in the small size (the burst is over: what the connection holds while it waits for its
     * client is {@value #SMALL_BUFFER} bytes again), else the same.
     */
    static ByteBuffer nextBuffer(ByteBuffer buffer, int n) {
        int size = buffer.capacity();
        if (n == size && size < LARGE_BUFFER) {
            return ByteBuffer.allocateDirect(Math.min(size * 4, LARGE_BUFFER));
        }
        if (n <= SMALL_BUFFER && size > SMALL_BUFFER) {
            return ByteBuffer.allocateDirect(SMALL_BUFFER);
        }
        return buffer;
    }

    /**
     * Drain: closing the listening socket wakes the accept thread (AsynchronousCloseException) and
     * ends its loop; the echo threads go on until their clients close.
     */
    @Override
    protected void closeListener() {
        closeQuietly(serverChannel);
        join(acceptThread);
    }

    @Override
    protected void stop() {
        closeQuietly(serverChannel);
        join(acceptThread);
        if (idleSweeper != null) {
            idleSweeper.interrupt();
            join(idleSweeper);
        }
        // Closing a socket wakes the thread blocked reading or writing it; queued tasks never start.
        executor.shutdownNow();
        connections.forEach(c -> closeQuietly(c.channel));
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("{}: echo threads still running after 5 s", config.backend().id());
            } else {
                echoThreads.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tally.close();
    }

    @Override
    public Optional<Tally.Line> tally() {
        return tally.enabled() ? Optional.of(tally.line()) : Optional.empty();
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
