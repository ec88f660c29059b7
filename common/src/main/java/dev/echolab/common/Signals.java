package dev.echolab.common;

import sun.misc.Signal;

import java.util.function.Consumer;

/**
 * SIGTERM, SIGINT and SIGHUP: the signals that ask a command to stop (a supervisor or
 * {@code timeout}, Ctrl-C, a closed terminal). Left to the JVM they run the shutdown hooks and
 * exit with 128 + the signal's number, whatever the command was doing; a command that handles them
 * here can stop on its own terms: {@code bin/server} closes its server and exits 0, {@code bin/lab}
 * writes what it has measured.
 */
public final class Signals {

    private static final String[] STOP = {"TERM", "INT", "HUP"};

    private Signals() {
    }

    /** Runs {@code action} with the signal's name ({@code SIGTERM}) each time one of them arrives. */
    public static void onStop(Consumer<String> action) {
        for (String name : STOP) {
            Signal.handle(new Signal(name), s -> action.accept("SIG" + s.getName()));
        }
    }

    /**
     * Runs {@code action} each time {@code signal} ({@code TERM}, {@code INT}, {@code HUP}) arrives,
     * for a command that gives the stop signals different meanings (a drained stop, a reload).
     */
    public static void on(String signal, Runnable action) {
        Signal.handle(new Signal(signal), s -> action.run());
    }

    /** The exit status a shell reports for a command ended by {@code signal}: 128 + its number (SIGTERM: 143). */
    public static int exitStatus(String signal) {
        return 128 + new Signal(signal.replaceFirst("^SIG", "")).getNumber();
    }
}
