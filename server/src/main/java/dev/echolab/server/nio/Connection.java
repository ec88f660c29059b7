package dev.echolab.server.nio;

import dev.echolab.server.ServerStats;
import dev.echolab.server.Work;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.concurrent.Executor;

/**
 * One client of a {@link Reactor}, and its state machine:
 *
 * <pre>
 *            read n &gt; 0, all written                     write drained
 *          ┌───────────────────┐                      ┌────────────────┐
 *          ▼                   │   partial write      │                ▼
 *      [ READ ] ───────────────┴──────────────────► [ WRITE ] ─────► [ READ ]
 *          │ read -1 (half-close)
 *          ▼
 *      [ CLOSED ]
 *
 *   with --offload:  [ READ ] ── read n ──► [ WORK ] (no interest; a pool thread works)
 *                    ── reactor told the work is done ──► write ──► [ READ ] or [ WRITE ]
 * </pre>
 *
 * Interest is READ or WRITE, never both (and nothing during WORK): while bytes are waiting to go
 * out we do not read, so a client that stops reading stops being read (that is the backpressure),
 * and the loop never spins on a writable socket with nothing to write.
 */
final class Connection implements Runnable {

    private final SocketChannel channel;
    private final SelectionKey key;
    private final ServerStats stats;
    private final Reactor reactor;
    /** The unsent tail of one read (or a whole read during offloaded work); allocated once, reused. */
    private ByteBuffer pending;

    Connection(SocketChannel channel, SelectionKey key, ServerStats stats, Reactor reactor) {
        this.channel = channel;
        this.key = key;
        this.stats = stats;
        this.reactor = reactor;
    }

    /**
     * Reads what has arrived into the reactor's shared buffer and writes it straight back. Only the
     * part the socket does not take now is copied into this connection's own buffer.
     */
    void onReadable(ByteBuffer shared) throws IOException {
        shared.clear();
        int n = channel.read(shared);
        if (n < 0) {
            close(); // nothing is pending in READ state: everything read was already written
            return;
        }
        stats.echoed(n);
        shared.flip();
        Work work = reactor.work();
        Executor offload = reactor.offload();
        if (offload != null) {
            keep(shared);
            key.interestOps(0); // read nothing more until this message has been worked on and sent
            offload.execute(this);
            return;
        }
        // The classic mistake, on purpose (--work without --offload): this blocks the reactor,
        // and with it every other connection it serves.
        work.perform();
        writeOrKeep(shared);
    }

    /** On an offload pool thread: do the work, then hand the connection back to its reactor. */
    @Override
    public void run() {
        reactor.work().perform();
        reactor.workDone(this);
    }

    /** Back on the reactor thread: send what the work was done for, as after a read. */
    void onWorkDone() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        channel.write(pending);
        key.interestOps(pending.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    private void writeOrKeep(ByteBuffer shared) throws IOException {
        channel.write(shared);
        if (shared.hasRemaining()) {
            keep(shared);
            key.interestOps(SelectionKey.OP_WRITE);
        }
    }

    /** Copies the unsent bytes out of the shared buffer, which the next connection will reuse. */
    private void keep(ByteBuffer shared) {
        if (pending == null) {
            pending = ByteBuffer.allocate(shared.capacity());
        }
        pending.clear();
        pending.put(shared).flip();
    }

    /** Finishes a partial write; back to reading once drained. */
    void onWritable() throws IOException {
        channel.write(pending);
        if (!pending.hasRemaining()) {
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
