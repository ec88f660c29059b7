package dev.echolab.loadgen;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What faults cost a run: every failure of a connection that was up, by kind; the messages sent,
 * echoed and given up with a failed socket; and how long each connection was without service.
 * Kept by the {@link Run} for every run, with {@code --reconnect-on-fault} or without it (then a
 * failure ends its connection, which stays down until the end).
 *
 * <p>A connection is down from the moment its socket failed (or, when messages were in flight,
 * from the send of the oldest of them: a reply that never came was missing since then) until a new
 * socket of it is connected; a connection that never gets one is down until the measurement ends.
 * Only the measured interval counts. The per-connection arrays are written by the thread that owns
 * the connection and read once the drivers are joined; the counters the progress line reads each
 * second are atomic.
 *
 * <p>Lost messages are a check of the driver's bookkeeping against the wire: every message whose
 * first byte was written is either echoed and verified, or counted as failed with the socket it was
 * in flight on (reset, closed early, timed out, a mismatch, or still unanswered when the run's grace
 * ended). What is neither is lost, and a correct run loses none.
 */
final class Outages {

    /** Back-off before the second attempt of a reconnect; each further attempt waits twice as long, up to {@link #MAX_BACKOFF_NANOS}. */
    static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long UP = Long.MIN_VALUE;

    private final Run run;
    private final LongAdder[] failures = new LongAdder[ErrorKind.values().length];
    private final LongAdder recovered = new LongAdder();
    private final LongAdder lostConnections = new LongAdder();
    private final AtomicInteger down = new AtomicInteger();
    private final long[] downSince;
    private final long[] downNanos;
    private final long[] sentMessages;
    private final long[] sentBytes;
    private final long[] echoedBytes;
    private final long[] failedMessages;
    private final long[] failedBytes;

    Outages(Run run, int connections) {
        this.run = run;
        for (int i = 0; i < failures.length; i++) {
            failures[i] = new LongAdder();
        }
        downSince = new long[connections];
        java.util.Arrays.fill(downSince, UP);
        downNanos = new long[connections];
        sentMessages = new long[connections];
        sentBytes = new long[connections];
        echoedBytes = new long[connections];
        failedMessages = new long[connections];
        failedBytes = new long[connections];
    }

    /**
     * How long to wait before reconnect attempt {@code attempt} (1 for the first after a failure):
     * none before the first (another process of the server may well serve at once), then 10 ms,
     * 20 ms, ... at most 1 s.
     */
    static long backoffNanos(int attempt) {
        if (attempt <= 1) {
            return 0;
        }
        int doublings = Math.min(attempt - 2, 20);
        return Math.min(FIRST_BACKOFF_NANOS << doublings, MAX_BACKOFF_NANOS);
    }

    void sending(int id, int length) {
        sentMessages[id]++;
        sentBytes[id] += length;
    }

    void echoed(int id, long length) {
        echoedBytes[id] += length;
    }

    /**
     * A failure of kind {@code kind} on connection {@code id}: its socket failed with {@code messages}
     * ({@code bytes}) in flight, or a reconnect attempt failed (none in flight). The connection is
     * down from {@code since}, unless it already was.
     */
    void failed(int id, ErrorKind kind, long messages, long bytes, long since) {
        failures[kind.ordinal()].increment();
        failedMessages[id] += messages;
        failedBytes[id] += bytes;
        if (downSince[id] == UP) {
            downSince[id] = since;
            down.incrementAndGet();
        }
    }

    /** Connection {@code id} has a socket again at {@code now}: if it was down, that outage is over. */
    void reconnected(int id, long now) {
        long since = downSince[id];
        if (since != UP) {
            downNanos[id] += overlap(since, now, run.warmEnd(), run.end());
            downSince[id] = UP;
            down.decrementAndGet();
            recovered.increment();
        }
    }

    /** A connection that was up ended with an error: it will not be served again in this run. */
    void lost() {
        lostConnections.increment();
    }

    /** Failures so far, every kind (the progress line). */
    long failures() {
        long n = 0;
        for (LongAdder f : failures) {
            n += f.sum();
        }
        return n;
    }

    /** Connections without service now (the progress line). */
    int down() {
        return down.get();
    }

    /** The figures, once the drivers are joined; outages still open end at {@code measureEnd}. */
    Results.Faults results(long[] replies, long measureStart, long measureEnd) {
        long[] byKind = new long[failures.length];
        for (int i = 0; i < byKind.length; i++) {
            byKind[i] = failures[i].sum();
        }
        long downTotal = 0;
        long downMax = 0;
        for (int id = 0; id < downNanos.length; id++) {
            long down = downNanos[id] + (downSince[id] == UP ? 0 : overlap(downSince[id], measureEnd, measureStart, measureEnd));
            downTotal += down;
            downMax = Math.max(downMax, down);
        }
        return new Results.Faults(run.settings.reconnectAttempts(), byKind, recovered.sum(), lostConnections.sum(),
                downTotal / 1e9, downMax / 1e9, sum(sentMessages), sum(replies), sum(failedMessages), sum(sentBytes), sum(echoedBytes),
                sum(failedBytes));
    }

    private static long overlap(long from, long to, long start, long end) {
        return Math.max(0, Math.min(to, end) - Math.max(from, start));
    }

    private static long sum(long[] a) {
        long n = 0;
        for (long v : a) {
            n += v;
        }
        return n;
    }
}
