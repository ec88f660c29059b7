package dev.echolab.server;

import dev.echolab.server.netty.NettyEchoServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fixture every server test shares (as Netty's testsuite shares {@code SocketTestPermutation}):
 * which servers to run ({@link #configs()}), and the client side of a test, with real sockets on
 * 127.0.0.1. The client side is public: the lab's test of the peers (servers in other processes and
 * languages) checks the same contract with it.
 */
public final class EchoServers {

    private EchoServers() {
    }

    /**
     * Every backend with its defaults, then the variants: {@code nio --threads 2} (acceptor plus
     * reactors, a different code path from the single reactor) and netty on every transport this
     * machine can run (plain {@code netty} above is {@code auto}, i.e. one of them again; a
     * transport the machine lacks is left out, and its own test says so).
     */
    static List<Named<ServerConfig>> configs() {
        List<ServerConfig> all = new ArrayList<>();
        for (Backend b : Backend.values()) {
            all.add(ServerConfig.loopback(b));
        }
        all.add(ServerConfig.loopback(Backend.NIO).withThreads(2));
        for (Transport t : NettyEchoServer.availableTransports()) {
            all.add(ServerConfig.loopback(Backend.NETTY).withTransport(t));
        }
        return all.stream().map(c -> Named.of(c.label(), c)).toList();
    }

    /** Forces the uring backend onto its single-shot receive fallback (kernels before 6.0 lack multishot). */
    private static final String URING_SINGLE_SHOT = "echolab.uring.singleshot";

    /**
     * {@link #configs()}, each with {@code false}, then uring once more with {@code true}: on its
     * single-shot receive fallback, which this kernel would not choose by itself. For the cases
     * that hinge on how a backend receives (a half-close, a client that does not read); start the
     * server with {@link #started(ServerConfig, boolean)}.
     */
    static List<Arguments> configsAndUringSingleShot() {
        List<Arguments> all = new ArrayList<>();
        for (Named<ServerConfig> config : configs()) {
            all.add(Arguments.of(config, false));
        }
        ServerConfig uring = ServerConfig.loopback(Backend.URING);
        all.add(Arguments.of(Named.of(uring.label() + " (single-shot receive)", uring), true));
        return all;
    }

    /** {@link #started(ServerConfig)}, on uring's single-shot receive fallback if {@code uringSingleShot}. */
    static EchoServer started(ServerConfig config, boolean uringSingleShot) throws IOException {
        if (!uringSingleShot) {
            return started(config);
        }
        System.setProperty(URING_SINGLE_SHOT, "true"); // read once, when the server binds
        try {
            return started(config);
        } finally {
            System.clearProperty(URING_SINGLE_SHOT);
        }
    }

    /**
     * Started, or the test skipped with "skipped: uring not available" where the backend's registry
     * entry says this machine cannot run it (a kernel, sysctl or seccomp filter that denies
     * io_uring): that is the machine, not a failure of the backend.
     */
    static EchoServer started(ServerConfig config) throws IOException {
        assumeAvailable(config);
        EchoServer server = EchoServer.create(config);
        server.start();
        return server;
    }

    static void assumeAvailable(ServerConfig config) {
        String why = config.backend().unavailability();
        Assumptions.assumeTrue(why == null, () -> "skipped: " + config.backend().id() + " not available (" + why + ")");
    }

    static Socket connect(EchoServer server) throws IOException {
        return connect(server.localAddress().getPort());
    }

    /** A client on 127.0.0.1:{@code port}: no Nagle delay, 5 s to connect, 20 s for any read. */
    public static Socket connect(int port) throws IOException {
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    public static void roundTrip(Socket s, String text) throws IOException {
        byte[] msg = text.getBytes(StandardCharsets.UTF_8);
        s.getOutputStream().write(msg);
        assertArrayEquals(msg, readExactly(s.getInputStream(), msg.length));
    }

    public static byte[] readExactly(InputStream in, int n) throws IOException {
        byte[] buf = new byte[n];
        int done = 0;
        while (done < n) {
            int r = in.read(buf, done, n - done);
            if (r < 0) {
                throw new IOException("EOF after " + done + " of " + n + " bytes");
            }
            done += r;
        }
        return buf;
    }

    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Write sizes of 1 to 100,000 bytes, the same odd sequence every time: partial reads on purpose. */
    public static IntSupplier oddSizes() {
        Random sizes = new Random(42);
        return () -> 1 + sizes.nextInt(100_000);
    }

    /** Writes of exactly {@code n} bytes (the last one shorter). */
    static IntSupplier sizesOf(int n) {
        return () -> n;
    }

    /**
     * Writes {@code data} on another thread in writes of {@code sizes} while this one reads the echo
     * back; with {@code halfClose} the writer then shuts its output and the echo is read to the
     * server's end-of-file (so the server must send everything pending, then close).
     */
    public static byte[] echoConcurrently(Socket s, byte[] data, IntSupplier sizes, boolean halfClose) throws Exception {
        try (ExecutorService writer = Executors.newSingleThreadExecutor()) {
            Future<?> done = writer.submit(() -> {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; ) {
                    int n = Math.min(data.length - off, sizes.getAsInt());
                    out.write(data, off, n);
                    off += n;
                }
                if (halfClose) {
                    s.shutdownOutput();
                }
                return null;
            });
            byte[] echo;
            if (halfClose) {
                ByteArrayOutputStream all = new ByteArrayOutputStream(data.length);
                s.getInputStream().transferTo(all); // returns at the server's FIN
                echo = all.toByteArray();
            } else {
                echo = readExactly(s.getInputStream(), data.length);
            }
            done.get(30, TimeUnit.SECONDS);
            return echo;
        }
    }

    /**
     * {@code count} clients that each write and then close with a reset (SO_LINGER 0), their echo
     * unread: the first {@code midStream} of them in the middle of a stream (256 KiB, more than one
     * read), the rest after 4 KiB.
     */
    public static void resetClients(int port, int count, int midStream) throws IOException {
        byte[] small = random(4096, 11);
        for (int i = 0; i < count; i++) {
            Socket rude = connect(port);
            rude.getOutputStream().write(i < midStream ? random(256 * 1024, i) : small);
            rude.setSoLinger(true, 0); // close with RST, echo unread
            rude.close();
        }
    }

    /** The writes of {@link #writeWithoutReading}: what the kernel took is known to this many bytes. */
    public static final int STALL_WRITE = 4 * 1024;

    /**
     * A client that writes {@code data} in {@link #STALL_WRITE}-byte writes and reads nothing (the
     * test reads later): {@code written} counts what the kernel took, less at most one write (the
     * one blocked part-way), so the test can see the writer stall and how far it got.
     */
    public static Thread writeWithoutReading(Socket s, byte[] data, AtomicLong written) {
        return Thread.ofPlatform().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += STALL_WRITE) {
                    out.write(data, off, STALL_WRITE);
                    written.addAndGet(STALL_WRITE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * The unsent bytes one connection may hold in the server, as README.md ("--max-buffered") and
     * docs/design.md promise: one read's tail (64 KiB) on nonblocking and nio, 64 KiB and the
     * receive that crosses it on uring, one buffer of
     * at most 64 KiB on the blocking backends, and on aio and netty a pause above 256 KiB queued,
     * which the read in progress when the pause starts (at most 64 KiB) can pass.
     */
    static long unsentPromise(ServerConfig config) {
        return switch (config.backend()) {
            case AIO, NETTY -> 256 * 1024 + 64 * 1024;
            // Reading stops at 64 KiB unsent, and the receive that crosses it (one 4 KiB ring
            // buffer) lands too: single-shot, the receive in flight; multishot, the last one of a
            // receive armed with the room left under 64 KiB as its total limit.
            case URING -> 64 * 1024 + 4 * 1024;
            default -> 64 * 1024;
        };
    }

    /** {@link #assertSlowReaderHeldWithin} held to the backend's {@link #unsentPromise}. */
    static void assertSlowReaderHeldWithinPromise(ServerConfig config, Socket s, byte[] data, long pauseMs)
            throws Exception {
        assertSlowReaderHeldWithin(config.label(), unsentPromise(config), s, data, pauseMs);
    }

    /**
     * How long a writer's count must stand still to call it stalled. A writer taken for stalled
     * while it was only waiting for a CPU makes the check weaker, never wrong: every byte it wrote
     * is then in the kernel's queues or in the server's memory, and only the latter is counted.
     */
    static final long STALL_QUIET_MS = 500;

    /**
     * The slow-reader scenario, one place for every test that runs it (the backends' and the
     * peers'): a client writes {@code data} and reads nothing; what the server holds (written, less
     * the kernel's queues on both sockets measured at that moment) must be within {@code bound}
     * when the writer has stalled, and again after {@code pauseMs} more without reading (it must
     * not creep up); then the client reads and every byte must come back in order.
     */
    public static void assertSlowReaderHeldWithin(String server, long bound, Socket s, byte[] data, long pauseMs)
            throws Exception {
        AtomicLong written = new AtomicLong();
        Thread writer = writeWithoutReading(s, data, written);
        long stalledAt = awaitStall(written, STALL_QUIET_MS);
        assertTrue(stalledAt < data.length, "the writer never stalled: all " + data.length + " bytes went in");
        for (long paused : new long[] {0, pauseMs}) {
            Thread.sleep(paused);
            long held = written.get() - kernelQueued(s);
            assertTrue(held <= bound, server + " holds " + held + " bytes of a client that has not read for "
                    + paused + " ms since its writer stalled (it wrote " + stalledAt / 1024
                    + " KiB, the kernel queues the rest); its bound is " + bound + " bytes");
        }
        byte[] echo = readExactly(s.getInputStream(), data.length);
        writer.join(30_000);
        assertArrayEquals(data, echo);
    }

    /**
     * Bytes the kernel holds for {@code client}'s loopback connection, both ways: each of its two
     * sockets' {@code tx_queue} (written, not yet acknowledged) plus {@code rx_queue} (received, not yet read), from /proc/net/tcp and tcp6 (Java's sockets are
     * dual-stack, so 127.0.0.1 shows up there as ::ffff:127.0.0.1). With the writer stalled, what a
     * client wrote and did not read back, less this, is what the server holds in its own memory.
     */
    public static long kernelQueued(Socket client) throws IOException {
        return kernelQueued(client.getLocalPort(), client.getPort());
    }

    static long kernelQueued(int portA, int portB) throws IOException {
        // The kernel writes these tables page by page while sockets come and go, so one read can
        // miss or repeat a line: read again until both sockets show up exactly once.
        int pairs = 0;
        for (int attempt = 0; attempt < 10; attempt++) {
            long sum = 0;
            pairs = 0;
            for (String file : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
                Path path = Path.of(file);
                Assumptions.assumeTrue(Files.isReadable(path), "skipped: no " + file + " to read the kernel's queues from");
                for (String line : Files.readAllLines(path)) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length < 5 || !f[0].endsWith(":") || !f[3].equals("01")) {
                        continue; // the header, or not ESTABLISHED (an old pair's TIME_WAIT, say)
                    }
                    int local = Integer.parseInt(f[1].substring(f[1].lastIndexOf(':') + 1), 16);
                    int remote = Integer.parseInt(f[2].substring(f[2].lastIndexOf(':') + 1), 16);
                    if ((local == portA && remote == portB) || (local == portB && remote == portA)) {
                        String[] q = f[4].split(":");
                        sum += Long.parseLong(q[0], 16) + Long.parseLong(q[1], 16);
                        pairs++;
                    }
                }
            }
            if (pairs == 2) {
                return sum;
            }
        }
        throw new AssertionError("/proc/net/tcp shows " + pairs + " sockets for 127.0.0.1:" + portA
                + " <-> 127.0.0.1:" + portB + ", not two (one side closed?)");
    }

    /**
     * Waits until {@code counter} has not moved for {@code quietMs} (a writer it counts is blocked),
     * 60 s at most; returns where it stopped. It looks twenty times per {@code quietMs}, so it
     * returns soon after the quiet time has passed, and the quiet time is counted from the last
     * move it saw, which is no earlier than the last move.
     */
    public static long awaitStall(AtomicLong counter, long quietMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long quiet = TimeUnit.MILLISECONDS.toNanos(quietMs);
        long last = counter.get();
        long movedAt = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(Math.max(1, quietMs / 20));
            long now = counter.get();
            if (now != last) {
                last = now;
                movedAt = System.nanoTime();
            } else if (System.nanoTime() - movedAt >= quiet) {
                return now;
            }
        }
        return last;
    }
}
