package dev.echolab.loadgen.driver;

import dev.echolab.loadgen.Driver;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.Settings;

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
public final class NioDriver extends Driver {

    private final int selectors;
    private final List<NioWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();

    public NioDriver(int selectors) {
        this.selectors = selectors;
    }

    /**
     * Opens every connection within a limit: twice {@code --connect-timeout} plus 5 s, plus
     * {@code --connections / --connect-rate} with a rate. Connections not up by then (handshakes
     * slower than the schedule, a server whose accept queue overflows) count as timeouts in the
     * workers themselves, so the load never starts while a worker is still connecting.
     */
    @Override
    protected void connect(Run run) throws InterruptedException {
        int n = run.settings.connections();
        int count = Math.min(selectors, n);
        CountDownLatch connected = new CountDownLatch(count);
        // With --connect-rate the phase takes at least connections / rate by design.
        long scheduled = run.settings.connectRate() > 0 ? (long) (n / run.settings.connectRate() * 1e9) : 0;
        long limit = run.settings.connectTimeout().toNanos() * 2 + JOIN_LIMIT.toNanos() + scheduled;
        String why = Settings.text(Duration.ofMillis(limit / 1_000_000)) + ": 2 x --connect-timeout + " + Settings.text(JOIN_LIMIT)
                + (scheduled > 0 ? " + --connections / --connect-rate" : "");
        long deadline = System.nanoTime() + limit;
        for (int t = 0; t < count; t++) {
            int first = (int) ((long) n * t / count);
            int last = (int) ((long) n * (t + 1) / count);
            NioWorker w = new NioWorker(run, first, last, connected, gate, deadline, why);
            workers.add(w);
            threads.add(Thread.ofPlatform().name("loadgen-selector-" + t).daemon(true).start(w));
        }
        // The workers end their connect phase at the deadline; past it plus a margin one is stuck.
        if (!connected.await(limit + JOIN_LIMIT.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new IllegalStateException("a selector thread did not end its connect phase within "
                    + Settings.text(Duration.ofMillis(limit / 1_000_000).plus(JOIN_LIMIT)));
        }
    }

    @Override
    protected void abort() {
        workers.forEach(NioWorker::abort);
    }

    @Override
    protected void drain(long graceDeadline) throws InterruptedException {
        workers.forEach(w -> w.stopAt(graceDeadline));
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, graceDeadline - System.nanoTime())).plus(JOIN_LIMIT));
        }
    }
}
