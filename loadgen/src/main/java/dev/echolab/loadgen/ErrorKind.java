package dev.echolab.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.Locale;

/**
 * What went wrong on one connection. Every failure is counted under exactly one kind, so the
 * report can say whether the server refused, stalled, dropped or corrupted: four different bugs.
 */
public enum ErrorKind {
    /** Nothing listening, or the accept queue overflowed and the kernel answered with RST. */
    REFUSED("refused"),
    /** No connection within --connect-timeout, or no reply within --timeout. */
    TIMEOUT("timeout"),
    /** The server (or its kernel) reset the connection. */
    RESET("reset"),
    /** The server closed the connection while we still expected bytes. */
    CLOSED_EARLY("closed early"),
    /** An echoed byte differed from the byte sent. */
    MISMATCH("mismatch"),
    /**
     * This machine could not open the connection: out of file descriptors, local ports or socket
     * buffers. The load generator's limit, not the server's fault; the run goes on without it.
     */
    LOCAL_LIMIT("local limit"),
    /** Any other IO failure (e.g. no thread could be started). */
    OTHER("other");

    /**
     * The kernel's words for running out of something here (EMFILE, ENFILE, EADDRNOTAVAIL, EADDRINUSE, ENOBUFS),
     * each with what to do about it. Matched on the message, as resets are: the JDK has no exception
     * type for them. ENFILE's message starts with EMFILE's, so it comes first.
     */
    private static final List<Shortage> SHORTAGES = List.of(
            new Shortage("Too many open files in system", "the system's file table is full: raise fs.file-max"),
            new Shortage("Too many open files", "raise ulimit -n"),
            new Shortage("Cannot assign requested address", "out of local ports: widen net.ipv4.ip_local_port_range"),
            // bind(address, 0) before a connect (--source) says so when that address has no free port left
            new Shortage("Address already in use", "out of local ports on a source address: give more with --source"),
            new Shortage("No buffer space available", "the kernel is out of socket buffers"));

    private record Shortage(String message, String advice) {
    }

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** Human words for the report, e.g. {@code closed early}. */
    public String label() {
        return label;
    }

    /** JSON key, e.g. {@code closed_early}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Classifies an IO failure. The JDK gives few exception types for socket errors, so resets are
     * recognised by the kernel's message ("Connection reset", "Broken pipe").
     */
    public static ErrorKind of(IOException e) {
        if (e instanceof MismatchException) {
            return MISMATCH;
        }
        if (e instanceof ConnectException) {
            String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            return m.contains("timed out") ? TIMEOUT : REFUSED;
        }
        if (e instanceof SocketTimeoutException) {
            return TIMEOUT;
        }
        if (e instanceof EOFException) {
            return CLOSED_EARLY;
        }
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("reset") || m.contains("broken pipe")) {
            return RESET;
        }
        if (m.contains("refused")) {
            return REFUSED;
        }
        return OTHER;
    }

    /** Classifies a failure to open a connection: a {@link #LOCAL_LIMIT} first, else as {@link #of}. */
    static ErrorKind ofConnect(IOException e) {
        return shortage(e) != null ? LOCAL_LIMIT : of(e);
    }

    /** The local shortage behind {@code e} and its remedy, e.g. {@code Too many open files (raise ulimit -n)}, or null. */
    static String shortage(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        for (Shortage s : SHORTAGES) {
            if (m.contains(s.message().toLowerCase(Locale.ROOT))) {
                return s.message() + " (" + s.advice() + ")";
            }
        }
        return null;
    }

    /**
     * The one line for a connection that could not be opened. Refusals name only the target, so a
     * run against nothing prints exactly {@code connection refused: 127.0.0.1:8080}; a local limit
     * names only its cause, which the report then counts ({@link Results#errorLine}).
     */
    public static String connectFailure(ErrorKind kind, Settings s, int id, IOException e) {
        String target = s.host() + ":" + s.port();
        return switch (kind) {
            case REFUSED -> "connection refused: " + target;
            case LOCAL_LIMIT -> shortage(e);
            case TIMEOUT -> "connect timeout: no connection to " + target + " within " + Settings.text(s.connectTimeout());
            default -> "connection " + id + " to " + target + " failed: " + e.getMessage();
        };
    }

    /**
     * The one line for a connection that failed while waiting for the echo of message {@code seq}:
     * {@code connection 3: reset: Connection reset (message 7)}, {@code connection 3: closed early:
     * the server closed the connection (message 7)}, or a mismatch's own line.
     */
    public static String failure(int id, long seq, IOException e) {
        ErrorKind kind = of(e);
        return switch (kind) {
            case MISMATCH -> e.getMessage();
            case TIMEOUT -> noReply(id, seq, "in time");
            case CLOSED_EARLY -> "connection " + id + ": closed early: the server closed the connection (message " + seq + ")";
            default -> "connection " + id + ": " + kind.label() + ": " + e.getMessage();
        };
    }

    /** The one line for an echo that did not come: {@code connection 3: timeout: no reply to message 7 within 5s}. */
    public static String noReply(int id, long seq, String when) {
        return "connection " + id + ": timeout: no reply to message " + seq + " " + when;
    }

    /** An echo that differs from what was sent; carries the one-line description. */
    public static final class MismatchException extends IOException {
        public MismatchException(String line) {
            super(line);
        }
    }
}
