package dev.echolab.server.nio;

import dev.echolab.server.EchoServer;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.ServerStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * <b>Model:</b> IO multiplexing: one thread waits on every socket at once ({@link Selector}, which
 * is epoll on Linux) and only touches the sockets that are ready.
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>Every channel is non-blocking and registered with one selector: the listening socket for
 *       ACCEPT, each client for READ.</li>
 *   <li>The loop thread blocks in {@code select()} (phase 1, waiting, for all sockets together).</li>
 *   <li>For each ready client it reads into one shared buffer (phase 2, the copy) and writes the
 *       bytes straight back.</li>
 *   <li>If the socket takes only part of them, the rest is kept on the {@link Connection} and the
 *       key switches to WRITE until it drains, then back to READ.</li>
 * </ol>
 *
 * <p><b>Threads:</b> exactly one, which must never block: a slow call inside the loop (a database
 * query, a {@code Thread.sleep}) stalls every connection at once. The wrong way, in prose: calling
 * a blocking API from {@code onReadable} looks harmless with one client and freezes the server at
 * five hundred.
 *
 * <p><b>Costs:</b> one {@code epoll_wait} amortised over all ready sockets, one {@code read} and one
 * {@code write} per message, no thread per connection and no allocation per message (the read
 * buffer is shared; a connection's own buffer exists only after its first partial write).
 *
 * <p><b>Choose it when</b> you need many connections on few threads and the work per message is
 * short; this is the core of Netty, Redis and nginx.
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.netty.NettyEchoServer} (the same design,
 * production-grade), {@link dev.echolab.server.virtual.VirtualThreadEchoServer} (the JDK runs
 * such a poller for you behind blocking code).
 *
 * <p><b>Try it:</b> {@code bin/server --backend nio}, then {@code bin/loadgen}: one busy thread
 * serves all 500 connections ({@code top -H -p $PID}).
 */
public final class SelectorEchoServer implements EchoServer {

    private static final Logger log = LoggerFactory.getLogger(SelectorEchoServer.class);
    private static final int BUFFER_SIZE = 64 * 1024;

    private final ServerConfig config;
    private final ServerStats stats = new ServerStats();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** One read buffer for all connections: only the loop thread touches it. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private Selector selector;
    private ServerSocketChannel server;
    private Thread loop;
    private boolean acceptFailing;
    private boolean acceptWarned;

    public SelectorEchoServer(ServerConfig config) {
        this.config = config;
    }

    @Override
    public void start() throws IOException {
        selector = Selector.open();
        server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.bind(new InetSocketAddress(config.host(), config.port()), 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
        } catch (IOException e) {
            server.close();
            selector.close();
            throw e;
        }
        loop = Thread.ofPlatform().name("nio-loop").start(this::run);
    }

    private void run() {
        try {
            while (!closed.get()) {
                // The consumer form of select() walks the ready keys without allocating an iterator.
                selector.select(this::onReady, acceptFailing ? 100 : 0);
                if (acceptFailing) {
                    acceptFailing = false;
                    server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
                }
            }
        } catch (IOException e) {
            log.error("selector failed: {}", e.toString());
        } finally {
            for (SelectionKey key : selector.keys()) {
                if (key.attachment() instanceof Connection c) {
                    c.close();
                }
            }
            closeQuietly(server);
            closeQuietly(selector);
        }
    }

    /** The one place that decides what a ready key means; an IO error ends that connection only. */
    private void onReady(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            accept(key);
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                c.onReadable(buffer);
            } else if (key.isWritable()) {
                c.onWritable();
            }
        } catch (IOException e) {
            log.debug("connection ended: {}", e.toString());
            c.close();
        }
    }

    private void accept(SelectionKey serverKey) {
        SocketChannel ch;
        try {
            while ((ch = server.accept()) != null) {
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
                key.attach(new Connection(ch, key, stats));
                stats.accepted();
                acceptWarned = false;
            }
        } catch (IOException e) {
            // Out of file descriptors, most likely. The listening socket stays readable, so keep
            // it out of the interest set for a moment instead of spinning on it.
            if (!acceptWarned) {
                log.warn("accept failed ({}); retrying every 100 ms", e.getMessage());
                acceptWarned = true;
            }
            serverKey.interestOps(0);
            acceptFailing = true;
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("server is closed", e);
        }
    }

    @Override
    public ServerStats.Snapshot stats() {
        return stats.snapshot();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || loop == null) {
            return;
        }
        selector.wakeup();
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down: nothing useful to do with a failure to close
        }
    }
}
