package dev.echolab.server;

import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every backend keeps. {@link LongAdder}s, because they are bumped from many threads on
 * the hot path and read rarely; {@link #snapshot()} turns them into a record, which prints as a
 * {@link StatsLine}.
 */
public final class ServerStats {

    private final LongAdder accepted = new LongAdder();
    private final LongAdder closed = new LongAdder();
    private final LongAdder waiting = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder polls = new LongAdder();
    private final LongAdder rejected = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();

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

    /** {@code n} sockets were asked for data (only the polling backend counts this: it is its cost). */
    public void polled(long n) {
        polls.add(n);
    }

    /** A connection was closed at once because of {@code --max-connections}. */
    public void rejected() {
        rejected.increment();
    }

    /** A connection was closed by {@code --idle-timeout}; it is counted as closed as well. */
    public void idleClosed() {
        idleClosed.increment();
    }

    /** Connections open now: what {@code Limits.admit()} compares with the cap. */
    public long open() {
        return accepted.sum() - closed.sum();
    }

    public Snapshot snapshot() {
        long a = accepted.sum();
        return new Snapshot(a - closed.sum(), a, waiting.sum(), bytes.sum(), polls.sum(), rejected.sum(), idleClosed.sum());
    }

    /**
     * @param open     connections open now
     * @param accepted connections accepted since start
     * @param waiting  open connections that no thread serves yet (the pool's starvation)
     * @param bytes    bytes echoed since start
     * @param polls    reads attempted since start by the polling backend (0 for the others)
     * @param rejected connections closed at once because {@code --max-connections} were open
     * @param idleClosed connections closed by {@code --idle-timeout}
     */
    public record Snapshot(long open, long accepted, long waiting, long bytes, long polls,
                           long rejected, long idleClosed) {

        /**
         * The stats line printed every {@code nanos}, with {@code polls/s=N} when the backend
         * polls, so the cost of asking idle sockets shows as a rate.
         */
        public StatsLine line(Snapshot previous, long nanos) {
            OptionalLong pollRate = polls == 0 ? OptionalLong.empty()
                    : OptionalLong.of(nanos <= 0 ? 0 : Math.round((polls - previous.polls) * 1e9 / nanos));
            return new StatsLine(open, accepted, waiting, bytes, rejected, idleClosed, pollRate, List.of());
        }
    }
}
