package dev.echolab.lab.sample;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * What one bare system call costs on this machine: the price of every call a server makes or saves,
 * so a ratio that depends on how many calls a model makes (io_uring against epoll) can be read
 * beside it. A system call's price depends on the host (CPU, hypervisor, the kernel's
 * mitigations), far more than the rest of a server's work does.
 *
 * <p>Measured as libc's {@code getppid()} (a system call that does no work: entry and exit only)
 * called in a loop through the Foreign Function API, less the same loop calling {@code labs}, a
 * libc function of the same shape that makes no system call: what is left is the kernel's part.
 * Both loops use critical downcalls (no thread-state transition) and alternate, round by round;
 * the figure is the median over the rounds, so a round in which the thread was preempted (a busy
 * machine) does not move it. The thread is not pinned: run the command that measures it pinned
 * ({@code taskset}) to measure one CPU.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public final class SyscallCost {

    /** Rounds of each loop; the median of their differences is the figure. */
    static final int ROUNDS = 21;
    /** Calls per round: a few milliseconds each at the prices seen on virtual machines (0.05 to 1.5 us). */
    static final int CALLS = 20_000;

    /** Microseconds per call: the median over the rounds of getppid less labs. */
    public double us;
    /** The lowest and highest round, in microseconds per call. */
    public double minUs;
    public double maxUs;
    public int rounds;
    public int callsPerRound;
    /** How it was measured, in words. */
    public String method;

    private static final Linker LINKER = Linker.nativeLinker();

    /** Measures it now: {@code 2 x ROUNDS x CALLS} calls, well under a second. */
    public static SyscallCost measure() {
        return measure(ROUNDS, CALLS);
    }

    /** As {@link #measure()}, or null when it cannot be measured here (the record then says nothing rather than fail). */
    public static SyscallCost measureOrNull() {
        return unavailable().isPresent() ? null : measure();
    }

    /** Why it cannot be measured here (no getppid in libc, native access refused), or empty. */
    public static Optional<String> unavailable() {
        try {
            Handles.GETPPID.getClass();
            return Optional.empty();
        } catch (LinkageError | RuntimeException e) {
            return Optional.of("cannot call libc's getppid: " + e);
        }
    }

    static SyscallCost measure(int rounds, int calls) {
        MethodHandle syscall = Handles.GETPPID;
        MethodHandle plain = Handles.LABS;
        loop(syscall, calls, false); // warm both loops up: compiled before they are timed
        loop(plain, calls, true);
        double[] us = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long a = loop(syscall, calls, false);
            long b = loop(plain, calls, true);
            us[r] = Math.max(0, (a - b) / 1e3 / calls);
        }
        Arrays.sort(us);
        SyscallCost c = new SyscallCost();
        c.us = round(us[rounds / 2]);
        c.minUs = round(us[0]);
        c.maxUs = round(us[rounds - 1]);
        c.rounds = rounds;
        c.callsPerRound = calls;
        c.method = "getppid() less labs() through critical FFM downcalls, median of " + rounds + " rounds of " + calls + " calls";
        return c;
    }

    /** For reports: "0.072 us per call (0.070-0.081 over 21 rounds)", or "not measured" for null. */
    public static String describe(SyscallCost c) {
        return c == null ? "not measured" : String.format(java.util.Locale.ROOT, "%.3f us per call (%.3f-%.3f over %d rounds)",
                c.us, c.minUs, c.maxUs, c.rounds);
    }

    /** To the tenth of a nanosecond: finer is below what a round can tell. */
    private static double round(double us) {
        return Math.round(us * 1e4) / 1e4;
    }

    /** Nanoseconds for {@code calls} calls of {@code h}; {@code labs} takes an argument, getppid none. */
    private static long loop(MethodHandle h, int calls, boolean withArg) {
        long sink = 0;
        long t0 = System.nanoTime();
        try {
            if (withArg) {
                for (int i = 0; i < calls; i++) {
                    sink += (long) h.invokeExact((long) i);
                }
            } else {
                for (int i = 0; i < calls; i++) {
                    sink += (int) h.invokeExact();
                }
            }
        } catch (Throwable t) {
            throw new AssertionError(t); // a downcall throws only if its handle does not match: a bug here
        }
        long t = System.nanoTime() - t0;
        if (sink == Long.MIN_VALUE) {
            System.out.print(""); // keeps the calls' results alive, so none is optimised away
        }
        return t;
    }

    /** The handles, made on first use (a JVM without native access fails here, and {@link #unavailable()} says so). */
    private static final class Handles {
        static final MethodHandle GETPPID = LINKER.downcallHandle(LINKER.defaultLookup().find("getppid").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT), Linker.Option.critical(false));
        static final MethodHandle LABS = LINKER.downcallHandle(LINKER.defaultLookup().find("labs").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG), Linker.Option.critical(false));
    }
}
