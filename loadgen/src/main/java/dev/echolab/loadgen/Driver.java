package dev.echolab.loadgen;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * How client connections are mapped onto threads. A driver opens the connections, runs the message
 * loop on each and reports every completion and failure to the {@link Run}; it never decides what
 * counts (the run does) nor prints anything.
 *
 * <p>Life cycle, driven by {@link LoadgenCommand}: {@link #connect} (every connection up or failed),
 * the run's phases are fixed, {@link #start} (the barrier opens), the measurement, then
 * {@link #stop} (no new sends, replies in flight get until the grace deadline, everything closed
 * and every thread joined). The barrier is this class's: every driver's threads wait on the same
 * {@link #gate}, so the load starts on every connection at once.
 */
public abstract class Driver {

    /** How long a thread may take to end once it has been told to, before it counts as lost. */
    public static final Duration JOIN_LIMIT = Duration.ofSeconds(5);

    /** The barrier: each connection's thread waits on it once connected; it opens once, for all. */
    public final CountDownLatch gate = new CountDownLatch(1);

    /** Opens every connection; returns when each one is up or has failed. */
    protected abstract void connect(Run run) throws InterruptedException;

    /** Releases the load on every open connection. */
    final void start() {
        gate.countDown();
    }

    /**
     * Ends the run: connections stop sending at {@link Run#end()}, replies still in flight at
     * {@code graceDeadline} count as timeouts, then every socket is closed and every thread joined.
     * A run stopped before its load started (nothing connected, an error) first tells every thread
     * not to send, then opens the barrier so none stays waiting on it.
     */
    final void stop(long graceDeadline) throws InterruptedException {
        if (gate.getCount() > 0) {
            abort();
            gate.countDown();
        }
        drain(graceDeadline);
    }

    /** Tells every connection's thread that the run is over before any load: it sends nothing. */
    protected abstract void abort();

    /** Replies in flight get until {@code graceDeadline}; then every socket is closed and every thread joined. */
    protected abstract void drain(long graceDeadline) throws InterruptedException;
}
