package dev.echolab.loadgen;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process's file descriptors, before connecting. Every connection is one, so {@link #check}
 * refuses up front, in one line, a run whose connections cannot fit under the open-file limit
 * (Linux only; elsewhere nothing is checked). It reads only the limit: connects that still fail
 * with "Too many open files" are counted as {@link ErrorKind#LOCAL_LIMIT} and the run goes on with
 * the connections it has, which works only once {@link #prepare} has run.
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

    /**
     * Makes the JDK do now, while descriptors are free, the first-use work it would otherwise do
     * after the connections have taken the last of them: load the socket and management libraries
     * and, for virtual threads, start the pollers they park on. Each takes a descriptor inside a
     * class initialiser; done for the first time with none left, it fails for good, kills the thread
     * that tried (a stack trace) and leaves the run waiting for a connection that never ends.
     *
     * @return why even this failed (then no connection can be opened), or null
     */
    static IOException prepare(DriverKind driver) {
        try {
            Monitor.processCpuNanos();
            if (driver == DriverKind.NIO) {
                SocketChannel.open().close();
            } else {
                try (Socket s = new Socket()) {
                    s.setTcpNoDelay(true); // creates the socket, as EchoClient.connect does first
                }
            }
            if (driver == DriverKind.VIRTUAL) {
                Class.forName("sun.nio.ch.Poller"); // the JDK's virtual-thread pollers, all started at class init
            }
            return null;
        } catch (ClassNotFoundException e) {
            return null; // a JDK without that class starts its pollers some other way: nothing to do early
        } catch (IOException e) {
            return e;
        } catch (LinkageError e) {
            return e.getCause() instanceof IOException io ? io : new IOException(e.toString(), e);
        }
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
