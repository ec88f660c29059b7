package dev.echolab.server;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.ServerLauncherIT.SERVER;
import static dev.echolab.server.ServerLauncherIT.reader;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Out of file descriptors: {@code bin/server} runs with an open-file limit of {@value #FD_LIMIT}
 * ({@code ulimit -n} in the child's shell) and {@code --max-connections} set far above it, so the
 * gate does not step in and {@code accept} really fails with EMFILE. Then, on every backend and
 * variant: existing connections keep working, the server does not spin, it says so once, and once
 * clients leave, new ones are served.
 *
 * <p>"Does not spin" is measured against the same server just below the limit: first the test
 * opens connections until only {@value #FREE_AT_BASELINE} descriptors are left and measures the
 * server's CPU (the model's own cost of that many connections: next to nothing for most backends,
 * about a quarter of a core for {@code nonblocking}, which polls every socket); then it pushes past
 * the limit and measures again. Only the difference is what failing accepts cost.
 *
 * <p>netty on io_uring passes only because {@code Transports} turns Netty's multishot accept off:
 * with it, Netty re-arms each failed accept at once and the loop spins (docs/reliability.md).
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class FdExhaustionIT {

    private static final int FD_LIMIT = 256;
    /** Descriptors left when the baseline is taken: at the limit the server holds at most this many more connections. */
    private static final int FREE_AT_BASELINE = 8;
    /** Clients beyond the limit: they wait in the listen backlog, and accept keeps failing. */
    private static final int BEYOND = 100;
    private static final int KEPT = 10;
    private static final int CLOSED = 100;
    /**
     * Each CPU measurement's length. /proc counts CPU in 10 ms ticks, so half a second reads a share
     * to two percent: fine enough for a bound of a quarter of a core against a spin that costs a
     * whole one.
     */
    private static final long CPU_WINDOW_MS = 500;
    /** Lets the aftermath of 240 connects (JIT, a stats line) pass before the baseline, which it would raise. */
    private static final long SETTLE_MS = 1_000;
    /**
     * What failing accepts may add to the server's CPU, as a share of one core. With the back-off
     * (ten accepts a second) the extra is a few percent; without it (retry at once) every variant
     * spins and adds a whole core or more, so the bound tells the two apart with room for a busy
     * machine.
     */
    private static final double MAX_EXTRA_CPU_SHARE = 0.25;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void runningOutOfDescriptorsIsSurvivedWithoutSpinning(ServerConfig config) throws Exception {
        EchoServers.assumeAvailable(config);
        Path stderr = Files.createTempFile("echolab-fd-", ".err");
        Process p = new ProcessBuilder(command(config)).redirectError(stderr.toFile()).start();
        List<Socket> clients = new ArrayList<>();
        try {
            int port = awaitReadyPort(reader(p));
            // Below the limit: each client is accepted and served before the next one connects.
            while (FD_LIMIT - openDescriptors(p) > FREE_AT_BASELINE && clients.size() < FD_LIMIT) {
                Socket s = connect(port);
                clients.add(s);
                roundTrip(s, "below the limit " + clients.size() + "\n");
            }
            int below = clients.size();
            Thread.sleep(SETTLE_MS);
            double cpuBelow = cpuShare(p, CPU_WINDOW_MS);
            // Past it: these wait in the backlog, and every accept fails.
            long pastLimit = System.nanoTime();
            for (int i = 0; i < BEYOND; i++) {
                clients.add(connect(port));
            }
            awaitSaid(stderr, "accept failed");
            double cpuAt = cpuShare(p, CPU_WINDOW_MS);
            String figures = String.format("%s: %.1f%% of a core with %d connections just below the fd limit, "
                    + "%.1f%% at it with %d more waiting", config.label(), cpuBelow * 100, below, cpuAt * 100, BEYOND);
            System.out.println(figures);
            assertTrue(cpuAt - cpuBelow < MAX_EXTRA_CPU_SHARE, "failing accepts cost more than "
                    + Math.round(MAX_EXTRA_CPU_SHARE * 100) + "% of a core: " + figures);
            for (int i = 0; i < KEPT; i++) {
                roundTrip(clients.get(i), "still served " + i + "\n");
            }
            for (int i = KEPT; i < KEPT + CLOSED; i++) {
                clients.get(i).close();
            }
            try (Socket fresh = connect(port)) {
                roundTrip(fresh, "served once descriptors are free\n");
            }
            assertSaidOnceWithoutStackTrace(Files.readString(stderr), System.nanoTime() - pastLimit);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
            p.toHandle().destroy();
            p.waitFor(10, TimeUnit.SECONDS);
            p.destroyForcibly();
            Files.delete(stderr);
        }
    }

    /**
     * {@code bash -c 'ulimit -n 256; exec bin/server ...'}, with {@code --max-connections} far above
     * what fits. The pool gets 400 threads here: with its default 200 the threads, not the
     * descriptors, would be what runs out first (its own lesson).
     */
    private static List<String> command(ServerConfig config) {
        ServerConfig c = config.withLimits(100_000, Duration.ZERO, 0);
        if (c.backend() == Backend.POOL) {
            c = c.withThreads(400);
        }
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "ulimit -n " + FD_LIMIT + " && exec \"$0\" \"$@\"",
                SERVER.toString()));
        cmd.addAll(c.toArguments());
        return cmd;
    }

    private static int awaitReadyPort(BufferedReader out) throws IOException {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            var ready = ReadyLine.parse(line);
            if (ready.isPresent()) {
                return ready.get().port();
            }
        }
        throw new IOException("the server exited before its ready line");
    }

    /** Descriptors the process has open now. */
    private static long openDescriptors(Process p) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc", String.valueOf(p.pid()), "fd"))) {
            return fds.count();
        }
    }

    /** The process's CPU time (user + system) over {@code ms}, as a share of one core. */
    private static double cpuShare(Process p, long ms) throws InterruptedException {
        Duration before = cpuTime(p);
        long start = System.nanoTime();
        Thread.sleep(ms);
        Duration used = cpuTime(p).minus(before);
        return used.toNanos() / (double) (System.nanoTime() - start);
    }

    private static Duration cpuTime(Process p) {
        return p.toHandle().info().totalCpuDuration()
                .orElseThrow(() -> new AssertionError("no CPU time for process " + p.pid()));
    }

    private static void awaitSaid(Path stderr, String what) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.readString(stderr).contains(what)) {
            assertTrue(System.nanoTime() < deadline, "the server did not say '" + what + "' within 20 s");
            Thread.sleep(50);
        }
    }

    /**
     * Said once, and again at most once per {@link Limits#ACCEPT_LOG_INTERVAL_NANOS}: each client
     * that leaves lets the server recover and fail again, and on a slow machine, where the closes
     * spread over several back-off periods, "once per failing spell" was up to six lines.
     */
    private static void assertSaidOnceWithoutStackTrace(String err, long nanosPastLimit) {
        long said = err.lines().filter(l -> l.contains("accept failed")).count();
        long allowed = 1 + nanosPastLimit / Limits.ACCEPT_LOG_INTERVAL_NANOS;
        assertTrue(said >= 1 && said <= allowed, "accept failures logged " + said + " times (at most " + allowed
                + "):\n" + err);
        assertFalse(err.lines().anyMatch(l -> l.matches("\\s+at .*")), "stack trace:\n" + err);
    }
}
