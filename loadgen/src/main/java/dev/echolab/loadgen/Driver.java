package dev.echolab.loadgen;

/**
 * How client connections are mapped onto threads. A driver opens the connections, runs the message
 * loop on each and reports every completion and failure to the {@link Run}; it never decides what
 * counts (the run does) nor prints anything.
 *
 * <p>Life cycle, driven by {@link LoadgenCommand}: {@link #connect} (every connection up or failed),
 * the run's phases are fixed, {@link #start} (the barrier opens), the measurement, then
 * {@link #stop} (no new sends, replies in flight get until the grace deadline, everything closed
 * and every thread joined).
 */
interface Driver {

    /** Opens every connection; returns when each one is up or has failed. */
    void connect(Run run) throws InterruptedException;

    /** Releases the load on every open connection. */
    void start();

    /**
     * Ends the run: connections stop sending at {@link Run#end()}, replies still in flight at
     * {@code graceDeadline} count as timeouts, then every socket is closed and every thread joined.
     */
    void stop(long graceDeadline) throws InterruptedException;
}
