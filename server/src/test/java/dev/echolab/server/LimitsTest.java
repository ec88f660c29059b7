package dev.echolab.server;

import dev.echolab.common.Descriptors;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --max-connections} and {@code --idle-timeout} on every backend and variant of
 * {@link EchoServers#configs()}: the same policy ({@link Limits}), seven ways of applying it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest {

    private static final int CAP = 5;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void closesConnectionsBeyondTheCapAndAdmitsAgainOnceOneCloses(ServerConfig config) throws Exception {
        List<Socket> admitted = new ArrayList<>();
        try (EchoServer server = started(config.withLimits(CAP, Duration.ZERO, 0))) {
            for (int i = 0; i < CAP; i++) {
                Socket s = connect(server);
                roundTrip(s, "admitted " + i + "\n");
                admitted.add(s);
            }
            try (Socket extra = connect(server)) { // the kernel completes the handshake; the server closes it
                assertClosedByServer(extra);
            }
            assertEquals(1, server.stats().rejected(), "rejected");
            assertEquals(CAP, server.stats().open(), "open");
            admitted.removeFirst().close();
            awaitTrue(() -> server.stats().open() < CAP, "the closed connection is counted");
            try (Socket next = connect(server)) {
                roundTrip(next, "admitted again\n");
            }
            for (Socket s : admitted) {
                roundTrip(s, "still served\n");
            }
        } finally {
            for (Socket s : admitted) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void closesAnIdleConnectionWithinItsTimeoutWindowButNotAnActiveOne(ServerConfig config) throws Exception {
        Duration timeout = Duration.ofMillis(400);
        try (EchoServer server = started(config.withLimits(0, timeout, 0));
             Socket idle = connect(server); Socket active = connect(server);
             ExecutorService watcher = Executors.newSingleThreadExecutor()) {
            long beforeLast = System.nanoTime();
            roundTrip(idle, "then silence\n");
            long afterLast = System.nanoTime();
            Future<Long> closedAt = watcher.submit(() -> {
                assertClosedByServer(idle);
                return System.nanoTime();
            });
            // 1.2 s of traffic, every gap (the 100 ms sleep and a round trip) well under the timeout.
            for (int i = 0; i < 12; i++) {
                roundTrip(active, "message " + i + "\n");
                Thread.sleep(100);
            }
            long closed = closedAt.get(10, TimeUnit.SECONDS);
            // The window reliability.md states: silent for the timeout, closed by the next sweep
            // (a quarter of the timeout; aio's read timeout and netty's IdleStateHandler are exact).
            // Never early: the server's last read was after beforeLast. Late by at most a sweep, plus
            // half the timeout for a busy machine's scheduling.
            long earliest = TimeUnit.NANOSECONDS.toMillis(closed - beforeLast);
            long latest = TimeUnit.NANOSECONDS.toMillis(closed - afterLast);
            long sweep = timeout.toMillis() / 4;
            assertTrue(earliest >= timeout.toMillis(),
                    "idle connection closed " + earliest + " ms after its last message, timeout " + timeout.toMillis() + " ms");
            assertTrue(latest <= timeout.toMillis() + sweep + timeout.toMillis() / 2,
                    "idle connection closed " + latest + " ms after its last message, timeout " + timeout.toMillis()
                            + " ms, sweep " + sweep + " ms");
            roundTrip(active, "still here\n");
            assertEquals(1, server.stats().idleClosed(), "idle-closed");
        }
    }

    /** The event-loop backends and variants: the ones README.md says stop reading over the budget. */
    static Stream<Named<ServerConfig>> eventLoopConfigs() {
        Set<Backend> eventLoops = EnumSet.of(Backend.NONBLOCKING, Backend.NIO, Backend.AIO, Backend.URING, Backend.NETTY);
        return EchoServers.configs().stream().filter(n -> eventLoops.contains(n.getPayload().backend()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eventLoopConfigs")
    void theGlobalBufferBudgetBoundsWhatAllSlowReadersTogetherHoldAndEveryByteStillComesBack(ServerConfig config)
            throws Exception {
        // Eight clients that do not read: on their own each may hold its per-connection bound
        // (EchoServers.unsentPromise), eight of them several times the budget. Over the budget no
        // connection is read, so together they hold the budget plus the reads in progress when it
        // was crossed: at most one connection's bound per thread of the backend (netty reads up to
        // 16 times per turn before it looks again; uring's multishot receives, each limited to its
        // connection's room, are in flight on every connection when the budget is crossed, and its
        // one thread counts for all of them).
        int clients = 8;
        long budget = 64 * 1024;
        byte[] data = EchoServers.random(24 * 1024 * 1024, 31);
        try (EchoServer server = started(config.withLimits(0, Duration.ZERO, budget));
             ExecutorService readers = Executors.newFixedThreadPool(clients)) {
            List<Socket> sockets = new ArrayList<>();
            List<Thread> writers = new ArrayList<>();
            AtomicLong written = new AtomicLong();
            try {
                for (int i = 0; i < clients; i++) {
                    Socket s = connect(server);
                    sockets.add(s);
                    writers.add(EchoServers.writeWithoutReading(s, data, written));
                }
                EchoServers.awaitStall(written, EchoServers.STALL_QUIET_MS);
                long queued = 0;
                for (Socket s : sockets) {
                    queued += EchoServers.kernelQueued(s);
                }
                long held = written.get() - queued;
                long bound = budget + (config.backend() == Backend.URING ? clients : config.effectiveThreads())
                        * EchoServers.unsentPromise(config);
                assertTrue(held <= bound, config.label() + ": " + clients + " slow readers hold " + held / 1024
                        + " KiB together, budget " + budget / 1024 + " KiB, bound " + bound / 1024 + " KiB");
                // All read at once: the budget is shared, so one client reading alone waits for the
                // others' unsent bytes, which only their reading drains.
                List<Future<byte[]>> echoes = new ArrayList<>();
                for (Socket s : sockets) {
                    echoes.add(readers.submit(() -> EchoServers.readExactly(s.getInputStream(), data.length)));
                }
                for (Future<byte[]> echo : echoes) {
                    assertArrayEquals(data, echo.get(60, TimeUnit.SECONDS));
                }
                for (Thread w : writers) {
                    w.join(10_000);
                }
            } finally {
                for (Socket s : sockets) {
                    s.close();
                }
            }
        }
    }

    @Test
    void theDefaultCapFitsTheOpenFileLimitAndAnImpossibleOneIsSaidPlainly() {
        long limit = Descriptors.softLimit().orElseThrow();
        int cap = ServerConfig.defaultMaxConnections();
        assertTrue(cap > 0 && cap <= limit - Descriptors.JVM_HEADROOM, "default cap " + cap + " for limit " + limit);
        assertNull(ServerConfig.fitWarning(cap));
        String warning = ServerConfig.fitWarning((int) Math.min(Integer.MAX_VALUE, limit + 1));
        assertNotNull(warning);
        assertFalse(warning.contains("\n"), "one line: " + warning);
        assertTrue(warning.contains("cannot fit"), warning);
    }

    @Test
    void theBufferBudgetIsSpentAndGivenBack() {
        Limits limits = new Limits(ServerConfig.loopback(Backend.NIO).withLimits(0, Duration.ZERO, 1_000), new ServerStats());
        limits.reserve(999);
        assertFalse(limits.overBudget());
        limits.reserve(1);
        assertTrue(limits.overBudget());
        limits.release(1_000);
        assertFalse(limits.overBudget());
        assertEquals(0, limits.buffered());
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * The server closed it: a read returns end-of-file or a reset, and soon. Closes by the gate come
     * at once and by the idle timeouts used here (400, 500 ms) within about that long; the bound
     * leaves room for a busy machine.
     */
    static void assertClosedByServer(Socket s) throws IOException {
        s.setSoTimeout(5_000);
        try {
            assertEquals(-1, s.getInputStream().read(), "end of file");
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection within 5 s", e);
        } catch (SocketException reset) {
            // The server closed with unread data or SO_LINGER 0: a reset, closed either way. Any
            // other failure is not the server closing.
            assertTrue(String.valueOf(reset.getMessage()).contains("reset"), "not a reset: " + reset);
        }
    }

    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not within 5 s: " + what);
            Thread.sleep(10);
        }
    }
}
