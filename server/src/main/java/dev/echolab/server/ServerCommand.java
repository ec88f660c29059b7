package dev.echolab.server;

import dev.echolab.common.Children;
import dev.echolab.common.Cli;
import dev.echolab.common.Descriptors;
import dev.echolab.common.Durations;
import dev.echolab.common.Quantities;
import dev.echolab.common.Signals;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ListResourceBundle;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/server}: parses the options into a {@link ServerConfig}, prints it, starts one backend
 * (or, with {@code --processes N}, a {@link ProcessGroup}), prints the {@link ReadyLine}, then a stats
 * line per second while something changes. SIGTERM stops it drained (no new connection; the open
 * ones are served until their clients close or {@code --drain-timeout} ends), SIGINT or a second
 * SIGTERM at once; either way with exit status 0. SIGHUP reloads a {@code --processes} group; a
 * server without one says it has nothing to reload and stops as on SIGTERM.
 */
@Command(name = "server", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Start an echo server with the chosen IO model.",
        footerHeading = "%nBackends (in reading order):%n",
        footer = "%s")
public final class ServerCommand implements Callable<Integer> {

    @Option(names = "--backend", paramLabel = "ID",
            description = "IO model: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Backend backend = Backend.NIO;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Address to bind (default: ${DEFAULT-VALUE}). Anything but loopback is reachable from the network.")
    String host = ServerConfig.DEFAULT_HOST;

    @Option(names = "--port", paramLabel = "PORT",
            description = "TCP port, 0 for any free port (default: ${DEFAULT-VALUE}).")
    int port = ServerConfig.DEFAULT_PORT;

    /** Its description comes from the registry ({@link #threadsHelp()}). */
    @Option(names = "--threads", paramLabel = "N", descriptionKey = "threads")
    int threads;

    @Option(names = "--transport", paramLabel = "T",
            description = "Netty transport: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}: io_uring, else epoll, else nio). "
                    + "An unavailable one is an error (exit 1). Other backends ignore it, with a note.")
    Transport transport = Transport.AUTO;

    @Option(names = "--work", paramLabel = "io:D|cpu:D",
            description = "Simulated work per message (per read) before the echo: io:5ms sleeps (a blocking call), "
                    + "cpu:5ms burns CPU. Runs on the connection's thread, or on the event loop unless --offload.")
    Work work = Work.NONE;

    /** Its description comes from the registry ({@link #offloadHelp()}). */
    @Option(names = "--offload", paramLabel = "N", descriptionKey = "offload")
    int offload;

    @Option(names = "--max-connections", paramLabel = "N", converter = Quantities.Count.class,
            description = "Close new connections beyond N open, e.g. 10k (default: ${DEFAULT-VALUE}: the open-file limit "
                    + "less the descriptors the JVM already holds and " + Descriptors.JVM_HEADROOM + " more kept for it, "
                    + "one descriptor per connection).")
    int maxConnections = ServerConfig.defaultMaxConnections();

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "off",
            description = "Close connections silent this long: 30s, 1.5s, 500ms (default: off).")
    Duration idleTimeout;

    @Option(names = "--max-buffered", paramLabel = "BYTES", converter = Quantities.LongSize.class,
            description = "Event loops pause reads above this many unsent bytes, e.g. 64MiB (default: heap/4).")
    long maxBuffered = ServerConfig.defaultMaxBuffered();

    @Option(names = "--tally", paramLabel = "MODE",
            description = "The lesson on locks: one counter every connection adds its messages to (read the count, do "
                    + "--work, write it back), printed when the server stops ('tally mode=M counted=N'): none, unsafe "
                    + "(no lock: updates get lost), synchronized, lock, atomic, adder, deadlock (two locks in opposite "
                    + "orders; the deadlock is reported). Thread-per-connection backends only (default: none).")
    Tally.Mode tally = Tally.Mode.NONE;

    @Option(names = "--processes", paramLabel = "N",
            description = "Start N server processes (child JVMs) sharing the port through SO_REUSEPORT; "
                    + "one ready line, summed stats; a process that ends is replaced (a crash loop backs off), SIGHUP "
                    + "replaces them all without refusing a connection, SIGTERM stops them all (default: ${DEFAULT-VALUE}: this process serves).")
    int processes = 1;

    @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "3s",
            description = "On SIGTERM (and for the old processes of a --processes reload) stop accepting and serve the "
                    + "open connections until their clients close or this much time has passed; 0: close them at once "
                    + "(default: ${DEFAULT-VALUE}). A second SIGTERM or Ctrl-C stops at once.")
    Duration drainTimeout;

    /** Set by {@code --processes} for its children: share the port; the parent prints the settings. */
    @Option(names = "--child", hidden = true)
    boolean child;

    @Option(names = "--verbose", description = "Debug logging and stack traces.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    /**
     * The first SIGTERM or SIGINT, or SIGHUP without {@code --processes} (it says it cannot reload):
     * stop, drained.
     */
    private final CountDownLatch stop = new CountDownLatch(1);
    /** SIGINT, or a second SIGTERM: stop without draining (or end a drain under way). */
    private final CountDownLatch stopNow = new CountDownLatch(1);
    /** SIGHUP to a {@code --processes} parent: one permit per reload asked for. */
    private final Semaphore reloads = new Semaphore(0);

    public ServerCommand() {
        this(System.out, System.err);
    }

    ServerCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static void main(String[] args) {
        // Netty's leak detector samples one buffer in 128 and records where it came from: about ten
        // bytes and some CPU per echoed message, on a path whose handler passes every buffer on.
        // -Dio.netty.leakDetection.level=simple (ECHOLAB_JAVA_OPTS) turns it back on.
        System.getProperties().putIfAbsent("io.netty.leakDetection.level", "disabled");
        System.exit(commandLine(new ServerCommand()).execute(args));
    }

    public static CommandLine commandLine(ServerCommand command) {
        CommandLine cl = Cli.commandLine(command, command.out, command.err);
        cl.registerConverter(Backend.class, Cli.byId(Backend.class, "backend"));
        cl.registerConverter(Transport.class, Cli.byId(Transport.class, "transport"));
        cl.registerConverter(Work.class, Cli.parsing(Work::parse));
        cl.registerConverter(Tally.Mode.class, Cli.parsing(Tally.Mode::parse));
        cl.getCommandSpec().usageMessage().footer(backendTable());
        cl.setResourceBundle(new ListResourceBundle() {
            @Override
            protected Object[][] getContents() {
                return new Object[][] {{"threads", threadsHelp()}, {"offload", offloadHelp()}};
            }
        });
        return cl;
    }

    /** {@code --threads}, from what each backend's registry entry says N is and its default. */
    private static String threadsHelp() {
        StringBuilder help = new StringBuilder("Worker threads:");
        for (Backend b : Backend.values()) {
            Backend.Threads t = b.threads();
            if (t.role() != null) {
                help.append(' ').append(b.id()).append(": ").append(t.role())
                        .append(b.threadsPerCpu() ? " (default: one per CPU);" : " (default " + t.count() + ");");
            }
        }
        help.setLength(help.length() - 1);
        return help + ". With --processes N, one per CPU becomes CPUs / N each, at least 1. Ignored by "
                + Backend.ids(b -> b.threads().role() == null) + ".";
    }

    /** {@code --offload}, naming the backends whose registry entry says they offload. */
    private static String offloadHelp() {
        return "Backends " + Backend.ids(Backend::offloads) + ": run --work on a pool of N threads and hand the echo"
                + " back to the event loop (default 0: on the loop). The others (" + Backend.ids(b -> !b.offloads())
                + ") ignore it.";
    }

    @Override
    public Integer call() throws Exception {
        Logging.configure(verbose);
        // Before the ready line: whoever reads it may signal at once. A shutdown hook would also run on
        // SIGTERM, but the JVM then exits with 143 whatever the hook does; handling the signals
        // ourselves makes a requested stop a clean exit 0.
        handleSignals();
        ServerConfig config = config();
        if (!child) { // a --processes child's settings were printed by its parent
            printConfiguration(config);
        }
        if (processes > 1) {
            return new ProcessGroup(config, processes, Children.javaCommand(ServerCommand.class.getName()), verbose,
                    drainTimeout, out, err, new ProcessGroup.Requests(stop, stopNow, reloads), this::warnIfReachable).run();
        }
        try (EchoServer server = EchoServer.create(config)) {
            try {
                server.start();
            } catch (IOException e) {
                err.println(config.bindFailure(e));
                if (verbose) {
                    e.printStackTrace(err);
                }
                return Cli.FAILURE;
            }
            warnIfReachable();
            var bound = server.localAddress();
            // A wildcard bind shows as the user wrote it (Java binds 0.0.0.0 as [::]).
            String shown = bound.getAddress().isAnyLocalAddress() ? host : bound.getAddress().getHostAddress();
            out.println(new ReadyLine(shown, bound.getPort(), backend.id(), server.details()));
            printStatsUntilStopped(server);
            if (stopNow.getCount() > 0) {
                drain(server);
            }
            server.close(); // every connection's thread has ended: the count is final
            server.tally().ifPresent(t -> out.println(t.format()));
        }
        return Cli.OK;
    }

    /**
     * SIGTERM: a drained stop; again, or SIGINT (Ctrl-C): at once. SIGHUP: a {@code --processes}
     * parent reloads; its children ignore it (a signal to the terminal's process group reaches them
     * too; their parent decides); any other server drains and stops with exit 2.
     */
    private void handleSignals() {
        Signals.on("TERM", () -> {
            if (stop.getCount() == 0) {
                stopNow.countDown();
            }
            stop.countDown();
        });
        Signals.on("INT", () -> {
            stopNow.countDown();
            stop.countDown();
        });
        Signals.on("HUP", () -> {
            if (child) {
                return;
            }
            if (processes > 1) {
                reloads.release();
                return;
            }
            if (stop.getCount() == 0) {
                stopNow.countDown();
            } else {
                err.println("SIGHUP reloads only a --processes group: this server drains and stops as on SIGTERM");
            }
            stop.countDown();
        });
    }

    /** Accept no more; serve the open connections until their clients close, --drain-timeout or SIGTERM again. */
    private void drain(EchoServer server) throws InterruptedException {
        server.stopAccepting(); // first: once the line below is out, a new connection is refused
        long open = server.stats().open();
        if (open > 0) {
            err.println("draining " + open + " connections (at most " + Durations.format(drainTimeout)
                    + "; SIGTERM again or Ctrl-C stops now)");
        }
        long left = server.drain(drainTimeout, stopNow);
        if (left > 0) {
            err.println("closing " + left + " connections still open");
        }
    }

    /** The options as a {@link ServerConfig}; values no backend can use are usage errors (exit 2). */
    ServerConfig config() {
        CommandLine cl = spec.commandLine();
        if (drainTimeout.isNegative()) {
            throw Cli.invalid(cl, "--drain-timeout", "a duration of 0 or more");
        }
        if (processes < 1) {
            throw Cli.invalid(cl, "--processes", "a number of processes (1 or more)");
        }
        if (processes > 1 && tally != Tally.Mode.NONE) {
            throw Cli.invalidValue(cl, "--tally", "one count per process: it goes with --processes 1 only");
        }
        int n = threads;
        if (n == 0 && processes > 1 && backend.threadsPerCpu()) {
            n = Math.max(1, Runtime.getRuntime().availableProcessors() / processes); // the processes share the CPUs
        }
        ServerConfig config;
        try {
            config = new ServerConfig(backend, host, port, n, transport, work, offload, child,
                    maxConnections, idleTimeout, maxBuffered, tally);
        } catch (ServerConfig.Invalid e) {
            throw Cli.invalid(cl, e.option(), e.expected());
        }
        try {
            InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new Cli.Failure("cannot resolve host '" + host + "'"); // a runtime failure (exit 1), before anything is said
        }
        return config;
    }

    /** The first line of every run: the effective settings; then notes and warnings on stderr. */
    private void printConfiguration(ServerConfig config) {
        printNotes();
        out.println("echolab server: backend=" + backend.id() + " host=" + host + " port=" + port
                + " threads=" + backend.threadsShown(config.effectiveThreads()) + describeWork() + (processes > 1 ? " processes=" + processes : "")
                + " max-connections=" + maxConnections
                + " idle-timeout=" + (idleTimeout.isZero() ? "off" : Durations.format(idleTimeout))
                + " max-buffered=" + maxBuffered
                + " cpus=" + Runtime.getRuntime().availableProcessors() + " java=" + Runtime.version());
        String fit = ServerConfig.fitWarning(maxConnections);
        if (fit != null) {
            err.println(fit);
        }
    }

    /** Once the address could be bound (a failed bind says only why): a server beyond loopback is everyone's. */
    private void warnIfReachable() {
        if (!isLoopback(host)) {
            err.println("warning: binding " + host + " makes this echo server reachable from the network;"
                    + " it has no authentication (use 127.0.0.1 unless you mean it)");
        }
    }

    /** Options that do not apply to this backend (its registry entry says which do): one line each, and on we go. */
    private void printNotes() {
        if (transport != Transport.AUTO && !backend.takesTransport()) {
            err.println("note: --transport applies to --backend " + Backend.ids(Backend::takesTransport)
                    + " only; ignored for " + backend.id());
        }
        if (offload > 0 && work.isNone()) {
            err.println("note: --offload moves --work off the event loop; without --work it does nothing");
        } else if (offload > 0 && !backend.offloads()) {
            err.println("note: " + backend.id() + " runs --work on " + backend.workThread() + "; --offload ignored");
        }
    }

    private String describeWork() {
        if (work.isNone()) {
            return "";
        }
        return " work=" + work + (offload > 0 && backend.offloads() ? " offload=" + offload : "");
    }

    private void printStatsUntilStopped(EchoServer server) throws InterruptedException {
        ServerStats.Snapshot last = server.stats();
        long lastNanos = System.nanoTime();
        while (!stop.await(1, TimeUnit.SECONDS)) {
            ServerStats.Snapshot now = server.stats();
            long nowNanos = System.nanoTime();
            if (!now.equals(last)) {
                out.println(now.line(last, nowNanos - lastNanos));
            }
            last = now;
            lastNanos = nowNanos;
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** The help's footer: every backend, then every netty transport, one line each. */
    private static String backendTable() {
        StringBuilder sb = new StringBuilder();
        for (Backend b : Backend.values()) {
            sb.append(String.format("  %-12s %s%n", b.id(), b.summary()));
        }
        sb.append(String.format("%nNetty transports (--backend netty --transport T):%n"));
        for (Transport t : Transport.values()) {
            sb.append(String.format("  %-12s %s%n", t.id(), t.summary()));
        }
        return sb.toString();
    }
}
