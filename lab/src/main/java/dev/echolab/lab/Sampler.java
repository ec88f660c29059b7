package dev.echolab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Samples one process from /proc every {@value #PERIOD_MS} ms on a background thread, so that
 * CPU time over any window (such as the load generator's measured interval) can be read
 * afterwards by interpolation, along with peak threads and RSS.
 */
final class Sampler implements AutoCloseable {

    static final long PERIOD_MS = 200;

    private final long pid;
    private final List<Proc.Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    Sampler(long pid) {
        this.pid = pid;
        this.thread = Thread.ofPlatform().daemon().name("sampler-" + pid).start(this::run);
    }

    private void run() {
        while (!stopped) {
            Optional<Proc.Sample> s = Proc.sample(pid);
            if (s.isEmpty()) {
                return;
            }
            synchronized (samples) {
                samples.add(s.get());
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** CPU seconds the process used between two wall-clock instants (epoch ms), interpolated. */
    double cpuSecondsBetween(long fromEpochMs, long toEpochMs) {
        return (cpuTicksAt(toEpochMs) - cpuTicksAt(fromEpochMs)) / Proc.TICKS_PER_SECOND;
    }

    private double cpuTicksAt(long epochMs) {
        synchronized (samples) {
            if (samples.isEmpty()) {
                return 0;
            }
            Proc.Sample prev = samples.get(0);
            if (epochMs <= prev.epochMs()) {
                return prev.cpuTicks();
            }
            for (Proc.Sample s : samples) {
                if (s.epochMs() >= epochMs) {
                    double f = (double) (epochMs - prev.epochMs()) / Math.max(1, s.epochMs() - prev.epochMs());
                    return prev.cpuTicks() + f * (s.cpuTicks() - prev.cpuTicks());
                }
                prev = s;
            }
            return prev.cpuTicks();
        }
    }

    int peakThreads() {
        synchronized (samples) {
            return samples.stream().mapToInt(Proc.Sample::threads).max().orElse(0);
        }
    }

    long peakRssBytes() {
        synchronized (samples) {
            return samples.stream().mapToLong(Proc.Sample::rssBytes).max().orElse(0);
        }
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(1_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
