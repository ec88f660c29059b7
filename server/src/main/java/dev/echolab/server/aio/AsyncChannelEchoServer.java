package dev.echolab.server.aio;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;
import dev.echolab.server.JoinedThreads;
import dev.echolab.server.Limits;
import dev.echolab.server.Offload;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.Sockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.AsynchronousServerSocketChannel;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * <b>Model:</b> asynchronous IO: start a read, return at once, and continue in a callback that runs
 * after the data has been copied into your buffer (NIO.2 {@link AsynchronousSocketChannel} and
 * {@link CompletionHandler}).
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>The listening channel lives in an {@link AsynchronousChannelGroup} of N threads; one
 *       {@code accept} is outstanding, and its callback starts the next one.</li>
 *   <li>Each {@link Connection} starts a {@code read(buffer, handler)} and returns: no thread waits
 *       for it.</li>
 *   <li>When the read completes (phase 1 and phase 2 both done) the handler queues the filled buffer
 *       for writing and starts the next read.</li>
 *   <li>One write is outstanding at a time; its handler starts the next queued one. More than
 *       256 KiB queued: the connection stops starting reads until the queue drains.</li>
 * </ol>
 *
 * <p><b>Threads:</b> the group's N threads ({@code --threads}, default one per CPU) run every
 * callback; none of them belongs to a connection. A callback must not block, as in any event loop.
 *
 * <p><b>Work</b> ({@code --work}): done inside the read callback it blocks a group thread, and
 * with it every connection whose callbacks that thread would run; {@code --offload N} does it on a
 * pool and queues the echo from there (starting a write is legal from any thread). The next read
 * starts only after the work, so order holds either way.
 *
 * <p><b>Honestly, on Linux:</b> the JDK has no kernel asynchronous socket IO to call. It emulates
 * this model with epoll (the same readiness notification as {@code nio}) plus the thread pool: a
 * group thread waits in {@code epoll_wait}, does the non-blocking read itself once the socket is
 * ready, then calls your handler. The API is completion-based; the mechanism is the reactor. (On
 * Windows it maps onto real IO completion ports.) True kernel asynchronous IO on Linux is
 * io_uring: the kernel performs the copy and posts a completion. Try it with
 * {@code bin/server --backend netty --transport io_uring}.
 *
 * <p><b>Costs:</b> three system calls per echo where a selector loop makes two: each read re-arms
 * a one-shot epoll registration ({@code epoll_ctl}) before it waits; a callback object, a possible
 * thread hand-off and a lock per completion; a read buffer per connection (1 KiB, up to 16 KiB
 * while reads come back full), and up to
 * 256 KiB more while a client is slow to read.
 *
 * <p><b>Choose it when</b> you like the completion style (or target Windows IOCP); on Linux a
 * selector loop or Netty does the same work with less overhead.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.nio.SelectorEchoServer} (readiness: "you may
 * read now", then you copy), {@link dev.echolab.server.netty.NettyEchoServer} with
 * {@code --transport io_uring} (completion done by the kernel).
 *
 * <p><b>Try it:</b> {@code bin/server --backend aio --threads 2}, then {@code bin/loadgen}; in
 * {@code top -H -p $PID} the work spreads over the group's threads.
 */
public final class AsyncChannelEchoServer extends BaseEchoServer {

    private static final Logger log = LoggerFactory.getLogger(AsyncChannelEchoServer.class);

    static {
        // By default the JDK tries each read at once, before asking epoll, and only waits when it
        // gets EAGAIN. An echo server starts its next read just after sending the echo, when the
        // client cannot have answered yet: that attempt fails every time, one wasted system call per
        // message (docs/performance.md has its cost). So wait for readiness first, unless the user
        // says otherwise.
        // Must be set before the JDK's asynchronous socket class is loaded: this class comes first.
        System.getProperties().putIfAbsent("sun.nio.ch.disableSynchronousRead", "true");
    }

    private final AcceptHandler onAccept = new AcceptHandler();
    private AsynchronousChannelGroup group;
    private final JoinedThreads groupThreads = new JoinedThreads(Thread.ofPlatform().name("aio-", 0).factory());
    private ExecutorService offload;
    private ConnectionContext context;
    private AsynchronousServerSocketChannel server;

    public AsyncChannelEchoServer(ServerConfig config) {
        super(config);
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        group = AsynchronousChannelGroup.withFixedThreadPool(config.effectiveThreads(), groupThreads);
        try {
            server = Sockets.bind(config, group);
        } catch (IOException | RuntimeException e) {
            shutdownGroup();
            throw e;
        }
        offload = Offload.pool(config);
        context = context(offload);
        server.accept(null, onAccept);
        return Sockets.localAddress(server);
    }

    private final class AcceptHandler implements CompletionHandler<AsynchronousSocketChannel, Void> {
        @Override
        public void completed(AsynchronousSocketChannel ch, Void unused) {
            // Admit before the next accept: accepts stay one at a time, so the count is exact.
            boolean admitted = limits.admit();
            acceptNext(); // one accept is always outstanding
            if (!admitted) {
                closeQuietly(ch);
                return;
            }
            try {
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                new Connection(ch, context).start();
            } catch (IOException | RuntimeException e) {
                log.debug("connection ended: {}", e.toString());
                closeQuietly(ch);
                stats.closed();
            }
        }

        private void acceptNext() {
            try {
                server.accept(null, this);
            } catch (RuntimeException e) { // the group is shutting down
                if (!closing()) {
                    log.warn("cannot accept any more: {}", e.toString());
                }
            }
        }

        @Override
        public void failed(Throwable e, Void unused) {
            if (closing() || !server.isOpen()) {
                return;
            }
            // Out of file descriptors, most likely: try again a little later without holding a
            // group thread.
            limits.acceptFailed(e);
            CompletableFuture.delayedExecutor(Limits.ACCEPT_RETRY_MS, TimeUnit.MILLISECONDS)
                    .execute(this::acceptNext);
        }
    }

    /** Drain: the pending accept fails (its handler sees the socket closed and stops); connections go on. */
    @Override
    protected void closeListener() {
        closeQuietly(server);
    }

    @Override
    protected void stop() {
        closeQuietly(server);
        shutdownGroup();
        Offload.shutdown(offload);
    }

    /** shutdownNow closes every channel of the group; then wait for its threads to end. */
    private void shutdownGroup() {
        try {
            group.shutdownNow();
            if (!group.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("aio: group threads still running after 5 s");
            } else {
                groupThreads.join(); // termination is signalled by the last thread on its way out
            }
        } catch (IOException e) {
            log.debug("closing the channel group: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
