package dev.echolab.server;

import dev.echolab.common.ChildProcess;
import dev.echolab.common.Children;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code --processes N}: the multi-process model. N child JVMs run the same backend and share one
 * port through {@code SO_REUSEPORT}; the kernel spreads new connections over their listening
 * sockets (by a hash of the connection's addresses), so each child serves its own share with no
 * coordination at all, like nginx workers or a pre-forked server.
 *
 * <p>The parent only supervises:
 * <ol>
 *   <li>It first binds the port itself, <em>without</em> SO_REUSEPORT, and releases it: that bind
 *       fails if anything holds the port, even a program that shares it through SO_REUSEPORT
 *       (which our children, binding with SO_REUSEPORT, would otherwise silently join). It is
 *       also how {@code --port 0} becomes one real port that every child binds.</li>
 *   <li>It starts the children (same java, same classpath, same options, plus the hidden
 *       {@code --child}: bind with SO_REUSEPORT, leave the settings line to the parent).</li>
 *   <li>Once every child has printed its ready line, it checks that nobody else listens on the
 *       port ({@link PortOwners}): a program of the same user could have joined with SO_REUSEPORT
 *       between the first check and the children's binds. Only then it prints one ready line.</li>
 *   <li>Once a second it sums the children's stats lines into one ({@link StatsLine}).</li>
 *   <li>On SIGTERM/SIGINT/SIGHUP it sends SIGTERM to every child, waits for them and exits 0. A
 *       child that dies is reported on stderr; when none is left the parent exits 1.</li>
 * </ol>
 * No orphans: the children are started through {@link Children}, so even a parent killed with
 * SIGKILL takes them with it (the kernel sends each one SIGTERM, and it stops as on any SIGTERM).
 */
final class ProcessGroup {

    private static final long READY_TIMEOUT_S = 60;

    private final ServerConfig config;
    private final int processes;
    private final List<String> java;
    private final boolean verbose;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stop;
    private final Runnable onClaimed;
    private final List<Child> children = new ArrayList<>();

    /**
     * @param config    what every child runs (its port 0 is resolved to one real port first)
     * @param processes how many children
     * @param java      the command that starts {@code bin/server} in a child JVM, before its options
     * @param verbose   passed on to the children
     * @param stop      counted down by SIGTERM/SIGINT/SIGHUP: stops the group
     * @param onClaimed runs once the port is known to be free, before any child starts
     */
    ProcessGroup(ServerConfig config, int processes, List<String> java, boolean verbose, PrintStream out, PrintStream err,
                 CountDownLatch stop, Runnable onClaimed) {
        this.config = config;
        this.processes = processes;
        this.java = List.copyOf(java);
        this.verbose = verbose;
        this.out = out;
        this.err = err;
        this.stop = stop;
        this.onClaimed = onClaimed;
    }

    /** Runs the whole group; the exit status of {@code bin/server}. */
    int run() throws InterruptedException {
        int port;
        try {
            port = claim(config.host(), config.port());
        } catch (IOException e) {
            err.println(config.bindFailure(e));
            return 1;
        }
        onClaimed.run();
        try {
            for (int i = 1; i <= processes; i++) {
                children.add(new Child(i, childBuilder(port)));
            }
            String details = awaitReady();
            if (details == null) {
                return stop.getCount() == 0 ? 0 : 1; // stopped while starting is still a requested stop
            }
            if (!PortOwners.othersListening(config.host(), port, children.stream().map(c -> c.process.pid()).toList()).isEmpty()) {
                err.println("port " + port + " is already in use");
                return 1;
            }
            out.println(new ReadyLine(config.host(), port, config.backend().id(),
                    "processes=" + processes + (details.isEmpty() ? "" : " " + details)));
            return superviseUntilStopped();
        } catch (IOException e) {
            err.println("cannot start a server process: " + e.getMessage());
            return 1;
        } finally {
            stopChildren();
        }
    }

    /**
     * Binds {@code host:port} without SO_REUSEPORT and lets it go: fails if anything holds the port
     * (SO_REUSEADDR only lets a closed connection's TIME_WAIT pass); returns the real port, which
     * for port 0 is a free one chosen by the kernel.
     */
    private static int claim(String host, int port) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open()) {
            probe.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            probe.bind(new InetSocketAddress(host, port));
            return ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
    }

    private ProcessBuilder childBuilder(int port) {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(config.withPort(port).withReusePort(true).toArguments()); // --child: share the port
        if (verbose) {
            cmd.add("--verbose");
        }
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** The details of the first child's ready line, or null (reported) if a child failed. */
    private String awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_S);
        for (Child c : children) {
            while (!c.ready.await(100, TimeUnit.MILLISECONDS)) {
                if (!c.process.isAlive()) {
                    err.println("server process " + c.index + " (pid " + c.process.pid() + ") exited with status "
                            + c.process.exitValue() + " before it was ready");
                    return null;
                }
                if (stop.getCount() == 0) {
                    return null;
                }
                if (System.nanoTime() - deadline > 0) {
                    err.println("server process " + c.index + " was not ready after " + READY_TIMEOUT_S + " s");
                    return null;
                }
            }
        }
        return children.getFirst().details;
    }

    private int superviseUntilStopped() throws InterruptedException {
        String last = "";
        while (!stop.await(1, TimeUnit.SECONDS)) {
            reportDeadChildren();
            if (children.stream().noneMatch(c -> c.process.isAlive())) {
                err.println("every server process has ended");
                return 1;
            }
            String line = aggregateStats();
            if (!line.isEmpty() && !line.equals(last)) {
                out.println(line);
                last = line;
            }
        }
        return 0;
    }

    private void reportDeadChildren() {
        for (Child c : children) {
            if (!c.process.isAlive() && !c.reported) {
                c.reported = true;
                err.println("server process " + c.index + " (pid " + c.process.pid() + ") exited with status "
                        + c.process.exitValue() + "; " + children.stream().filter(x -> x.process.isAlive()).count()
                        + " still serving");
            }
        }
    }

    /** The children's latest stats lines summed, plus how many connections each one accepted; empty before any. */
    private String aggregateStats() {
        if (children.stream().allMatch(c -> c.latest == null)) {
            return "";
        }
        return StatsLine.ofProcesses(children.stream().map(c -> c.latest == null ? StatsLine.ZERO : c.latest).toList()).toString();
    }

    /** SIGTERM to each child (it closes its server and exits 0), then wait; SIGKILL after 5 s. */
    private void stopChildren() {
        for (ProcessHandle killed : Children.stopAll(Duration.ofSeconds(5))) {
            err.println("server process (pid " + killed.pid() + ") did not stop in 5 s; killed it");
        }
    }

    /** One child process and what its stdout has told us so far. */
    private final class Child {
        final int index;
        final Process process;
        final CountDownLatch ready = new CountDownLatch(1);
        volatile String details = "";
        /** The child's latest stats line, or null before its first. */
        volatile StatsLine latest;
        boolean reported;

        Child(int index, ProcessBuilder builder) throws IOException {
            this.index = index;
            this.process = ChildProcess.start(builder, null, this::stdout, null).process();
        }

        private void stdout(String line) {
            Optional<ReadyLine> ready = ReadyLine.parse(line);
            if (ready.isPresent()) {
                details = ready.get().details();
                this.ready.countDown();
            } else {
                StatsLine.parse(line).ifPresent(stats -> latest = stats);
            }
        }
    }
}
