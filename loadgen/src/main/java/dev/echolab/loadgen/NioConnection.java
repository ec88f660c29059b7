package dev.echolab.loadgen;

import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * The state of one connection of the {@link NioDriver}, owned by one selector thread. Nothing is
 * buffered per connection: the bytes of any message can be regenerated from {@code (id, seq,
 * offset)}, so the state is two cursors and the send times of the messages in flight.
 *
 * <pre>
 *   NEW -> CONNECTING -(finishConnect)-> OPEN -(done, failed or run over)-> CLOSED
 * </pre>
 */
final class NioConnection {

    enum State { NEW, CONNECTING, OPEN, CLOSED }

    final int id;
    State state = State.NEW;
    SocketChannel channel;
    SelectionKey key;
    long connectStart;
    /** Message being sent and the offset of its next byte. */
    long txSeq = 1;
    int txOff;
    /** Message being received and the offset of its next byte. */
    long rxSeq = 1;
    int rxOff;
    boolean wantWrite;
    /** Send time and intended send time of the messages in flight, at {@code seq % pipeline}. */
    final long[] sentAt;
    final long[] dueAt;

    NioConnection(int id, int pipeline) {
        this.id = id;
        this.sentAt = new long[pipeline];
        this.dueAt = new long[pipeline];
    }

    /** Messages sent (at least their first byte) and not yet fully echoed. */
    long inFlight() {
        return txOff > 0 ? txSeq - rxSeq + 1 : txSeq - rxSeq;
    }
}
