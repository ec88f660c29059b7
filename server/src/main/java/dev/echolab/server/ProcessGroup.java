package dev.echolab.server;

import dev.echolab.common.ChildProcess;
import dev.echolab.common.Children;
import dev.echolab.common.Durations;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

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
 *   <li>Once a second it sums the children's stats lines into one ({@link StatsLine}), with how
 *       many children it has restarted.</li>
 *   <li><b>Supervision.</b> A child that ends is reported on stderr (which child, its pid, its exit
 *       status) and replaced at once by a new one on the same port; the report names the new pid.
 *       A child that ends within {@link #QUICK_EXIT} of its start is in a crash loop: its next
 *       start waits {@link #FIRST_BACKOFF}, doubled at each further quick exit up to
 *       {@link #MAX_BACKOFF}, so a child that cannot run costs a start every half minute, not a
 *       JVM per second. Only the first start is all or nothing: if a child cannot get ready then
 *       (port taken, an option its backend refuses), the group fails at once, exit 1.</li>
 *   <li><b>Reload</b> (SIGHUP): it starts a new generation of N children beside the old one and
 *       waits for their ready lines; then it sends each old child SIGTERM, which makes it close its
 *       listening socket and drain (serve its open connections until their clients close, at most
 *       {@code --drain-timeout}). Once the new children listen, the kernel spreads new connections
 *       over both generations, and once an old child has closed its socket, over the new ones only;
 *       the open connections stay where they are: nothing is refused, no byte is lost. A new
 *       generation that cannot get ready is stopped and the old one serves on.</li>
 *   <li><b>Stop</b> (SIGTERM): SIGTERM to every child, each drains; the parent waits for them
 *       ({@code --drain-timeout} and a margin) and exits 0. SIGINT or a second SIGTERM passes a
 *       second SIGTERM on: the children stop at once.</li>
 * </ol>
 * <p>One gap the kernel leaves: connections that completed their handshake on an old child's
 * listening socket but were not accepted yet when it closes are reset, unless the machine sets
 * {@code net.ipv4.tcp_migrate_req=1} (Linux 5.14 and later), which moves them to another socket of
 * the port. The backends take what is queued as fast as it comes, so the window is the time
 * between their last accept and the close.
 *
 * <p>No orphans: the children are started through {@link Children}, so even a parent killed with
 * SIGKILL takes them with it (the kernel sends each one SIGTERM, and it drains and stops as on any SIGTERM).
 */
final class ProcessGroup {

    private static final long READY_TIMEOUT_S = 60;
    /** A child that ends sooner than this after it started is crashing: its restart waits. */
    static final Duration QUICK_EXIT = Duration.ofSeconds(5);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    /** How often the supervisor looks at its children; the stats line is printed once a second. */
    private static final long TICK_MS = 100;
    /** What the children get on top of the drain timeout to exit before they are killed. */
    private static final Duration STOP_MARGIN = Duration.ofSeconds(5);

    /** What the signals ask of the group ({@link ServerCommand} counts them). */
    record Requests(CountDownLatch stop, CountDownLatch stopNow, Semaphore reloads) {
    }

    private final ServerConfig config;
    private final List<String> java;
    private final boolean verbose;
    private final Duration drainTimeout;
    private final PrintStream out;
    private final PrintStream err;
    private final Requests requests;
    private final Runnable onClaimed;
    private final Slot[] slots;
    /** Children of an older generation, draining after a reload. */
    private final List<Child> retiring = new ArrayList<>();
    private int port;
    private long restarts;
    /** What children that have ended had counted, so that the group's totals never go back. */
    private StatsLine departed = StatsLine.ZERO;

    /**
     * @param config       what every child runs (its port 0 is resolved to one real port first)
     * @param processes    how many children
     * @param java         the command that starts {@code bin/server} in a child JVM, before its options
     * @param verbose      passed on to the children
     * @param drainTimeout passed on to the children: how long a stopping child serves its open connections
     * @param requests     stop, stop at once, reload: what the signals ask
     * @param onClaimed    runs once the port is known to be free, before any child starts
     */
    ProcessGroup(ServerConfig config, int processes, List<String> java, boolean verbose, Duration drainTimeout,
                 PrintStream out, PrintStream err, Requests requests, Runnable onClaimed) {
        this.config = config;
        this.java = List.copyOf(java);
        this.verbose = verbose;
        this.drainTimeout = drainTimeout;
        this.out = out;
        this.err = err;
        this.requests = requests;
        this.onClaimed = onClaimed;
        this.slots = new Slot[processes];
        for (int i = 0; i < processes; i++) {
            slots[i] = new Slot(i + 1);
        }
    }

    /** Runs the whole group; the exit status of {@code bin/server}. */
    int run() throws InterruptedException {
        try {
            port = claim(config.host(), config.port());
        } catch (IOException e) {
            err.println(config.bindFailure(e));
            return 1;
        }
        onClaimed.run();
        try {
            List<Child> first = new ArrayList<>();
            for (Slot s : slots) {
                s.child = new Child(s.index, childBuilder());
                first.add(s.child);
            }
            if (!awaitReady(first, "")) {
                return requests.stop().getCount() == 0 ? 0 : 1; // stopped while starting is still a requested stop
            }
            if (!PortOwners.othersListening(config.host(), port, first.stream().map(c -> c.process.pid()).toList()).isEmpty()) {
                err.println("port " + port + " is already in use");
                return 1;
            }
            String details = first.getFirst().details;
            out.println(new ReadyLine(config.host(), port, config.backend().id(),
                    "processes=" + slots.length + (details.isEmpty() ? "" : " " + details)));
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

    private ProcessBuilder childBuilder() {
        List<String> cmd = new ArrayList<>(java);
        cmd.addAll(config.withPort(port).withReusePort(true).toArguments()); // --child: share the port
        cmd.add("--drain-timeout");
        cmd.add(Durations.format(drainTimeout));
        if (verbose) {
            cmd.add("--verbose");
        }
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
    }

    /** True once every child in {@code group} printed its ready line; false (reported) if one failed or a stop came. */
    private boolean awaitReady(List<Child> group, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_S);
        for (Child c : group) {
            while (!c.ready.await(TICK_MS, TimeUnit.MILLISECONDS)) {
                if (!c.process.isAlive()) {
                    err.println(what + "server process " + c.index + " (pid " + c.process.pid() + ") exited with status "
                            + c.process.exitValue() + " before it was ready");
                    return false;
                }
                if (requests.stop().getCount() == 0) {
                    return false;
                }
                if (System.nanoTime() - deadline > 0) {
                    err.println(what + "server process " + c.index + " was not ready after " + READY_TIMEOUT_S + " s");
                    return false;
                }
            }
        }
        return true;
    }

    private int superviseUntilStopped() throws InterruptedException {
        String last = "";
        long nextStats = System.nanoTime();
        while (!requests.stop().await(TICK_MS, TimeUnit.MILLISECONDS)) {
            if (requests.reloads().tryAcquire()) {
                requests.reloads().drainPermits(); // signals that came while one reload runs ask for one more, not many
                reload();
            }
            supervise();
            long now = System.nanoTime();
            if (now - nextStats >= 0) {
                nextStats = now + TimeUnit.SECONDS.toNanos(1);
                String line = aggregateStats();
                if (!line.isEmpty() && !line.equals(last)) {
                    out.println(line);
                    last = line;
                }
            }
        }
        return 0;
    }

    /** Replaces each child that has ended (after its back-off), and reports old ones that finished draining. */
    private void supervise() {
        long now = System.nanoTime();
        for (Slot s : slots) {
            Child c = s.child;
            if (c != null && !c.process.isAlive()) {
                s.child = null;
                depart(c);
                Duration lived = Duration.ofNanos(now - c.startedAt);
                s.quickExits = lived.compareTo(QUICK_EXIT) < 0 ? s.quickExits + 1 : 0;
                Duration backoff = backoff(s.quickExits);
                s.restartAt = now + backoff.toNanos();
                String ended = "server process " + s.index + " (pid " + c.process.pid() + ") exited with status "
                        + c.process.exitValue();
                if (backoff.isZero()) {
                    s.announce = ended + "; replaced by pid ";
                } else {
                    err.println(ended + " " + Durations.format(lived.truncatedTo(ChronoUnit.MILLIS)) + " after it started ("
                            + s.quickExits + " quick exit" + (s.quickExits > 1 ? "s" : "") + " in a row); restarting it in "
                            + Durations.format(backoff));
                    s.announce = "server process " + s.index + " restarted: pid ";
                }
            }
            if (s.child == null && now - s.restartAt >= 0) {
                try {
                    s.child = new Child(s.index, childBuilder());
                    restarts++;
                    err.println(s.announce + s.child.process.pid());
                } catch (IOException e) {
                    s.restartAt = now + MAX_BACKOFF.toNanos();
                    err.println("cannot restart server process " + s.index + ": " + e.getMessage()
                            + "; trying again in " + Durations.format(MAX_BACKOFF));
                }
            }
        }
        retiring.removeIf(c -> {
            if (c.process.isAlive()) {
                return false;
            }
            depart(c);
            err.println("old server process " + c.index + " (pid " + c.process.pid() + ") exited with status "
                    + c.process.exitValue());
            return true;
        });
    }

    /** No wait after a child that ran a while; after the k-th quick exit in a row, FIRST_BACKOFF * 2^(k-1), at most MAX_BACKOFF. */
    static Duration backoff(int quickExits) {
        if (quickExits == 0) {
            return Duration.ZERO;
        }
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(quickExits - 1, 20));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /**
     * SIGHUP: a new generation beside the old one; once every new child is ready, the old ones get
     * SIGTERM and drain. If the new generation cannot get ready, it is stopped and the old one serves on.
     */
    private void reload() throws InterruptedException {
        err.println("reload: starting " + slots.length + " new server processes");
        List<Child> fresh = new ArrayList<>();
        boolean ready;
        try {
            for (Slot s : slots) {
                fresh.add(new Child(s.index, childBuilder()));
            }
            ready = awaitReady(fresh, "reload: new ");
        } catch (IOException e) {
            err.println("reload: cannot start a server process: " + e.getMessage());
            ready = false;
        }
        if (!ready) {
            fresh.forEach(c -> c.process.destroyForcibly());
            err.println("reload failed: the running server processes serve on");
            return;
        }
        List<Long> old = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            Child previous = slots[i].child;
            slots[i].child = fresh.get(i);
            slots[i].quickExits = 0;
            if (previous != null) {
                previous.process.toHandle().destroy(); // SIGTERM: it stops accepting and drains
                retiring.add(previous);
                old.add(previous.process.pid());
            }
        }
        err.println("reload: serving with pids " + fresh.stream().map(c -> String.valueOf(c.process.pid())).collect(Collectors.joining(","))
                + "; old pids " + old.stream().map(String::valueOf).collect(Collectors.joining(","))
                + " drain (at most " + Durations.format(drainTimeout) + ")");
    }

    /** The current and draining children's latest stats lines summed, plus what each accepted; empty before any. */
    private String aggregateStats() {
        List<Child> all = new ArrayList<>(retiring);
        for (Slot s : slots) {
            if (s.child != null) {
                all.add(s.child);
            }
        }
        if (all.stream().allMatch(c -> c.latest == null) && restarts == 0) {
            return "";
        }
        StatsLine now = StatsLine.ofProcesses(all.stream().map(c -> c.latest == null ? StatsLine.ZERO : c.latest).toList(), restarts);
        return new StatsLine(now.connections(), now.accepted() + departed.accepted(), now.waiting(), now.bytes() + departed.bytes(),
                now.rejected() + departed.rejected(), now.idleClosed() + departed.idleClosed(), now.pollsPerSecond(),
                now.acceptedPerProcess(), restarts).toString();
    }

    /** Keeps what an ended child had counted in the group's totals. */
    private void depart(Child c) {
        StatsLine last = c.latest;
        if (last != null) {
            departed = new StatsLine(0, departed.accepted() + last.accepted(), 0, departed.bytes() + last.bytes(),
                    departed.rejected() + last.rejected(), departed.idleClosed() + last.idleClosed(), OptionalLong.empty(), List.of());
        }
    }

    /**
     * SIGTERM to each child: each drains and exits 0. The wait is the drain timeout and a margin;
     * SIGINT or a second SIGTERM meanwhile passes a second SIGTERM on (the children stop at once)
     * and shortens the wait to the margin. SIGKILL for any child left after that.
     */
    private void stopChildren() {
        List<ProcessHandle> all = new ArrayList<>();
        retiring.forEach(c -> all.add(c.process.toHandle()));
        for (Slot s : slots) {
            if (s.child != null) {
                all.add(s.child.process.toHandle());
            }
        }
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + drainTimeout.plus(STOP_MARGIN).toNanos();
        boolean hurried = false;
        try {
            while (all.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() - deadline < 0) {
                if (!hurried && requests.stopNow().await(TICK_MS, TimeUnit.MILLISECONDS)) {
                    hurried = true;
                    all.forEach(ProcessHandle::destroy);
                    deadline = Math.min(deadline, System.nanoTime() + STOP_MARGIN.toNanos());
                } else if (hurried) {
                    Thread.sleep(TICK_MS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle h : all) {
            if (h.isAlive()) {
                h.destroyForcibly();
                err.println("server process (pid " + h.pid() + ") did not stop in time; killed it");
            }
        }
        Children.stopAll(STOP_MARGIN); // anything else this JVM started
    }

    /** One place in the group: its current child, and the crash-loop state that outlives each child. */
    private static final class Slot {
        final int index;
        Child child;
        int quickExits;
        long restartAt;
        /** The report's first half, completed with the new pid once the replacement starts. */
        String announce = "";

        Slot(int index) {
            this.index = index;
        }
    }

    /** One child process and what its stdout has told us so far. */
    private final class Child {
        final int index;
        final Process process;
        final long startedAt = System.nanoTime();
        final CountDownLatch ready = new CountDownLatch(1);
        volatile String details = "";
        /** The child's latest stats line, or null before its first. */
        volatile StatsLine latest;

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
