package dev.echolab.lab.chapter;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One hand-off between two Java threads, timed by JMH: two threads play ping-pong, each parking
 * until the other gives it the turn and unparks it; one operation is one hand-off (a round trip is
 * two). This is what a thread-per-connection server pays each time one connection's thread goes to
 * sleep in a read and another's wakes up.
 * <ul>
 * <li>{@code platform}: two platform threads. {@code unpark} wakes the other in the kernel (a
 * futex), {@code park} puts this one to sleep: system calls and a context switch per hand-off.</li>
 * <li>{@code virtualOneCarrier}: two virtual threads on one carrier. {@code park} unmounts the
 * continuation (copies its frames to the heap) and the carrier runs the other one: no system call,
 * the JVM's equivalent of a greenlet switch or of Go's goroutine hand-off on one thread.</li>
 * <li>{@code virtual}: two virtual threads on the default scheduler (a carrier per core): the other
 * may run on another carrier, which then has to be woken through the kernel.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HandOff {

    /** Round trips per invocation: enough that starting the two threads is noise. */
    static final int ROUNDS = 20_000;

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void platform() throws InterruptedException {
        pingPong(Thread.ofPlatform().factory(), ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    @Fork(jvmArgsAppend = "-Djdk.virtualThreadScheduler.parallelism=1")
    public void virtualOneCarrier() throws InterruptedException {
        pingPong(Thread.ofVirtual().factory(), ROUNDS);
    }

    @Benchmark
    @OperationsPerInvocation(2 * ROUNDS)
    public void virtual() throws InterruptedException {
        pingPong(Thread.ofVirtual().factory(), ROUNDS);
    }

    /** Two threads from {@code threads} hand a turn to each other {@code rounds} times each way. */
    static void pingPong(ThreadFactory threads, int rounds) throws InterruptedException {
        AtomicInteger turn = new AtomicInteger();
        Thread[] players = new Thread[2];
        for (int me = 0; me < 2; me++) {
            int mine = me;
            players[me] = threads.newThread(() -> {
                Thread other = players[1 - mine];
                for (int i = 0; i < rounds; i++) {
                    while (turn.get() != mine) {
                        LockSupport.park(); // may return early: the loop looks again
                    }
                    turn.set(1 - mine);
                    LockSupport.unpark(other);
                }
            });
        }
        players[0].start();
        players[1].start();
        players[0].join();
        players[1].join();
    }
}
