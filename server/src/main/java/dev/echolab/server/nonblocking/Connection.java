package dev.echolab.server.nonblocking;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * One polled client. Each {@link #poll} either finishes a pending write or asks the socket for data
 * once; it never does both, so a client that stops reading is not read either (backpressure: at
 * most one buffer of unsent bytes per connection).
 *
 * <pre>
 *   [ READ ] ── partial write ──► [ WRITE ] ── drained ──► [ READ ]
 *      │ read -1 (half-close: nothing can be pending in READ)
 *      ▼
 *   [ CLOSED ]
 * </pre>
 *
 * Over the global {@code --max-buffered} budget a connection in READ is simply not asked (the loop
 * comes back anyway); unsent bytes are counted against that budget until they are sent.
 */
final class Connection implements Runnable {

    private final SocketChannel channel;
    /** The server's counters, limits and work; its offload pool, or null to work on the polling thread. */
    private final ConnectionContext context;
    /** The unsent tail of one read (a whole read during offloaded work); allocated once, reused. */
    private ByteBuffer pending;
    /** Unsent bytes counted against the global budget. */
    private int reserved;
    /** When bytes last moved, for {@code --idle-timeout} ({@link System#nanoTime()}). */
    private long lastActive = System.nanoTime();
    /** True while an offload thread works on {@link #pending}: the loop leaves this socket alone. */
    private volatile boolean working;

    Connection(SocketChannel channel, ConnectionContext context) {
        this.channel = channel;
        this.context = context;
    }

    /** One look at this socket; returns true if any byte moved (or the connection ended). */
    boolean poll(ByteBuffer shared) throws IOException {
        if (working) {
            return false;
        }
        if (reserved > 0) {
            return flush();
        }
        if (context.limits().overBudget()) {
            return false; // leave the bytes in the kernel until other clients have taken theirs
        }
        context.stats().polled(1);
        shared.clear();
        int n = channel.read(shared);
        if (n == 0) {
            return false; // nothing has arrived: the answer non-blocking IO gives most of the time
        }
        if (n < 0) {
            close(); // half-close: nothing is pending (we only read when drained), so we are done
            return true;
        }
        lastActive = System.nanoTime();
        context.stats().echoed(n);
        shared.flip();
        if (context.offload() != null) {
            keep(shared); // the next poll finds it pending once the work is done
            working = true;
            context.offload().execute(this);
            return true;
        }
        context.work().perform(); // without --offload: the one polling thread waits, and so does everyone
        channel.write(shared);
        if (shared.hasRemaining()) {
            keep(shared);
        }
        return true;
    }

    /** On an offload thread; the volatile write publishes "done" to the polling thread. */
    @Override
    public void run() {
        context.work().perform();
        working = false;
    }

    private void keep(ByteBuffer shared) {
        if (pending == null) {
            pending = ByteBuffer.allocate(shared.capacity());
        }
        pending.clear();
        pending.put(shared).flip();
        reserved = pending.remaining();
        context.limits().reserve(reserved);
    }

    private boolean flush() throws IOException {
        if (channel.write(pending) == 0) {
            return false;
        }
        lastActive = System.nanoTime();
        if (!pending.hasRemaining()) {
            unreserve();
        }
        return true;
    }

    private void unreserve() {
        context.limits().release(reserved);
        reserved = 0;
    }

    /** Nothing pending, no work running, and no byte moved for {@code nanos}. */
    boolean idleFor(long nanos, long now) {
        return reserved == 0 && !working && now - lastActive >= nanos;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() {
        if (!channel.isOpen()) {
            return;
        }
        BaseEchoServer.closeQuietly(channel); // the peer may be gone already
        unreserve();
        context.stats().closed();
    }
}
