package dev.echolab.server.nio;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;

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
 *
 * <p>Two more ways out of READ, both from {@link dev.echolab.server.Limits}: over the global
 * {@code --max-buffered} budget a ready connection is PAUSED (no interest) until the reactor sees
 * the budget drained; with {@code --idle-timeout} the reactor's sweep closes a connection that has
 * sat in READ, with nothing pending, for that long.
 */
final class Connection implements Runnable {

    private final SocketChannel channel;
    private final SelectionKey key;
    /** The server's counters, limits and work; its offload pool, or null to work on the reactor. */
    private final ConnectionContext context;
    private final Reactor reactor;
    /**
     * The unsent tail of one read (or a whole read during offloaded work): borrowed from the
     * reactor while bytes wait, given back once they are sent, so idle connections hold none.
     */
    private ByteBuffer pending;
    /** Bytes of {@link #pending} counted against the global budget. */
    private int reserved;
    /** When bytes last moved, for the idle sweep ({@link System#nanoTime()}). */
    private long lastActive = System.nanoTime();

    Connection(SocketChannel channel, SelectionKey key, ConnectionContext context, Reactor reactor) {
        this.channel = channel;
        this.key = key;
        this.context = context;
        this.reactor = reactor;
    }

    /**
     * Reads what has arrived into the reactor's shared buffer and writes it straight back. Only the
     * part the socket does not take now is copied into this connection's own buffer.
     */
    void onReadable(ByteBuffer shared) throws IOException {
        if (context.limits().overBudget()) {
            key.interestOps(0); // leave the bytes in the kernel: TCP pushes back on this client
            reactor.pause(this);
            return;
        }
        shared.clear();
        int n = channel.read(shared);
        if (n < 0) {
            close(); // nothing is pending in READ state: everything read was already written
            return;
        }
        lastActive = System.nanoTime();
        context.stats().echoed(n);
        shared.flip();
        Executor offload = context.offload();
        if (offload != null) {
            keep(shared);
            key.interestOps(0); // read nothing more until this message has been worked on and sent
            offload.execute(this);
            return;
        }
        // The classic mistake, on purpose (--work without --offload): this blocks the reactor,
        // and with it every other connection it serves.
        context.work().perform();
        writeOrKeep(shared);
    }

    /** On an offload pool thread: do the work, then hand the connection back to its reactor. */
    @Override
    public void run() {
        context.work().perform();
        reactor.workDone(this);
    }

    /** Back on the reactor thread: send what the work was done for, as after a read. */
    void onWorkDone() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        channel.write(pending);
        if (pending.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            drained();
        }
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
        pending = reactor.borrow();
        pending.clear();
        pending.put(shared).flip();
        reserved = pending.remaining();
        context.limits().reserve(reserved);
    }

    /** Finishes a partial write; back to reading once drained. */
    void onWritable() throws IOException {
        if (channel.write(pending) > 0) {
            lastActive = System.nanoTime();
        }
        if (!pending.hasRemaining()) {
            drained();
        }
    }

    /** Everything is sent: the buffer and its share of the budget go back, reading resumes. */
    private void drained() {
        giveBack();
        key.interestOps(SelectionKey.OP_READ);
    }

    private void giveBack() {
        if (pending != null) {
            context.limits().release(reserved);
            reactor.giveBack(pending);
            pending = null;
            reserved = 0;
        }
    }

    /** Called by the reactor once the budget has room again. */
    void resume() {
        if (key.isValid()) {
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    /** In READ with nothing pending and no byte moved for {@code nanos}: the sweep may close it. */
    boolean idleFor(long nanos, long now) {
        return pending == null && key.isValid() && key.interestOps() == SelectionKey.OP_READ
                && now - lastActive >= nanos;
    }

    void close() {
        if (!channel.isOpen()) {
            return;
        }
        key.cancel();
        BaseEchoServer.closeQuietly(channel); // the peer may be gone already
        giveBack();
        context.stats().closed();
    }
}
