package dev.echolab.loadgen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks the process's open-file limit before connecting: every connection is a file descriptor,
 * and hitting the limit halfway through the connect phase ("Too many open files") would turn a
 * configuration problem into a confusing pile of errors. Linux only; elsewhere nothing is checked.
 */
final class OpenFiles {

    /** Descriptors the JVM itself needs (jars, selectors, pipes, logs) on top of the connections. */
    static final int HEADROOM = 100;

    private OpenFiles() {
    }

    /** One line explaining why {@code connections} cannot fit, or null when they can. */
    static String check(int connections) {
        long limit = softLimit(Path.of("/proc/self/limits"));
        long needed = (long) connections + HEADROOM;
        if (limit < 0 || needed <= limit) {
            return null;
        }
        return "--connections " + connections + " needs about " + needed + " open files, but this process may open only "
                + limit + " (raise it with 'ulimit -n " + needed + "' or use fewer connections)";
    }

    /** The soft "Max open files" limit from a /proc limits file; -1 when unknown or unlimited. */
    static long softLimit(Path limits) {
        try {
            for (String line : Files.readAllLines(limits)) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
