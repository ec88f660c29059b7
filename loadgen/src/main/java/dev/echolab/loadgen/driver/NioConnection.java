package dev.echolab.loadgen.driver;

import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Messages;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.ThreadRecorder;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One connection of the {@link NioDriver}, owned by one selector thread. Nothing is buffered per
 * connection: the bytes of any message can be regenerated from {@code (id, seq, offset)}, so the
 * state is two cursors (what has been sent, what has come back) and the send times of the
 * messages in flight. The connection moves its own cursors; its {@link NioWorker} does the IO.
 *
 * <pre>
 *   NEW -> CONNECTING -(finishConnect)-> OPEN -(done, failed or run over)-> CLOSED
 *
 *   sent:      [ 1 .. txSeq-1 complete ][ txSeq: txOff bytes out ]
 *   received:  [ 1 .. rxSeq-1 verified ][ rxSeq: rxOff bytes back ]     rxSeq <= txSeq
 * </pre>
 */
public final class NioConnection {

    public enum State { NEW, CONNECTING, OPEN, CLOSED }

    public final int id;
    private final Run run;
    private final Messages messages;
    private final int pipeline;

    // Set by NioConnector during the connect phase, then read by the worker.
    public State state = State.NEW;
    SocketChannel channel;
    SelectionKey key;
    long connectStart;
    /** Whether OP_WRITE is in the interest set: a write did not take everything. */
    boolean wantWrite;
    /** Opening its socket again ({@code --reconnect-every}): state stays OPEN, nothing is sent until it is up. */
    boolean connecting;
    /**
     * {@code --reconnect-on-fault}: the socket failed and the next attempt waits for its back-off
     * until {@link #retryAt} ({@link #connecting} is set too, so nothing is sent).
     */
    boolean waiting;
    long retryAt;
    /** Reconnect attempts since the last verified echo. */
    int attempts;
    /** The first message of the current socket. */
    private long socketFrom = 1;
    /** 1 while in its worker's list of connections to look at for timeouts, else 0 ({@link NioWorker#watch}). */
    int watched;

    /** Message being sent and the offset of its next byte. */
    private long txSeq = 1;
    private int txOff;
    /** Message being received and the offset of its next byte. */
    private long rxSeq = 1;
    private int rxOff;
    /** The slots of {@link #txSeq} and {@link #rxSeq}: {@code seq % pipeline}, kept as the cursors move. */
    private int txSlot;
    private int rxSlot;
    /** Send time, intended send time and length of the messages in flight, at {@code seq % pipeline}. */
    private final long[] sentAt;
    private final long[] dueAt;
    private final int[] lengthAt;
    /** The headers of the messages being sent and being checked, each moved along its messages in order. */
    private final Messages.Header txHead;
    private final Messages.Header rxHead;

    public NioConnection(int id, Run run) {
        this.id = id;
        this.run = run;
        this.messages = run.messages;
        this.pipeline = run.settings.pipeline();
        this.sentAt = new long[pipeline];
        this.dueAt = new long[pipeline];
        this.lengthAt = new int[pipeline];
        this.txHead = new Messages.Header(id);
        this.rxHead = new Messages.Header(id);
        this.txSlot = slot(txSeq);
        this.rxSlot = slot(rxSeq);
    }

    private int slot(long seq) {
        return (int) (seq % pipeline);
    }

    private int nextSlot(int slot) {
        return slot + 1 == pipeline ? 0 : slot + 1;
    }

    /**
     * Copies into {@code out} the bytes that may go out {@code now}: the rest of the message being
     * sent, then new messages while the pipeline and the schedule allow. Moves nothing: what was
     * really written is reported by {@link #sent}.
     *
     * @return how many bytes were copied (0: nothing to send now)
     */
    int outgoing(byte[] out, long now) {
        return regenerate(txHead, txSeq, txSlot, txOff, out, out.length, true, now);
    }

    /**
     * Writes into {@code out}, from its start and up to {@code max} bytes, this connection's
     * messages from message {@code seq} (at {@code slot}), offset {@code off}, on: while
     * {@code sending}, the messages that may go out {@code now}; else the ones sent (what an echo
     * may hold). Keeps each message's length at its slot, for {@link #sent} (a free slot, or the
     * message's own with the same value). Returns how many bytes it wrote.
     */
    private int regenerate(Messages.Header head, long seq, int slot, int off, byte[] out, int max, boolean sending, long now) {
        int len = 0;
        while (len < max && (sending ? off > 0 || mayStart(seq, now) : seq < txSeq || off < txOff)) {
            int h = head.of(seq);
            int ml = messages.lengthOf(h);
            lengthAt[slot] = ml;
            int k = Math.min(max - len, ml - off);
            messages.write(head.bytes, h, seq, off, out, len, k);
            len += k;
            off += k;
            if (off == ml) {
                seq++;
                slot = nextSlot(slot);
                off = 0;
            }
        }
        return len;
    }

    private boolean mayStart(long seq, long now) {
        return seq - rxSeq < pipeline && !connecting && run.sameSocket(seq, rxSeq) && run.maySend(seq, now)
                && run.intended(id, seq) <= now;
    }

    /**
     * With {@code --reconnect-every}: this socket's share of messages is verified, nothing is in
     * flight, and more may be sent, so the socket is to be replaced now (and marked as being so).
     */
    boolean reconnectDue(long now) {
        if (rxSeq > socketFrom && inFlight() == 0 && run.reconnectBefore(rxSeq) && run.maySend(rxSeq, now)) {
            socketFrom = rxSeq;
            connecting = true;
            return true;
        }
        return false;
    }

    /** {@code n} bytes of {@link #outgoing} left at {@code now}: a message whose first byte left is stamped now. */
    void sent(int n, long now) {
        while (n > 0) {
            int slot = txSlot;
            if (txOff == 0) {
                if (txSeq == 1) {
                    run.firstSend(id);
                }
                run.sending(id, lengthAt[slot]);
                long due = run.intended(id, txSeq);
                sentAt[slot] = now;
                dueAt[slot] = due == 0 ? now : due;
            }
            int ml = lengthAt[slot];
            int k = Math.min(n, ml - txOff);
            txOff += k;
            n -= k;
            if (txOff == ml) {
                txSeq++;
                txSlot = nextSlot(slot);
                txOff = 0;
            }
        }
    }

    /**
     * Checks {@code n} received bytes against the messages in flight and records each completed
     * message into {@code recorder} (its section open); {@code held} is how long these bytes had
     * been in this process's hands before {@code now}. The bytes the echo must hold are regenerated
     * into {@code expected} for the whole read first, then compared in one {@link Arrays#mismatch}
     * (vectorized), rather than message by message: at {@code --pipeline 16} a read carries many
     * messages. The messages before a bad byte still count as verified.
     */
    void received(byte[] in, int n, byte[] expected, ThreadRecorder recorder, long held, long now) throws ErrorKind.MismatchException {
        int len = regenerate(rxHead, rxSeq, rxSlot, rxOff, expected, n, false, 0);
        int d = Arrays.mismatch(in, 0, len, expected, 0, len);
        int good = d < 0 ? len : d;
        int phase = run.phaseAt(now);
        int done = 0;
        long doneBytes = 0;
        for (int pos = 0; pos < good; ) {
            int ml = lengthAt[rxSlot];
            int k = Math.min(good - pos, ml - rxOff);
            pos += k;
            rxOff += k;
            if (rxOff == ml) {
                if (phase >= 0) {
                    recorder.record(phase, sentAt[rxSlot], dueAt[rxSlot], held, now);
                }
                done++;
                doneBytes += ml;
                rxSeq++;
                rxSlot = nextSlot(rxSlot);
                rxOff = 0;
                attempts = 0;
            }
        }
        run.completed(recorder, id, done, doneBytes, phase);
        if (d >= 0) {
            throw new ErrorKind.MismatchException(Run.mismatch(id, rxSeq, rxOff, expected[d], in[d]));
        }
        if (len < n) {
            throw new ErrorKind.MismatchException("connection " + id + ": mismatch: received "
                    + (n - len) + " more bytes than were sent");
        }
    }

    /**
     * The socket failed ({@code kind}) at {@code now}: the messages in flight on it (a partly sent
     * one included) are counted as failed, and the next socket starts after them.
     */
    void socketFailed(ErrorKind kind, long now) {
        long n = inFlight();
        long bytes = 0;
        for (long seq = rxSeq; seq < rxSeq + n; seq++) {
            bytes += messages.length(id, seq);
        }
        run.socketFailed(id, kind, n, bytes, sentAt[rxSlot], now);
        if (txOff > 0) {
            txSeq++;
            txSlot = nextSlot(txSlot);
            txOff = 0;
        }
        rxSeq = txSeq;
        rxSlot = txSlot;
        rxOff = 0;
        socketFrom = txSeq;
    }

    /** The next message this connection would send. */
    long next() {
        return txSeq;
    }

    /** Messages sent (at least their first byte) and not yet fully echoed. */
    long inFlight() {
        return txOff > 0 ? txSeq - rxSeq + 1 : txSeq - rxSeq;
    }

    /** The message whose echo is awaited (or would be next): the one an error is about. */
    long awaited() {
        return rxSeq;
    }

    /** The oldest message in flight was sent {@code timeoutNanos} or more before {@code now}. */
    boolean overdue(long now, long timeoutNanos) {
        return inFlight() > 0 && now - sentAt[rxSlot] >= timeoutNanos;
    }

    /** Nothing in flight, and the run wants nothing more from this connection. */
    boolean finished(long now) {
        return inFlight() == 0 && !run.maySend(txSeq, now);
    }

    /** Open loop: message {@code seq} of the schedule has not been sent yet. */
    boolean behind(long seq) {
        return txSeq <= seq;
    }
}
