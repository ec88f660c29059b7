package dev.echolab.server.nonblocking;

import dev.echolab.server.ServerStats;

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
 */
final class Connection {

    private final SocketChannel channel;
    private final ServerStats stats;
    /** The unsent tail of one read; allocated on the first partial write, then reused. */
    private ByteBuffer pending;

    Connection(SocketChannel channel, ServerStats stats) {
        this.channel = channel;
        this.stats = stats;
    }

    /** One look at this socket; returns true if any byte moved (or the connection ended). */
    boolean poll(ByteBuffer shared) throws IOException {
        if (pending != null && pending.hasRemaining()) {
            return flush();
        }
        stats.polled(1);
        shared.clear();
        int n = channel.read(shared);
        if (n == 0) {
            return false; // nothing has arrived: the answer non-blocking IO gives most of the time
        }
        if (n < 0) {
            close(); // half-close: nothing is pending (we only read when drained), so we are done
            return true;
        }
        stats.echoed(n);
        shared.flip();
        channel.write(shared);
        if (shared.hasRemaining()) {
            if (pending == null) {
                pending = ByteBuffer.allocate(shared.capacity());
            }
            pending.clear();
            pending.put(shared).flip();
        }
        return true;
    }

    private boolean flush() throws IOException {
        return channel.write(pending) > 0;
    }

    boolean isOpen() {
        return channel.isOpen();
    }

    void close() {
        if (!channel.isOpen()) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the peer is gone already; nothing left to tell it
        }
        stats.closed();
    }
}
