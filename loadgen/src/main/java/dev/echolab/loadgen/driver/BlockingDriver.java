package dev.echolab.loadgen.driver;

import dev.echolab.loadgen.Driver;
import dev.echolab.loadgen.Run;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code platform} and {@code virtual} drivers: one thread per connection, each running the
 * same blocking {@link BlockingConnection} loop. The only difference between the two is the
 * {@link Thread.Builder} they are given ({@code Thread.ofPlatform()} or {@code Thread.ofVirtual()}),
 * so any difference in the figures is the cost of the threads themselves.
 *
 * <p>Threads: {@code --connections} threads. A platform thread blocked in {@code read} holds a
 * kernel thread and its stack; a virtual thread parks and frees its carrier. Both pay a context
 * switch (or a continuation swap) per message, which is why they need more CPU per message than
 * the {@link NioDriver}: a lesson the efficiency benchmark shows in numbers.
 */
public final class BlockingDriver extends Driver {

    private final Thread.Builder threads;
    private final List<BlockingConnection> connections = new ArrayList<>();
    private final List<Thread> started = new ArrayList<>();

    public BlockingDriver(Thread.Builder threads) {
        this.threads = threads;
    }

    @Override
    protected void connect(Run run) throws InterruptedException {
        int n = run.settings.connections();
        CountDownLatch connected = new CountDownLatch(n);
        for (int id = 0; id < n; id++) {
            BlockingConnection c = new BlockingConnection(id, run, connected, gate);
            connections.add(c);
            try {
                started.add(threads.start(c));
            } catch (OutOfMemoryError e) {
                c.couldNotStart(e);
            }
        }
        // Each connect has its own timeout; the bound only guards against a lost thread.
        connected.await(run.settings.connectTimeout().toNanos() + JOIN_LIMIT.toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    protected void abort() {
        connections.forEach(BlockingConnection::abort);
    }

    @Override
    protected void drain(long graceDeadline) throws InterruptedException {
        for (Thread t : started) {
            long left = graceDeadline - System.nanoTime();
            if (left > 0) {
                t.join(Duration.ofNanos(left));
            }
        }
        // Replies still missing now will not come in time: closing the socket wakes the reader.
        connections.forEach(BlockingConnection::abort);
        for (Thread t : started) {
            t.join(JOIN_LIMIT);
        }
    }
}
