package dev.echolab.loadgen;

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
 * <p>It does not spin the last microseconds. It used to, when {@code --connections} was at most
 * the number of cores; but two connections at 20,000 msgs/s in all, each spinning 80 µs before
 * each of its 10,000 sends a second, spin 1.6 cores: the server's core too. The nio driver makes
 * the same choice ({@link NioWorker}).
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
