package dev.echolab.server.nonblocking;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;
import dev.echolab.server.Limits;
import dev.echolab.server.Offload;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.Sockets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * <b>Model:</b> non-blocking IO without a selector: one thread asks every socket, again and again,
 * whether data has arrived ({@code read} returns 0: "not yet, ask again").
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>The listening socket and every client are in non-blocking mode: {@code accept} returns
 *       null and {@code read} returns 0 instead of waiting.</li>
 *   <li>One loop walks the list: accept whatever is pending, then give each {@link Connection} one
 *       {@code poll}: finish its pending write, or try one read and echo it (phase 2, the copy).</li>
 *   <li>Phase 1, the waiting, is this loop itself: the thread asks sockets that have nothing to say.
 *       The stats line counts these questions ({@code polls/s}).</li>
 *   <li>After a pass where nothing moved the loop backs off: {@link Thread#onSpinWait()} for
 *       {@value #SPIN_PASSES} passes, then it parks for 10 us, doubling up to 1 ms; any progress
 *       resets it. Without this an idle server burns a whole core.</li>
 * </ol>
 *
 * <p><b>Threads:</b> exactly one, never blocked by a socket, always busy or napping.
 *
 * <p><b>Work</b> ({@code --work}): on the polling thread it stops every connection; with
 * {@code --offload N} a pool thread does it while the loop skips that connection, then the loop
 * finds the echo pending and writes it.
 *
 * <p><b>Costs:</b> one {@code read} system call per connection per pass, whether or not it has
 * data: idle connections cost system calls, and a share of a core, even with the back-off (without
 * it the loop never sleeps, so it takes a whole core; docs/io-models.md has the figures). The
 * back-off in turn adds up to 1 ms of latency to the first message after a quiet spell. Cost
 * grows with connections, not with traffic: the wrong way round.
 *
 * <p><b>Choose it when</b> never for a server: it is here to show what the kernel's readiness
 * notification ({@code select}/{@code epoll}, the next lesson) saves. Polling makes sense only for
 * a few sockets that are almost always busy (some trading and DPDK-style systems spin on purpose,
 * with a core reserved for it).
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.nio.SelectorEchoServer} (the same loop, but the
 * kernel says which sockets are ready), {@link dev.echolab.server.blocking.ThreadPerConnectionEchoServer}
 * (blocking: the thread waits inside {@code read}).
 *
 * <p><b>Try it:</b> {@code bin/server --backend nonblocking}, open 100 idle connections
 * ({@code bin/loadgen --connections 100 --rate 1}) and watch {@code top -p $PID} and the
 * {@code polls/s} in the stats line: busy with nothing to do. Then the same with {@code --backend nio}.
 */
public final class PollingEchoServer extends BaseEchoServer {

    private static final Logger log = LoggerFactory.getLogger(PollingEchoServer.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    /** Idle passes that only spin before the loop starts to park. */
    private static final int SPIN_PASSES = 100;
    private static final long MIN_PARK_NANOS = TimeUnit.MICROSECONDS.toNanos(10);
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** One read buffer for all connections: only the loop thread touches it. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final List<Connection> connections = new ArrayList<>();
    private ServerSocketChannel server;
    private ExecutorService offload;
    private ConnectionContext context;
    private Thread loop;
    private long acceptPausedUntil;

    public PollingEchoServer(ServerConfig config) {
        super(config);
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        server = Sockets.bind(config);
        try {
            server.configureBlocking(false);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        offload = Offload.pool(config);
        context = context(offload);
        loop = Thread.ofPlatform().name("nonblocking-loop").start(this::run);
        return Sockets.localAddress(server);
    }

    private void run() {
        long idlePasses = 0;
        try {
            while (!closing()) {
                boolean progress = acceptPending() | pollAll();
                idlePasses = progress ? 0 : idlePasses + 1;
                backOff(idlePasses);
            }
        } finally {
            connections.forEach(Connection::close);
            closeQuietly(server);
        }
    }

    /** Spin briefly (the next byte is often microseconds away), then park longer and longer. */
    private static void backOff(long idlePasses) {
        if (idlePasses == 0) {
            return;
        }
        if (idlePasses <= SPIN_PASSES) {
            Thread.onSpinWait();
            return;
        }
        long doublings = Math.min(idlePasses - SPIN_PASSES - 1, 7); // 10 us << 7 = 1.28 ms
        LockSupport.parkNanos(Math.min(MIN_PARK_NANOS << doublings, MAX_PARK_NANOS));
    }

    /** One pass over every connection; closed ones are dropped (swap with the last, no shifting). */
    private boolean pollAll() {
        boolean progress = false;
        long now = limits.idleTimeoutEnabled() ? System.nanoTime() : 0;
        for (int i = connections.size() - 1; i >= 0; i--) {
            Connection c = connections.get(i);
            try {
                progress |= c.poll(buffer);
            } catch (IOException e) {
                log.debug("connection ended: {}", e.toString());
                c.close();
            }
            if (now != 0 && c.isOpen() && c.idleFor(limits.idleTimeoutNanos(), now)) {
                log.debug("idle for {}: closing", limits.idleTimeout());
                limits.idleClosed();
                c.close();
            }
            if (!c.isOpen()) {
                Connection last = connections.removeLast();
                if (last != c) {
                    connections.set(i, last);
                }
            }
        }
        return progress;
    }

    private boolean acceptPending() {
        if (draining()) {
            return false;
        }
        if (acceptPausedUntil != 0 && System.nanoTime() - acceptPausedUntil < 0) {
            return false;
        }
        acceptPausedUntil = 0;
        boolean accepted = false;
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                accepted = true;
                if (!limits.admit()) {
                    ch.close();
                    continue;
                }
                ch.configureBlocking(false);
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                connections.add(new Connection(ch, context));
            }
        } catch (IOException e) {
            if (draining()) {
                return accepted; // closed by closeListener between the check above and accept
            }
            // Out of file descriptors, most likely: stop asking for a while.
            limits.acceptFailed(e);
            acceptPausedUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Limits.ACCEPT_RETRY_MS);
        }
        return accepted;
    }

    /** Drain: the loop asks the closed socket no more; it goes on polling its connections. */
    @Override
    protected void closeListener() {
        closeQuietly(server);
    }

    @Override
    protected void stop() {
        LockSupport.unpark(loop);
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Offload.shutdown(offload);
    }
}
