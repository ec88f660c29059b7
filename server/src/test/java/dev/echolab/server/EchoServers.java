package dev.echolab.server;

import dev.echolab.server.netty.NettyEchoServer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Named;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
     * A client that writes {@code data} in 64 KiB writes and reads nothing (the test reads later):
     * {@code written} counts what the kernel took, so the test can see the writer stall.
     */
    static Thread writeWithoutReading(Socket s, byte[] data, AtomicLong written) {
        return Thread.ofPlatform().start(() -> {
            try {
                OutputStream out = s.getOutputStream();
                for (int off = 0; off < data.length; off += 64 * 1024) {
                    out.write(data, off, 64 * 1024);
                    written.addAndGet(64 * 1024);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * Waits until {@code counter} has not moved for {@code quietMs} (a writer it counts is blocked),
     * 60 s at most; returns where it stopped.
     */
    static long awaitStall(AtomicLong counter, long quietMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long last = -1;
        while (System.nanoTime() < deadline) {
            Thread.sleep(quietMs);
            long now = counter.get();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return last;
    }
}
