package dev.echolab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Samples a server from /proc every {@value #PERIOD_MS} ms on a background thread, so that CPU
 * time over any window (such as the load generator's measured interval) can be read afterwards by
 * interpolation, along with peak threads and RSS. The server is its process and every process
 * under it when the sampler starts ({@link Proc#tree}): a server with {@code --processes N} is
 * summed over its N children, so its CPU is what the whole server used.
 */
final class Sampler implements AutoCloseable {

    static final long PERIOD_MS = 200;

    private final List<Long> pids;
    private final List<Proc.Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    Sampler(long pid) {
        this.pids = Proc.tree(Proc.PROC, pid);
        this.thread = Thread.ofPlatform().daemon().name("sampler-" + pid).start(this::run);
    }

    private void run() {
        while (!stopped) {
            Optional<Proc.Sample> s = Proc.sample(Proc.PROC, pids);
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

    /** A reading of the same processes now, or empty if the server is gone. */
    Optional<Proc.Sample> now() {
        return Proc.sample(Proc.PROC, pids);
    }

    /** The processes sampled: the server's own and its children's. */
    int processes() {
        return pids.size();
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
