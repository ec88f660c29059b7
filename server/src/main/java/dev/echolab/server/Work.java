package dev.echolab.server;

import dev.echolab.common.Durations;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Simulated work done for every message before it is echoed ({@code --work io:5ms|cpu:5ms}), so the
 * IO-bound vs CPU-bound lesson can be measured.
 *
 * <p>"Per message" means per read: an echo server does not parse messages, so each chunk a backend
 * reads (one {@code read} call, one Netty {@code channelRead}) pays the work once. With a closed-loop
 * client that sends one line and waits for it, that is one unit of work per line.
 *
 * <ul>
 *   <li>{@code io}: the handling thread sleeps, standing for a blocking database or HTTP call: the
 *       thread is blocked, the CPU is free.</li>
 *   <li>{@code cpu}: the handling thread spins on {@link System#nanoTime()} for the duration: the
 *       thread and one core are busy.</li>
 * </ul>
 *
 * @param kind     none, io or cpu
 * @param duration how long each unit of work takes
 */
public record Work(Kind kind, Duration duration) {

    public enum Kind { NONE, IO, CPU }

    public static final Work NONE = new Work(Kind.NONE, Duration.ZERO);

    private static final Pattern SPEC = Pattern.compile("(io|cpu):(.+)");

    /** No work is one value: {@code io:0} is {@link #NONE}, as {@code --work} prints and reads it. */
    public Work {
        if (kind == null || duration == null || duration.isNegative()) {
            throw new IllegalArgumentException("work needs a kind and a non-negative duration");
        }
        if (kind == Kind.NONE || duration.isZero()) {
            kind = Kind.NONE;
            duration = Duration.ZERO;
        }
    }

    /** {@code io:5ms}, {@code cpu:200us}, {@code none}: the duration in {@link Durations}' grammar. */
    public static Work parse(String spec) {
        String s = spec.strip().toLowerCase(Locale.ROOT);
        if (s.equals("none")) {
            return NONE;
        }
        Matcher m = SPEC.matcher(s);
        Duration d;
        try {
            d = m.matches() ? Durations.parse(m.group(2)) : null;
        } catch (IllegalArgumentException notADuration) {
            d = null;
        }
        if (d == null) {
            throw new IllegalArgumentException("'" + spec + "' is not a work spec (none, io:DURATION or cpu:DURATION, e.g. io:5ms, cpu:500us)");
        }
        return new Work(m.group(1).equals("io") ? Kind.IO : Kind.CPU, d);
    }

    public boolean isNone() {
        return kind == Kind.NONE || duration.isZero();
    }

    /** Does the work on the calling thread: sleeps ({@code io}) or spins ({@code cpu}). */
    public void perform() {
        switch (kind) {
            case NONE -> { }
            case IO -> sleep();
            case CPU -> spin();
        }
    }

    private void sleep() {
        // parkNanos, not Thread.sleep: no InterruptedException to juggle, and on a virtual thread
        // both unmount the carrier the same way.
        long end = System.nanoTime() + duration.toNanos();
        for (long left = duration.toNanos(); left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    private void spin() {
        long end = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() - end < 0) {
            Thread.onSpinWait();
        }
    }

    /** {@code io:5ms}, as the user would type it. */
    @Override
    public String toString() {
        if (isNone()) {
            return "none";
        }
        return kind.name().toLowerCase(Locale.ROOT) + ":" + Durations.format(duration);
    }
}
