package dev.echolab.server.nio;

import dev.echolab.server.ServerStats;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One client of the selector loop, and its state machine:
 *
 * <pre>
 *            read n &gt; 0, all written                     write drained
 *          ┌───────────────────┐                      ┌────────────────┐
 *          ▼                   │   partial write      │                ▼
 *      [ READ ] ───────────────┴──────────────────► [ WRITE ] ─────► [ READ ]
 *          │ read -1 (half-close)                       │ drained after EOF
 *          ▼                                            ▼
 *      [ CLOSED ] ◄─────────────────────────────────────┘
 * </pre>
 *
 * Interest is READ or WRITE, never both: while bytes are waiting to go out we do not read, so a
 * client that stops reading stops being read (that is the backpressure), and the loop never spins
 * on a writable socket with nothing to write.
 */
final class Connection {

    private final SocketChannel channel;
    private final SelectionKey key;
    private final ServerStats stats;
    /** The unsent tail of one read; allocated on the first partial write, then reused. */
    private ByteBuffer pending;
    private boolean inputClosed;

    Connection(SocketChannel channel, SelectionKey key, ServerStats stats) {
        this.channel = channel;
        this.key = key;
        this.stats = stats;
    }

    /**
     * Reads what has arrived into the loop's shared buffer and writes it straight back. Only the
     * part the socket does not take now is copied into this connection's own buffer.
     */
    void onReadable(ByteBuffer shared) throws IOException {
        shared.clear();
        int n = channel.read(shared);
        if (n < 0) {
            inputClosed = true;
            close(); // nothing is pending in READ state: everything read was already written
            return;
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
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    /** Finishes a partial write; back to reading once drained (or closes after a half-close). */
    void onWritable() throws IOException {
        channel.write(pending);
        if (pending.hasRemaining()) {
            return;
        }
        if (inputClosed) {
            close();
        } else {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    void close() {
        if (!channel.isOpen()) {
            return;
        }
        key.cancel();
        try {
            channel.close();
        } catch (IOException ignored) {
            // the peer is gone already; nothing left to tell it
        }
        stats.closed();
    }
}
