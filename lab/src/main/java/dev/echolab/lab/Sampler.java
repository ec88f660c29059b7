package dev.echolab.lab;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Samples one process from /proc every {@value #PERIOD_MS} ms on a background thread, so that
 * CPU time over any window (such as the load generator's measured interval) can be read
 * afterwards by interpolation, along with peak threads and RSS. The same readings take the CPU of
 * the process's whole tree and the busy time of the whole machine ({@code /proc/stat}), so that
 * what else ran on the machine over that window is known too.
 */
final class Sampler implements AutoCloseable {

    static final long PERIOD_MS = 200;

    private final long pid;
    /** One reading: the process itself, the CPU ticks of its tree, the machine's busy ticks. */
    private record Reading(Proc.Sample process, long treeTicks, long hostTicks) {
    }

    private final List<Reading> samples = new ArrayList<>();
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
            Reading r = new Reading(s.get(), Proc.treeCpuTicks(pid), Proc.hostBusyTicks());
            synchronized (samples) {
                samples.add(r);
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** CPU seconds the process and its descendants used between two wall-clock instants (epoch ms), interpolated. */
    double cpuSecondsBetween(long fromEpochMs, long toEpochMs) {
        return (ticksAt(toEpochMs, Reading::treeTicks) - ticksAt(fromEpochMs, Reading::treeTicks)) / Proc.TICKS_PER_SECOND;
    }

    /** CPU seconds the whole machine was busy (all CPUs, every process) between two instants, interpolated. */
    double hostCpuSecondsBetween(long fromEpochMs, long toEpochMs) {
        return (ticksAt(toEpochMs, Reading::hostTicks) - ticksAt(fromEpochMs, Reading::hostTicks)) / Proc.TICKS_PER_SECOND;
    }

    private double ticksAt(long epochMs, ToLongFunction<Reading> ticks) {
        synchronized (samples) {
            if (samples.isEmpty()) {
                return 0;
            }
            Reading prev = samples.get(0);
            if (epochMs <= prev.process().epochMs()) {
                return ticks.applyAsLong(prev);
            }
            for (Reading s : samples) {
                long at = s.process().epochMs();
                if (at >= epochMs) {
                    double f = (double) (epochMs - prev.process().epochMs()) / Math.max(1, at - prev.process().epochMs());
                    return ticks.applyAsLong(prev) + f * (ticks.applyAsLong(s) - ticks.applyAsLong(prev));
                }
                prev = s;
            }
            return ticks.applyAsLong(prev);
        }
    }

    int peakThreads() {
        synchronized (samples) {
            return samples.stream().mapToInt(r -> r.process().threads()).max().orElse(0);
        }
    }

    long peakRssBytes() {
        synchronized (samples) {
            return samples.stream().mapToLong(r -> r.process().rssBytes()).max().orElse(0);
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
