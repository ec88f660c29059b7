package dev.echolab.loadgen.driver;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a {@link System#nanoTime()} deadline, for the blocking drivers' open loop.
 *
 * <p>Wrong way: {@code Thread.sleep(ms)} rounds every gap to milliseconds, so a rate of 20,000
 * msgs/s turns into bursts, and the server sees a different load than the one asked for. Right way:
 * park until the deadline, which overshoots only by the kernel's timer slack (about 50 µs on Linux).
 * Lateness never accumulates because every deadline is computed from the start of the schedule,
 * not from the previous send; whatever lateness remains is charged to the corrected latency, and
 * the report says how much it was ({@code send lateness}).
 *
 * <p>It does not spin the last microseconds: a thread that spins before each send burns its core
 * for that part of every gap, so a few connections at a high rate keep more cores busy than they
 * have, the server's included, and the load generator disturbs what it measures. The nio driver
 * makes the same choice ({@link NioWorker}).
 */
final class Pacer {

    private Pacer() {
    }

    static void awaitNanos(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
        }
    }
}
