package dev.echolab.server.uring;

/**
 * One client of the {@link CompletionLoop}: its socket, what the kernel is doing for it, and the
 * received buffers waiting to be echoed. Completions move it through these states:
 *
 * <pre>
 *                 recv completion: buffer queued, send submitted
 *        ┌──────────────────────────────────────────────┐
 *        ▼                                              │
 *   [ READING ] ── unsent &gt;= 64 KiB (or 32 buffers) ─► [ HELD ] ── sends complete, ──► [ READING ]
 *     a recv is     or over budget: cancel the recv       no recv     unsent &lt; 64 KiB:
 *     in the kernel (it completes with ECANCELED)       in flight   recv submitted again
 *        │
 *        │ recv completion with 0 bytes (the client half-closed)
 *        ▼
 *   [ DRAINING ] ── last send completes ──► [ CLOSED ] (close(2): our FIN)
 *
 *   any state ── error, reset, idle timeout, server stop ──► shutdown(2) + close(2) ──► [ CLOSED ]
 *   [ CLOSED ] ── the kernel's last completion for it arrives ──► slot free for a new connection
 * </pre>
 *
 * The close(2) of [ CLOSED ] comes at the start of the loop's next turn, once the entries written
 * for the connection are submitted ({@code CompletionLoop.close}), never before.
 *
 * At most one send is in flight (its completion says how much went; the rest is sent again), so
 * the bytes go out in the order they came in. While the queue holds 64 KiB or more the connection
 * is not read: a client that does not read cannot make the server hold more than that.
 */
final class Connection {

    /** Unsent bytes above which the connection is not read until sends complete. */
    static final int MAX_UNSENT = 64 * 1024;
    /** Queued buffers above which it is not read either: many tiny reads must not take every buffer. */
    static final int MAX_QUEUED = 32;

    /** Index in the loop's table; part of every {@code user_data} of this connection's requests. */
    final int slot;
    int fd = -1;
    boolean open;
    /** A recv (multishot or single) is in the kernel; its last completion lacks IORING_CQE_F_MORE. */
    boolean receiving;
    /** That recv was submitted as multishot (an EINVAL for it means: this kernel has none). */
    boolean multishot;
    /** A cancel of that recv has been submitted. */
    boolean cancelling;
    boolean sending;
    /** The client half-closed: send what is queued, then close. */
    boolean peerDone;
    /** Waiting in the loop's list of connections to read again (out of buffers, or over budget). */
    boolean waiting;
    long lastActive;
    /** Queued buffers, oldest first: ids and lengths; the head's first {@link #sentOfHead} bytes are sent. */
    private int[] bids = new int[4];
    private int[] lengths = new int[4];
    private int head;
    private int size;
    int sentOfHead;
    int unsent;

    Connection(int slot) {
        this.slot = slot;
    }

    void opened(int socket, long now) {
        fd = socket;
        open = true;
        receiving = cancelling = sending = peerDone = waiting = false;
        lastActive = now;
        head = size = sentOfHead = unsent = 0;
    }

    /** Nothing of the kernel's refers to this slot any more: it may serve another connection. */
    boolean free() {
        return !open && !receiving && !sending;
    }

    void enqueue(int bid, int length) {
        if (size == bids.length) {
            grow();
        }
        int at = (head + size) & (bids.length - 1);
        bids[at] = bid;
        lengths[at] = length;
        size++;
        unsent += length;
    }

    boolean queued() {
        return size > 0;
    }

    int headBid() {
        return bids[head];
    }

    int headLength() {
        return lengths[head];
    }

    /** The head buffer is sent; returns its id, for recycling. */
    int dequeue() {
        int bid = bids[head];
        head = (head + 1) & (bids.length - 1);
        size--;
        sentOfHead = 0;
        return bid;
    }

    /**
     * On close: recycles every queued buffer but the one a send still in the kernel reads from
     * (that one goes back with the send's completion).
     */
    void dropQueued(BufferRing buffers) {
        int keep = sending ? 1 : 0;
        while (size > keep) {
            size--;
            buffers.recycle(bids[(head + size) & (bids.length - 1)]);
        }
    }

    /** Wants to read: open, not at end of stream, not already reading, and little unsent. */
    boolean wantsToRead() {
        return open && !peerDone && !receiving && !full();
    }

    /** Holds enough unsent bytes or buffers that it must not be read further until sends complete. */
    boolean full() {
        return unsent >= MAX_UNSENT || size >= MAX_QUEUED;
    }

    /**
     * Idle: open, nothing queued, nothing sent for {@code nanos}, and not {@link #waiting}: a
     * connection the server itself does not read (out of buffers, over budget) is starved, not
     * idle; its time in the wait does not count ({@code CompletionLoop.resumeWaiting}).
     */
    boolean idleFor(long nanos, long now) {
        return open && !waiting && size == 0 && !sending && now - lastActive >= nanos;
    }

    /** Doubles the queue (a slow reader with many small reads; rare, and bounded by {@link #MAX_UNSENT}). */
    private void grow() {
        int[] b = new int[bids.length * 2];
        int[] l = new int[bids.length * 2];
        for (int i = 0; i < size; i++) {
            b[i] = bids[(head + i) & (bids.length - 1)];
            l[i] = lengths[(head + i) & (bids.length - 1)];
        }
        bids = b;
        lengths = l;
        head = 0;
    }
}
