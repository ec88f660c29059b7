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
 *
 * <p>Spinning is only worth it while there are no more spinning threads than cores: 500 threads
 * each spinning 80 µs per message would burn cores the server needs. So the blocking drivers spin
 * only when {@code --connections} is at most the number of cores, and otherwise only park (about
 * 50 µs late, which the corrected latency then includes).
 */
final class Pacer {

    static final long SPIN_NANOS = 80_000;

    private Pacer() {
    }

    static void awaitNanos(long deadline, boolean spin) {
        long margin = spin ? SPIN_NANOS : 0;
        long left;
        while ((left = deadline - System.nanoTime()) > margin) {
            LockSupport.parkNanos(left - margin);
        }
        while (deadline - System.nanoTime() > 0) {
            Thread.onSpinWait();
        }
    }
}
