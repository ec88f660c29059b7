package dev.echolab.loadgen;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The {@code nio} driver: one selector thread (or {@code --selectors N}, each owning a contiguous
 * range of connections) multiplexes every connection, as {@code ref-load} does with epoll. This is
 * the driver for thousands of connections and the one that costs the least CPU per message: no
 * thread per connection, no context switch per message, no allocation per message.
 *
 * <p>Compare with {@link BlockingDriver}: the same message schedule, verification and figures;
 * only the threading differs.
 */
final class NioDriver implements Driver {

    private static final Duration JOIN_LIMIT = Duration.ofSeconds(5);

    private final int selectors;
    private final List<NioWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch gate = new CountDownLatch(1);

    NioDriver(int selectors) {
        this.selectors = selectors;
    }

    @Override
    public void connect(Run run) throws InterruptedException {
        int n = run.settings.connections();
        int count = Math.min(selectors, n);
        CountDownLatch connected = new CountDownLatch(count);
        for (int t = 0; t < count; t++) {
            int first = (int) ((long) n * t / count);
            int last = (int) ((long) n * (t + 1) / count);
            NioWorker w = new NioWorker(run, first, last, connected, gate);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("loadgen-selector-" + t).daemon(true).start(w));
        }
        // With --connect-rate the phase takes at least connections / rate by design.
        long scheduled = run.settings.connectRate() > 0 ? (long) (n / run.settings.connectRate() * 1e9) : 0;
        connected.await(run.settings.connectTimeout().toNanos() * 2 + JOIN_LIMIT.toNanos() + scheduled, TimeUnit.NANOSECONDS);
    }

    @Override
    public void start() {
        gate.countDown();
    }

    @Override
    public void stop(long graceDeadline) throws InterruptedException {
        if (gate.getCount() > 0) {
            workers.forEach(NioWorker::abort);
            gate.countDown();
        }
        workers.forEach(w -> w.stopAt(graceDeadline));
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, graceDeadline - System.nanoTime())).plus(JOIN_LIMIT));
        }
    }
}
