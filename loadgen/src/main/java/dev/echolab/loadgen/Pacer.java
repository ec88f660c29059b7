package dev.echolab.loadgen;

import java.util.concurrent.locks.LockSupport;

/**
 * Waits until a {@link System#nanoTime()} deadline with microsecond accuracy, for the open loop.
 *
 * <p>Wrong way: {@code Thread.sleep(ms)} rounds every gap to milliseconds, so a rate of 20,000
 * msgs/s turns into bursts, and the server sees a different load than the one asked for. Right way:
 * park for all but the last {@link #SPIN_NANOS} (a park overshoots by the kernel's timer slack,
 * about 50 µs on Linux), then spin on {@link Thread#onSpinWait()} to the deadline. Lateness never
 * accumulates because every deadline is computed from the start of the schedule, not from the
 * previous send; whatever lateness remains is charged to the corrected latency, never hidden.
 */
final class Pacer {

    static final long SPIN_NANOS = 80_000;

    private Pacer() {
    }

    static void awaitNanos(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > SPIN_NANOS) {
            LockSupport.parkNanos(left - SPIN_NANOS);
        }
        while (deadline - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }
}
