package dev.echolab.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * This process's file descriptors, from Linux's /proc: the open-file limit every socket counts
 * against, and how many are open now. Elsewhere (no /proc) both are unknown.
 */
public final class Descriptors {

    /**
     * Descriptors a JVM keeps for itself besides its sockets (jars, selectors and epoll sets, pipes,
     * logs), left free when working out how many connections fit.
     */
    public static final int JVM_HEADROOM = 100;

    private Descriptors() {
    }

    /** The soft "Max open files" limit of this process; empty when unknown or unlimited. */
    public static OptionalLong softLimit() {
        return softLimit(Path.of("/proc/self/limits"));
    }

    /** The soft "Max open files" limit from a /proc limits file; empty when unknown or unlimited. */
    public static OptionalLong softLimit(Path limits) {
        return limit(limits, 0);
    }

    /** The hard "Max open files" limit (how far {@code ulimit -n} may raise it); empty when unknown or unlimited. */
    public static OptionalLong hardLimit() {
        return limit(Path.of("/proc/self/limits"), 1);
    }

    /** Column {@code column} (0: soft, 1: hard) of the "Max open files" line. */
    private static OptionalLong limit(Path limits, int column) {
        try (Stream<String> lines = Files.lines(limits)) {
            return lines.filter(l -> l.startsWith("Max open files"))
                    .map(l -> l.substring("Max open files".length()).strip().split("\\s+")[column])
                    .filter(v -> !v.equals("unlimited"))
                    .mapToLong(Long::parseLong)
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * How many processes {@code connections} need when each may hold as many as this process's
     * open-file limit allows, {@link #JVM_HEADROOM} set aside (1 when the limit is unknown). A
     * JVM's limit: the JDK raises its soft limit to the hard one at start, so ask from a JVM.
     */
    public static long processesFor(long connections) {
        OptionalLong soft = softLimit();
        long perProcess = soft.isEmpty() ? Long.MAX_VALUE : Math.max(1, soft.getAsLong() - JVM_HEADROOM);
        return Math.max(1, (connections + perProcess - 1) / perProcess);
    }

    /** Descriptors this process has open now; empty when unknown. */
    public static OptionalLong open() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return OptionalLong.of(fds.count());
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }
}
