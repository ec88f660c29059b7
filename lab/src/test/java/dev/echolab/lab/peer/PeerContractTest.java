package dev.echolab.lab.peer;

import dev.echolab.lab.run.ServerProcess;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

import com.sun.management.UnixOperatingSystemMXBean;

import dev.echolab.server.ReadyLine;

import static dev.echolab.server.EchoServers.assertSlowReaderHeldWithin;
import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.echoConcurrently;
import static dev.echolab.server.EchoServers.oddSizes;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.readExactly;
import static dev.echolab.server.EchoServers.resetClients;
import static dev.echolab.server.EchoServers.roundTrip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every peer in {@code peers/} keeps the echo contract (docs/design.md) and the command-line
 * contract the lab relies on, checked with the client side of the backends' own suite
 * ({@code EchoServers}) against the real program, built as the lab builds it. A peer whose
 * toolchain this machine lacks is skipped with the reason ("skipped: go not installed ...").
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PeerContractTest {

    private static final int MiB = 1024 * 1024;
    private static final Path PROC = Path.of("/proc");
    /** select's limit: the bits in an fd_set. */
    private static final int FD_SETSIZE = 1024;
    /** The repository: the tests run in lab/. */
    private static final Path HOME = Path.of("").toAbsolutePath().getParent();

    @TempDir
    static Path builds;
    private static final Map<Peer, List<String>> BUILT = new EnumMap<>(Peer.class);

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void echoesEveryByteToSeveralClientsAndClosesAfterHalfClose(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none")) {
            holdsTheEchoContract(server);
        }
    }

    /** Byte-exact in odd-sized writes, everything back before the close after a half-close, 20 clients at once, exit 0 on SIGTERM. */
    private static void holdsTheEchoContract(ServerProcess server) throws Exception {
        int port = server.port();
        try (Socket s = connect(port)) {
            roundTrip(s, "Thread-0 say hello 0\n");
        }
        byte[] data = random(MiB, 1);
        try (Socket s = connect(port)) {
            assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), false), "1 MiB in odd-sized writes");
        }
        byte[] last = random(MiB, 2);
        try (Socket s = connect(port)) {
            // Read to the peer's end-of-file: it must send everything back, then close.
            assertArrayEquals(last, echoConcurrently(s, last, oddSizes(), true), "1 MiB, then a half-close");
        }
        assertEquals(20 * 20, concurrentClients(port, 20, 20));
        assertEquals(0, server.stop(Duration.ofSeconds(10)), "exit status after SIGTERM");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void sleepsItsIoWorkBeforeEachEcho(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "io:50ms"); Socket s = connect(server.port())) {
            assertTrue(server.lastLines().stream().anyMatch(l -> l.contains("backend=" + peer.id()) && l.endsWith("work=io:50ms")),
                    "ready line: " + server.lastLines());
            long start = System.nanoTime();
            roundTrip(s, "slow\n");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms >= 50, "an echo with --work io:50ms came back after " + ms + " ms"); // a lower bound: no machine is too fast
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void refusesBadUsageInOneLineWithExitTwo(Peer peer) throws Exception {
        List<String> command = new ArrayList<>(built(peer));
        command.addAll(List.of("--work", "sleep"));
        Process p = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, p.exitValue(), err);
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("'sleep' is not a work spec"), err);
    }

    /** A port another socket holds: one line saying so, exit 1, as the backends (design.md section 3). */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void refusesATakenPortInOneLineWithExitOne(Peer peer) throws Exception {
        List<String> command = new ArrayList<>(built(peer));
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            command.addAll(List.of("--port", Integer.toString(taken.getLocalPort())));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "still running on a taken port: " + out);
            assertEquals(1, p.exitValue(), out);
            assertEquals(1, out.lines().count(), out);
        }
    }

    /** SIGINT stops a peer as SIGTERM does: exit 0 within 5 s. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void exitsZeroOnSigint(Peer peer) throws Exception {
        // env restores SIGINT's default action, which a test run started in the background by a
        // non-interactive shell inherits ignored (Python, for one, then leaves it ignored).
        try (ServerProcess server = start(List.of("env", "--default-signal=INT"), peer, "none");
             Socket s = connect(server.port())) {
            roundTrip(s, "before the signal\n");
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (server.isAlive() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            assertTrue(!server.isAlive(), "alive 5 s after SIGINT: " + server.lastLines());
            assertEquals(0, server.stop(Duration.ofSeconds(1)), "exit status after SIGINT: " + server.lastLines());
        }
    }

    /**
     * {@code --work cpu:D} spins for D per message: each echo takes D at least, and the peer's
     * process spends CPU for it. A spinning thread on a busy machine gets a share of a core, not a
     * whole one, so the CPU asked is a quarter of what was spun; {@code io:D} (a sleep) spends next
     * to none, which {@link #sleepsItsIoWorkBeforeEachEcho} shows for the same peers.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void spinsItsCpuWorkBeforeEachEcho(Peer peer) throws Exception {
        int messages = 4;
        long workMs = 50;
        try (ServerProcess server = start(peer, "cpu:" + workMs + "ms"); Socket s = connect(server.port())) {
            roundTrip(s, "warm\n");
            long cpuBefore = cpuMillis(server.pid()); // with the fork peers' child for this connection
            long start = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                roundTrip(s, "spin " + i + "\n");
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            long cpu = cpuMillis(server.pid()) - cpuBefore;
            assertTrue(ms >= messages * workMs, messages + " echoes with --work cpu:" + workMs + "ms came back after " + ms + " ms");
            assertTrue(cpu >= messages * workMs / 4, "the peer spent " + cpu + " ms of CPU on " + messages + " echoes of cpu:"
                    + workMs + "ms (" + ms + " ms of wall time)");
        }
    }

    /**
     * User and system CPU of {@code pid}, its ended and waited-for children and its running ones
     * (a fork peer's child per connection), from /proc, in clock ticks of 10 ms.
     */
    private static long cpuMillis(long pid) {
        String stat = stat(pid);
        assertTrue(stat != null, "no /proc/" + pid + "/stat");
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // fields 14-17 of stat(5), counted from the state (field 3) here: utime, stime, cutime, cstime
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
        long children = 0;
        for (long child : children(pid)) {
            String c = stat(child);
            if (c != null) {
                String[] g = c.substring(c.lastIndexOf(')') + 2).split(" ");
                children += Long.parseLong(g[11]) + Long.parseLong(g[12]);
            }
        }
        return (ticks + children) * 10;
    }

    /** A client reset in the middle of a stream ends that connection only: another is served before and after. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void aClientResetMidStreamEndsOnlyThatConnection(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none"); Socket bystander = connect(server.port())) {
            roundTrip(bystander, "before\n");
            resetClients(server.port(), 10, 10);
            roundTrip(bystander, "still here\n");
            try (Socket next = connect(server.port())) {
                roundTrip(next, "next client\n");
            }
            assertTrue(server.isAlive(), "the peer ended: " + server.lastLines());
        }
    }

    /**
     * A client that writes 64 MiB and reads nothing: the peer stops reading it (io-models.md: the
     * event-loop peers hold at most one read's bytes, the others block in write), so the writer
     * stalls with what the kernel queues on the two sockets plus what the peer holds, which must be
     * within {@link #holds}; then every byte comes back, in order.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Peer.class)
    void aClientThatDoesNotReadIsHeldToOneReadAndLosesNothing(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none"); Socket s = connect(server.port())) {
            // 64 MiB, as for the backends: more than the kernel queues on a loopback connection, whose
            // receive buffer grows while the peer still reads, up to tcp_rmem's largest (32 MiB on
            // this machine kind)
            assertSlowReaderHeldWithin(peer.id(), holds(peer), s, random(64 * MiB, 3), 0);
        }
    }

    /**
     * What a peer may hold of a client that does not read: one read of at most 64 KiB (c-epoll's
     * buffer, the threads', Go's and gevent's reads), and the last write in flight. asyncio's
     * streams hold more by design: the reader pauses its transport only above twice its 64 KiB
     * limit, the read that crosses that takes up to 256 KiB (the transport's recv size), and
     * {@code drain} waits only above the write buffer's 64 KiB high-water mark, with the peer's
     * 16 KiB chunk in hand.
     */
    private static long holds(Peer peer) {
        long oneRead = 64 * 1024 + dev.echolab.server.EchoServers.STALL_WRITE;
        return peer == Peer.PY_ASYNCIO ? 2 * 64 * 1024 + 256 * 1024 + 64 * 1024 + 16 * 1024 + dev.echolab.server.EchoServers.STALL_WRITE
                : oneRead;
    }

    /**
     * select cannot watch a descriptor numbered FD_SETSIZE (1,024) or more: c-select refuses such a
     * connection with one line on stderr and closes it, and keeps serving the ones it holds; a
     * descriptor freed below the limit serves a new client again. The peer inherits this JVM's
     * open-file limit (which the JVM raises to the hard limit), so it can reach descriptor 1,024.
     */
    @Test
    void selectRefusesADescriptorPastFdSetSizeInOneLineAndKeepsServingTheOthers() throws Exception {
        long limit = ((UnixOperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getMaxFileDescriptorCount();
        Assumptions.assumeTrue(limit > 2 * (FD_SETSIZE + 100), () -> "skipped: an open-file limit of " + limit
                + " is too low to reach descriptor " + FD_SETSIZE + " (ulimit -n)");
        try (ServerProcess server = start(Peer.C_SELECT, "none"); Clients clients = new Clients()) {
            Socket refused = null;
            while (refused == null && clients.size() < FD_SETSIZE + 100) {
                Socket s = connect(server.port());
                clients.add(s);
                refused = echoes(s, "client " + clients.size() + "\n") ? null : s;
            }
            assertTrue(refused != null, "all " + clients.size() + " connections were served");
            int served = clients.size() - 1;
            // 0, 1 and 2 are stdin, stdout and stderr, 3 the listener: 1,020 connections fit below the limit
            assertTrue(served > FD_SETSIZE - 10 && served < FD_SETSIZE, served + " connections served before the refusal");
            String line = awaitLine(server, l -> l.startsWith("c-select: connection refused"));
            assertTrue(line.contains("descriptor " + FD_SETSIZE + " is past select's limit (FD_SETSIZE " + FD_SETSIZE + ")"), line);
            roundTrip(clients.getFirst(), "the first still echoes\n");
            roundTrip(clients.get(served - 1), "the last served still echoes\n");

            clients.removeFirst().close(); // frees a descriptor below the limit, which the next accept takes
            try (Socket again = connect(server.port())) {
                roundTrip(again, "a descriptor below the limit again\n");
            }
            assertTrue(server.isAlive(), "c-select died: " + server.lastLines());
            assertEquals(1, server.lastLines().stream().filter(l -> l.startsWith("c-select:")).count(), "one line: " + server.lastLines());
            assertEquals(0, server.stop(Duration.ofSeconds(10)), "exit status after SIGTERM");
        }
    }

    /**
     * A process per connection: one child for each open connection, reaped once its client has
     * gone (no zombie left), and none left once the server has exited on SIGTERM: the parent
     * stops and waits for them before it exits.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Peer.class, names = {"C_FORK", "PY_FORK"})
    void forksAChildPerConnectionReapsItAndLeavesNoneAfterSigterm(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none"); Clients clients = new Clients()) {
            for (int i = 0; i < 4; i++) {
                clients.add(connect(server.port()));
                roundTrip(clients.getLast(), "Thread-" + i + " say hello 0\n");
            }
            List<Long> children = children(server.pid());
            assertEquals(4, children.size(), "children with 4 connections open: " + children);
            clients.removeFirst().close();
            clients.removeFirst().close();
            assertTrue(await(() -> children(server.pid()).size() == 2),
                    "2 clients gone, and the server's children (zombies included) are still " + children(server.pid()));
            roundTrip(clients.getFirst(), "the others still echo\n");
            assertEquals(0, server.stop(Duration.ofSeconds(10)), "exit status after SIGTERM");
            // gone, not even a zombie: the server waited for each of them before it exited
            List<Long> left = children.stream().filter(pid -> stat(pid) != null).toList();
            assertEquals(List.of(), left, "children left after the server exited");
        }
    }

    /** The server killed outright (SIGKILL: no handler runs): each child asked the kernel for SIGTERM when its parent dies. */
    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Peer.class, names = {"C_FORK", "PY_FORK"})
    void itsChildrenDieWithAServerKilledOutright(Peer peer) throws Exception {
        try (ServerProcess server = start(peer, "none"); Socket a = connect(server.port()); Socket b = connect(server.port())) {
            roundTrip(a, "a\n");
            roundTrip(b, "b\n");
            List<Long> children = children(server.pid());
            assertEquals(2, children.size(), "children: " + children);
            ProcessHandle.of(server.pid()).orElseThrow().destroyForcibly();
            assertTrue(await(() -> children.stream().noneMatch(PeerContractTest::running)),
                    "children still running 10 s after their parent was killed: " + children.stream().filter(PeerContractTest::running).toList());
        }
    }

    /**
     * gevent-chapter --as-printed-serial is the printed servers(), which calls talk(conn) instead
     * of spawning it: by design not an echo server for concurrent clients, so instead of the echo
     * contract's concurrent clients, what it does: a second client is not answered while the first
     * is connected, and is answered once the first has gone.
     */
    @Test
    void theChaptersPrintedServerAnswersASecondClientOnlyOnceTheFirstHasGone() throws Exception {
        try (ServerProcess server = start(Peer.GEVENT_CHAPTER, "none", "--as-printed-serial")) {
            assertTrue(server.lastLines().stream().anyMatch(l -> l.contains("backend=gevent-chapter") && l.contains("as-printed-serial")),
                    "ready line: " + server.lastLines());
            byte[] hello = "Thread-1 say hello 0\n".getBytes(StandardCharsets.UTF_8);
            try (Socket first = connect(server.port()); Socket second = connect(server.port())) {
                roundTrip(first, "Thread-0 say hello 0\n");
                second.getOutputStream().write(hello);
                second.setSoTimeout(1_000);
                assertThrows(SocketTimeoutException.class, () -> second.getInputStream().read(),
                        "the second client was answered while the first was still connected");
                roundTrip(first, "Thread-0 say hello 1\n");
                first.close();
                second.setSoTimeout(20_000);
                assertArrayEquals(hello, readExactly(second.getInputStream(), hello.length), "the second client, once the first has gone");
            }
            assertEquals(0, server.stop(Duration.ofSeconds(10)), "exit status after SIGTERM");
        }
    }

    /**
     * gevent-chapter --no-monkey-patch keeps the echo contract (its sockets are gevent's), but its
     * --work io:D is the standard time.sleep, which holds the one thread: N clients' messages take
     * N sleeps one after the other, where the patched server overlaps them (the baseline, measured here).
     */
    @Test
    void withoutTheMonkeyPatchTheChaptersServerEchoesButItsIoWorkBlocksTheLoop() throws Exception {
        try (ServerProcess server = start(Peer.GEVENT_CHAPTER, "none", "--no-monkey-patch")) {
            assertTrue(server.lastLines().stream().anyMatch(l -> l.contains("backend=gevent-chapter") && l.contains("no-monkey-patch")),
                    "ready line: " + server.lastLines());
            holdsTheEchoContract(server);
        }
        int clients = 5;
        long sleepMs = 200;
        long unpatched;
        long patched;
        try (ServerProcess server = start(Peer.GEVENT_CHAPTER, "io:" + sleepMs + "ms", "--no-monkey-patch")) {
            unpatched = oneMessageEachAtOnce(server.port(), clients);
        }
        try (ServerProcess server = start(Peer.GEVENT_CHAPTER, "io:" + sleepMs + "ms")) {
            patched = oneMessageEachAtOnce(server.port(), clients);
        }
        assertTrue(unpatched >= clients * sleepMs, clients + " messages at once took " + unpatched + " ms: not one sleep after another");
        assertTrue(patched <= unpatched - 2 * sleepMs, "patched " + patched + " ms, unpatched " + unpatched + " ms: the patched server did not overlap its sleeps");
    }

    /** One message from each of {@code clients} connections at once; milliseconds until the last echo is back. */
    private static long oneMessageEachAtOnce(int port, int clients) throws Exception {
        try (Clients sockets = new Clients(); ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            for (int i = 0; i < clients; i++) {
                sockets.add(connect(port));
                roundTrip(sockets.getLast(), "warm-up " + i + "\n"); // accepted and served once before the clock starts
            }
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                Socket s = sockets.get(i);
                String text = "Thread-" + i + " say hello 1\n";
                done.add(pool.submit(() -> {
                    go.await();
                    roundTrip(s, text);
                    return null;
                }));
            }
            long start = System.nanoTime();
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            return (System.nanoTime() - start) / 1_000_000;
        }
    }

    /** Client sockets, all closed at the end of a try. */
    private static final class Clients extends ArrayList<Socket> implements AutoCloseable {
        @Override
        public void close() throws IOException {
            for (Socket s : this) {
                s.close();
            }
        }
    }

    /** True if {@code text} came back; false if the server closed or reset the connection instead. */
    private static boolean echoes(Socket s, String text) throws IOException {
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        try {
            s.getOutputStream().write(msg);
            assertArrayEquals(msg, readExactly(s.getInputStream(), msg.length));
            return true;
        } catch (SocketException | EOFException e) {
            return false;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("EOF after")) {
                return false; // readExactly's end of stream
            }
            throw e;
        }
    }

    /** The first of the server's output lines that matches, waiting up to 10 s for it. */
    private static String awaitLine(ServerProcess server, Predicate<String> match) throws InterruptedException {
        assertTrue(await(() -> server.lastLines().stream().anyMatch(match)), "no such line in " + server.lastLines());
        return server.lastLines().stream().filter(match).findFirst().orElseThrow();
    }

    /** Polls {@code condition} every 20 ms for up to 10 s. */
    private static boolean await(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The processes whose parent is {@code pid}, zombies (ended but not waited for) included. */
    private static List<Long> children(long pid) {
        try (Stream<Path> all = Files.list(PROC)) {
            return all.map(p -> p.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong).filter(p -> parentOf(p) == pid).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Alive and not a zombie. */
    private static boolean running(long pid) {
        String stat = stat(pid);
        return stat != null && stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
    }

    private static long parentOf(long pid) {
        String stat = stat(pid);
        return stat == null ? -1 : Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
    }

    private static String stat(long pid) {
        try {
            return Files.readString(PROC.resolve(pid + "/stat"));
        } catch (IOException e) {
            return null; // gone
        }
    }

    /** {@code clients} connections at once, each {@code messages} round trips; returns the verified echoes. */
    private static int concurrentClients(int port, int clients, int messages) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    try (Socket s = connect(port)) {
                        for (int n = 0; n < messages; n++) {
                            roundTrip(s, "Thread-" + id + " say hello " + n + "\n");
                        }
                    }
                    return messages;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            return total;
        }
    }

    private static ServerProcess start(Peer peer, String work, String... options) throws Exception {
        return start(List.of(), peer, work, options);
    }

    /** The peer, its command put after {@code prefix} (which must exec it, so the pid is the peer's). */
    private static ServerProcess start(List<String> prefix, Peer peer, String work, String... options) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        command.addAll(built(peer));
        command.addAll(List.of("--port", "0", "--work", work));
        command.addAll(List.of(options));
        return ServerProcess.start(command, line -> ReadyLine.parse(line).map(ReadyLine::port), Duration.ofSeconds(30));
    }

    /** The peer as the lab builds it, once per class; skipped when this machine lacks its toolchain, failed when it does not build. */
    private static synchronized List<String> built(Peer peer) {
        Toolchain toolchain = Toolchain.system();
        String missing = toolchain.missing(peer.tool()).orElse(null);
        Assumptions.assumeTrue(missing == null, () -> "skipped: " + missing);
        return BUILT.computeIfAbsent(peer, p -> {
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            return p.prepare(HOME, builds, toolchain, new PrintStream(log, true, StandardCharsets.UTF_8))
                    .orElseThrow(() -> new AssertionError(log.toString(StandardCharsets.UTF_8)));
        });
    }
}
