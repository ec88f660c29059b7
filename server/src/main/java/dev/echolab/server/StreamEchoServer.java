package dev.echolab.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The accept loop and the echo loop shared by the three blocking backends ({@code blocking},
 * {@code pool}, {@code virtual}). They differ only in the {@link ExecutorService} that runs
 * {@link #echo(Socket)}: a new platform thread, a pooled thread, or a new virtual thread per
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
 * <p>Memory: the buffer is what a waiting connection holds (a parked virtual thread keeps it
 * as a platform thread does), so it starts small ({@value #SMALL_BUFFER} bytes: an idle client or
 * a chat of short lines costs that much) and grows only while reads fill it, that is while a large
 * message is in flight, back to small once a read brings no more than that. A 64 KiB buffer
 * for every connection made a parked virtual thread ten times a goroutine's size
 * (docs/performance.md, "Memory per idle connection").
 *
 * <p>Limits ({@link Limits}): beyond {@code --max-connections} a new socket is closed right after
 * accept, before any thread is made for it: that cap is what keeps {@code blocking} from running
 * out of threads. {@code --idle-timeout} is a socket read timeout: a {@code read} that waits that
 * long throws and the connection ends. On the pool an idle client holds a thread for all that time,
 * which is exactly how idle clients starve the others there.
 */
public abstract class StreamEchoServer implements EchoServer {

    private static final Logger log = LoggerFactory.getLogger(StreamEchoServer.class);
    /** The buffer of a connection exchanging short messages, and of an idle one. */
    static final int SMALL_BUFFER = 1024;
    /** The largest read: a 1 MiB burst takes 16 round trips. */
    static final int LARGE_BUFFER = 64 * 1024;

    protected final ServerConfig config;
    protected final ServerStats stats = new ServerStats();
    private final Limits limits;
    private final ExecutorService executor;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private ServerSocket serverSocket;
    private Thread acceptThread;

    protected StreamEchoServer(ServerConfig config, ExecutorService executor) {
        this.config = config;
        this.executor = executor;
        this.limits = new Limits(config, stats);
    }

    @Override
    public void start() throws IOException {
        serverSocket = Sockets.bindBlocking(config);
        acceptThread = Thread.ofPlatform().name(config.backend().id() + "-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!closed.get()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (closed.get()) {
                    return;
                }
                // Out of file descriptors, most likely: back off; the echo threads keep serving.
                limits.acceptFailed(e);
                sleep(Limits.ACCEPT_RETRY_MS);
                continue;
            }
            if (limits.admit()) {
                serve(socket);
            } else {
                closeQuietly(socket);
            }
        }
    }

    private void serve(Socket socket) {
        sockets.add(socket);
        stats.waiting(+1);
        try {
            executor.execute(() -> {
                stats.waiting(-1);
                echo(socket);
            });
        } catch (RuntimeException | OutOfMemoryError noThread) {
            // The executor is shutting down, or (blocking) the OS would not make one more thread:
            // "unable to create native thread" is an OutOfMemoryError. This connection ends; the
            // server and every other connection go on. A lower --max-connections avoids it.
            if (!closed.get()) {
                log.warn("cannot start a thread for a new connection: {}", noThread.toString());
            }
            stats.waiting(-1);
            sockets.remove(socket);
            closeQuietly(socket);
            stats.closed();
        }
    }

    /** The echo loop: one connection, start to end, on whatever thread the executor gives it. */
    private void echo(Socket socket) {
        byte[] buffer = new byte[SMALL_BUFFER];
        try (socket) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(limits.idleTimeoutMillis()); // 0: wait forever
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            int n;
            Work work = config.work();
            while ((n = in.read(buffer)) > 0) {
                // --work: on these backends the connection's own thread does it; a blocked thread
                // here holds up only its own client (and, on the pool, one of its threads).
                work.perform();
                out.write(buffer, 0, n);
                stats.echoed(n);
                buffer = nextBuffer(buffer, n);
            }
            // EOF: the client half-closed. Everything it sent is already written back;
            // closing now tells it we are done too.
        } catch (SocketTimeoutException e) {
            limits.idleClosed();
            log.debug("idle for {}: closing", limits.idleTimeout());
        } catch (IOException e) {
            if (!closed.get()) {
                log.debug("connection ended: {}", e.toString());
            }
        } finally {
            sockets.remove(socket);
            stats.closed();
        }
    }

    /**
     * The buffer for the next read, after one that brought {@code n} bytes into {@code buffer}: four
     * times larger when it came back full (more is waiting, most likely), small again once a read
     * fits in the small size (the burst is over: what the connection holds while it waits for its
     * client is {@value #SMALL_BUFFER} bytes again), else the same.
     */
    static byte[] nextBuffer(byte[] buffer, int n) {
        if (n == buffer.length && buffer.length < LARGE_BUFFER) {
            return new byte[Math.min(buffer.length * 4, LARGE_BUFFER)];
        }
        if (n <= SMALL_BUFFER && buffer.length > SMALL_BUFFER) {
            return new byte[SMALL_BUFFER];
        }
        return buffer;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) serverSocket.getLocalSocketAddress();
    }

    @Override
    public ServerStats.Snapshot stats() {
        return stats.snapshot();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closeQuietly(serverSocket);
        join(acceptThread);
        // Closing a socket wakes the thread blocked reading or writing it; queued tasks never start.
        executor.shutdownNow();
        sockets.forEach(StreamEchoServer::closeQuietly);
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("{}: echo threads still running after 5 s", config.backend().id());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception ignored) {
            // closing is best effort: the peer may be gone already
        }
    }
}
