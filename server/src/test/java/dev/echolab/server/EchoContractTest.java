package dev.echolab.server;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.echolab.server.EchoServers.connect;
import static dev.echolab.server.EchoServers.echoConcurrently;
import static dev.echolab.server.EchoServers.oddSizes;
import static dev.echolab.server.EchoServers.random;
import static dev.echolab.server.EchoServers.readExactly;
import static dev.echolab.server.EchoServers.roundTrip;
import static dev.echolab.server.EchoServers.sizesOf;
import static dev.echolab.server.EchoServers.started;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The echo contract (docs/design.md, "The echo contract"), checked against every backend in the
 * registry with real sockets on 127.0.0.1. A backend joins this suite by being listed in
 * {@link Backend}; the variants that change the machinery rather than the model (multi-reactor nio,
 * each Netty transport) join it through {@link EchoServers#configs()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoContractTest {

    private static final int MiB = 1024 * 1024;

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void echoesOneLine(ServerConfig config) throws Exception {
        try (EchoServer server = started(config); Socket s = connect(server)) {
            byte[] line = "Thread-0 say hello 0\n".getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(line);
            assertArrayEquals(line, readExactly(s.getInputStream(), line.length));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void echoesOneMebibyteOfRandomBytesAcrossPartialReadsAndWrites(ServerConfig config) throws Exception {
        byte[] data = random(MiB, 1);
        try (EchoServer server = started(config); Socket s = connect(server)) {
            assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), false));
        }
    }

    /** Every byte value, in order, many times over: in odd-sized writes (partial reads), then in writes of one byte each. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void echoesEveryByteValueInOddSizedWritesAndInOneByteWrites(ServerConfig config) throws Exception {
        byte[] data = new byte[256 * 64];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        byte[] twice = Arrays.copyOf(data, 2 * 256);
        try (EchoServer server = started(config)) {
            try (Socket s = connect(server)) {
                assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), false), "odd-sized writes");
            }
            try (Socket s = connect(server)) {
                assertArrayEquals(twice, echoConcurrently(s, twice, sizesOf(1), false), "one-byte writes");
            }
        }
    }

    /** Uring also on its single-shot receive fallback: a receive per arrival, submitted again after each completion. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configsAndUringSingleShot")
    void returnsEverythingThenClosesAfterHalfClose(ServerConfig config, boolean uringSingleShot) throws Exception {
        byte[] data = random(8 * MiB, 2);
        try (EchoServer server = started(config, uringSingleShot); Socket s = connect(server)) {
            // Read until EOF: the server must send all 8 MiB and then close its side.
            assertArrayEquals(data, echoConcurrently(s, data, oddSizes(), true));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void serves200ConcurrentClientsWith50MessagesEach(ServerConfig config) throws Exception {
        int clients = 200;
        int messages = 50;
        try (EchoServer server = started(config);
             ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int id = i;
                results.add(pool.submit(() -> {
                    int verified = 0;
                    try (Socket s = connect(server)) {
                        for (int n = 0; n < messages; n++) {
                            byte[] msg = ("Thread-" + id + " say hello " + n + "\n").getBytes(StandardCharsets.UTF_8);
                            s.getOutputStream().write(msg);
                            byte[] echo = readExactly(s.getInputStream(), msg.length);
                            assertArrayEquals(msg, echo, "client " + id + " message " + n);
                            verified++;
                        }
                    }
                    return verified;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(50, TimeUnit.SECONDS);
            }
            assertEquals(clients * messages, total);
            assertEquals(clients, server.stats().accepted());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void closeReturnsOnlyOnceEveryThreadTheServerStartedHasEndedAndFreesThePort(ServerConfig config) throws Exception {
        // A first run creates what the JVM keeps for good (virtual-thread carriers and pollers,
        // Netty's global threads); threads alive after it are not the next server's.
        try (EchoServer warmup = started(config); Socket s = connect(warmup)) {
            roundTrip(s, "warm up\n");
        }
        Set<Thread> before = liveThreads();

        EchoServer server = started(config);
        int port = server.localAddress().getPort();
        List<Socket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                Socket s = connect(server);
                roundTrip(s, "hello " + i + "\n");
                clients.add(s);
            }
            List<Thread> serverThreads = newThreads(before);
            assertFalse(serverThreads.isEmpty() && config.backend() != Backend.VIRTUAL,
                    "the server runs on threads this test can see (the check below would see nothing otherwise)");
            server.close();
            // Checked at once (isAlive, nothing slower in between): design.md promises close()
            // returns when every thread the server started has ended; then any started meanwhile.
            List<String> alive = serverThreads.stream().filter(Thread::isAlive).map(Thread::getName).toList();
            assertTrue(alive.isEmpty(), "alive when close() returned: " + alive);
            alive = newThreads(before).stream().map(Thread::getName).sorted().toList();
            assertTrue(alive.isEmpty(), "alive after close() returned: " + alive);
            server.close(); // idempotent
            try (ServerSocket again = new ServerSocket()) {
                again.setReuseAddress(true);
                again.bind(new InetSocketAddress("127.0.0.1", port));
            }
        } finally {
            server.close();
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.echolab.server.EchoServers#configs")
    void aServerNeverStartedClosesQuietlyAndHasNoAddress(ServerConfig config) {
        EchoServers.assumeAvailable(config);
        EchoServer server = EchoServer.create(config);
        assertEquals("not started", assertThrows(IllegalStateException.class, server::localAddress).getMessage());
        server.close();
        server.close();
        assertEquals(0, server.stats().accepted());
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Live platform threads now, without the process-wide ones that come and go on their own: the
     * JDK's virtual-thread carriers (one per CPU while virtual threads are busy, idle ones kept for a
     * while), its own internal threads (the virtual threads' pollers, started on first use) and Netty's {@code GlobalEventExecutor} thread (started on demand by Netty's internals,
     * ended after a second with nothing to do).
     */
    static Set<Thread> liveThreads() {
        Set<Thread> live = new HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String type = t.getClass().getName();
            if (!type.equals("jdk.internal.misc.CarrierThread") && !type.equals("jdk.internal.misc.InnocuousThread")
                    && !t.getName().startsWith("globalEventExecutor-")) {
                live.add(t);
            }
        }
        return live;
    }

    /** Threads alive now that were not in {@code before}. */
    static List<Thread> newThreads(Set<Thread> before) {
        return liveThreads().stream().filter(t -> !before.contains(t) && t.isAlive()).toList();
    }
}
