package dev.echolab.loadgen;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A deliberately bad echo server for the load generator's error paths: one thread per connection
 * on 127.0.0.1, port 0. Each fault is what a buggy backend really does: corrupt a byte, close too
 * early, stop answering, or stall every connection once (a GC pause, a full queue).
 */
final class FaultyEchoServer implements AutoCloseable {

    enum Fault { CORRUPT, CLOSE_AFTER, STOP_REPLYING_AFTER, PAUSE_ONCE, ACCEPT_ONLY }

    private final Fault fault;
    /**
     * Per-connection message count for CLOSE_AFTER / STOP_REPLYING_AFTER; total count for PAUSE_ONCE;
     * for ACCEPT_ONLY the connections accepted before the listening socket closes (later connects are refused).
     */
    private final long k;
    private final long pauseMillis;
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicLong totalMessages = new AtomicLong();
    private final AtomicBoolean paused = new AtomicBoolean();
    /** ACCEPT_ONLY: no echo before the listening socket is closed, so every reconnect finds it closed. */
    private final CountDownLatch listenerClosed = new CountDownLatch(1);
    /** PAUSE_ONCE: every connection holds its echoes until then, like a server-wide stall. */
    private volatile long pauseUntil = System.nanoTime();

    FaultyEchoServer(Fault fault, long k, long pauseMillis) throws IOException {
        this.fault = fault;
        this.k = k;
        this.pauseMillis = pauseMillis;
        this.server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
        threads.add(Thread.ofPlatform().daemon(true).start(this::acceptLoop));
    }

    int port() {
        return server.getLocalPort();
    }

    /** The addresses the accepted connections came from. */
    Set<InetAddress> peers() {
        return sockets.stream().map(Socket::getInetAddress).collect(Collectors.toSet());
    }

    private void acceptLoop() {
        try {
            while (true) {
                Socket s = server.accept();
                sockets.add(s);
                threads.add(Thread.ofPlatform().daemon(true).start(() -> serve(s)));
                if (fault == Fault.ACCEPT_ONLY && sockets.size() == k) {
                    server.close();
                    listenerClosed.countDown();
                }
            }
        } catch (IOException closed) {
            // close() closed the listening socket: stop accepting.
        }
    }

    private void serve(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            if (fault == Fault.ACCEPT_ONLY) {
                listenerClosed.await();
            }
            byte[] buf = new byte[8192];
            long streamOffset = 0;
            long messages = 0;
            int n;
            while ((n = in.read(buf)) > 0) {
                int keep = n;
                for (int i = 0; i < n; i++) {
                    if (fault == Fault.CORRUPT && streamOffset + i == 30) {
                        buf[i] ^= 0x20;
                    }
                    if (buf[i] == '\n') {
                        messages++;
                        if (fault == Fault.PAUSE_ONCE && totalMessages.incrementAndGet() == k
                                && paused.compareAndSet(false, true)) {
                            pauseUntil = System.nanoTime() + pauseMillis * 1_000_000;
                        }
                        if ((fault == Fault.CLOSE_AFTER || fault == Fault.STOP_REPLYING_AFTER) && messages == k) {
                            keep = i + 1;
                            break;
                        }
                    }
                }
                streamOffset += n;
                long wait = pauseUntil - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                out.write(buf, 0, keep);
                if (fault == Fault.CLOSE_AFTER && messages >= k) {
                    return;
                }
                if (fault == Fault.STOP_REPLYING_AFTER && messages >= k) {
                    in.transferTo(OutputStream.nullOutputStream());
                    return;
                }
            }
        } catch (IOException | InterruptedException e) {
            // The client went away or the test is over.
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        try {
            for (Thread t : threads) {
                t.join(5_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
