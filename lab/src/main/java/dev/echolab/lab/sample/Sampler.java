package dev.echolab.lab.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.ToLongFunction;

/**
 * Samples a server from /proc every {@value #PERIOD_MS} ms on a background thread, so that CPU
 * time over any window (such as the load generator's measured interval) can be read afterwards by
 * interpolation, along with peak threads and RSS. The server is its process and every process
 * under it ({@link Proc#tree}), read again at each reading: a server with {@code --processes N} is
 * summed over its N children, one that forks a process per connection over the children it has at
 * that moment, plus what those that ended used (their parent's count of its waited-for children),
 * so its CPU is what the whole server used. Each reading also takes
 * the busy time of the whole machine ({@code /proc/stat}), so that what else ran on the machine
 * over that window is known too.
 */
public final class Sampler implements AutoCloseable {

    static final long PERIOD_MS = 200;

    private final long pid;
    /** The tree when the sampler started. */
    private final List<Long> pids;

    /** One reading: the server's processes summed, and the machine's busy ticks at the same moment. */
    private record Reading(Proc.Sample server, long hostTicks) {
    }

    private final List<Reading> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean stopped;

    public Sampler(long pid) {
        this.pid = pid;
        this.pids = Proc.tree(Proc.PROC, pid);
        this.thread = Thread.ofPlatform().daemon().name("sampler-" + pid).start(this::run);
    }

    private void run() {
        while (!stopped) {
            Optional<Proc.Sample> s = now();
            if (s.isEmpty()) {
                return;
            }
            Reading r = new Reading(s.get(), Proc.hostBusyTicks());
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

    /** CPU seconds the server's processes used between two wall-clock instants (epoch ms), interpolated. */
    public double cpuSecondsBetween(long fromEpochMs, long toEpochMs) {
        ToLongFunction<Reading> cpu = r -> r.server().cpuTicks();
        return (ticksAt(toEpochMs, cpu) - ticksAt(fromEpochMs, cpu)) / Proc.TICKS_PER_SECOND;
    }

    /** CPU seconds the whole machine was busy (all CPUs, every process) between two instants, interpolated. */
    public double hostCpuSecondsBetween(long fromEpochMs, long toEpochMs) {
        return (ticksAt(toEpochMs, Reading::hostTicks) - ticksAt(fromEpochMs, Reading::hostTicks)) / Proc.TICKS_PER_SECOND;
    }

    private double ticksAt(long epochMs, ToLongFunction<Reading> ticks) {
        synchronized (samples) {
            if (samples.isEmpty()) {
                return 0;
            }
            Reading prev = samples.get(0);
            if (epochMs <= prev.server().epochMs()) {
                return ticks.applyAsLong(prev);
            }
            for (Reading s : samples) {
                long at = s.server().epochMs();
                if (at >= epochMs) {
                    double f = (double) (epochMs - prev.server().epochMs()) / Math.max(1, at - prev.server().epochMs());
                    return ticks.applyAsLong(prev) + f * (ticks.applyAsLong(s) - ticks.applyAsLong(prev));
                }
                prev = s;
            }
            return ticks.applyAsLong(prev);
        }
    }

    /** A reading of the server's processes now, or empty if the server is gone. */
    public Optional<Proc.Sample> now() {
        return Proc.sample(Proc.PROC, Proc.tree(Proc.PROC, pid));
    }

    /** The processes when the sampler started: the server's own and its children's. */
    public int processes() {
        return pids.size();
    }

    public int peakThreads() {
        synchronized (samples) {
            return samples.stream().mapToInt(r -> r.server().threads()).max().orElse(0);
        }
    }

    public long peakRssBytes() {
        synchronized (samples) {
            return samples.stream().mapToLong(r -> r.server().rssBytes()).max().orElse(0);
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
