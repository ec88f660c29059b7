package dev.echolab.loadgen;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * What went wrong on one connection. Every failure is counted under exactly one kind, so the
 * report can say whether the server refused, stalled, dropped or corrupted: four different bugs.
 */
enum ErrorKind {
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
    /** Any other IO failure (e.g. too many open files). */
    OTHER("other");

    private final String label;

    ErrorKind(String label) {
        this.label = label;
    }

    /** Human words for the report, e.g. {@code closed early}. */
    String label() {
        return label;
    }

    /** JSON key, e.g. {@code closed_early}. */
    String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Classifies an IO failure. The JDK gives few exception types for socket errors, so resets are
     * recognised by the kernel's message ("Connection reset", "Broken pipe").
     */
    static ErrorKind of(IOException e) {
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

    /**
     * The one line for a connection that could not be opened. Refusals name only the target, so a
     * run against nothing prints exactly {@code connection refused: 127.0.0.1:8080}.
     */
    static String connectFailure(ErrorKind kind, Settings s, int id, IOException e) {
        String target = s.host() + ":" + s.port();
        return switch (kind) {
            case REFUSED -> "connection refused: " + target;
            case TIMEOUT -> "connect timeout: no connection to " + target + " within " + Settings.text(s.connectTimeout());
            default -> "connection " + id + " to " + target + " failed: " + e.getMessage();
        };
    }

    /** An echo that differs from what was sent; carries the one-line description. */
    static final class MismatchException extends IOException {
        MismatchException(String line) {
            super(line);
        }
    }
}
