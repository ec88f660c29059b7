package dev.echolab.loadgen;

import dev.echolab.common.Descriptors;

import java.io.IOException;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.OptionalLong;

/**
 * The process's file descriptors, before connecting. Every connection is one, so {@link #check}
 * refuses up front, in one line, a run whose connections cannot fit under the open-file limit
 * (Linux only; elsewhere nothing is checked). It reads only the limit: connects that still fail
 * with "Too many open files" are counted as {@link ErrorKind#LOCAL_LIMIT} and the run goes on with
 * the connections it has, which works only once {@link #prepare} has run.
 */
public final class OpenFiles {

    private OpenFiles() {
    }

    /** One line explaining why {@code connections} cannot fit, or null when they can. */
    static String check(int connections) {
        OptionalLong softLimit = Descriptors.softLimit();
        long needed = (long) connections + Descriptors.JVM_HEADROOM;
        if (softLimit.isEmpty() || needed <= softLimit.getAsLong()) {
            return null;
        }
        long limit = softLimit.getAsLong();
        return "--connections " + connections + " needs about " + needed + " open files, but this process may open only "
                + limit + " (raise it with 'ulimit -n " + needed + "', spread them over --processes "
                + Descriptors.processesFor(connections) + ", or use fewer connections)";
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
}
