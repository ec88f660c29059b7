package dev.echolab.server;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every backend keeps. {@link LongAdder}s, because they are bumped from many threads on
 * the hot path and read rarely; {@link #snapshot()} turns them into a record for printing.
 */
public final class ServerStats {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder waiting = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    /** A connection was accepted. */
    public void accepted() {
        accepted.increment();
    }

    /** A connection was closed, whoever closed it. */
    public void closed() {
        closed.increment();
    }

    /** A connection is queued for a thread (only the fixed pool does this). */
    public void waiting(int delta) {
        waiting.add(delta);
    }

    /** {@code n} bytes were read and handed back for echoing. */
    public void echoed(long n) {
        bytes.add(n);
    }

    public Snapshot snapshot() {
        long a = accepted.sum();
        return new Snapshot(a - closed.sum(), a, waiting.sum(), bytes.sum());
    }

    /**
     * @param open     connections open now
     * @param accepted connections accepted since start
     * @param waiting  open connections that no thread serves yet (the pool's starvation)
     * @param bytes    bytes echoed since start
     */
    public record Snapshot(long open, long accepted, long waiting, long bytes) {

        /** The stats line: {@code connections=3 accepted=10 waiting=0 bytes=4096}. */
        @Override
        public String toString() {
            return "connections=" + open + " accepted=" + accepted + " waiting=" + waiting + " bytes=" + bytes;
        }
    }
}
