package dev.echolab.server.uring;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ServerConfig;
import dev.echolab.server.Sockets;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.reflect.InvocationTargetException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;

/**
 * <b>Model:</b> asynchronous IO, for real: the program asks the kernel for an accept, a receive or
 * a send, and is told when it is <em>done</em> (Linux io_uring), not when it may be tried (epoll).
 *
 * <p><b>How it works:</b>
 * <ol>
 *   <li>{@code io_uring_setup} makes a ring; {@code mmap} shares its submission and completion
 *       queues with the kernel ({@link Ring}). Calls go through the Foreign Function &amp; Memory
 *       API (libc's {@code syscall}); no JNI, no C of ours.</li>
 *   <li>One multishot accept on the listening socket: one submission, a completion per new
 *       connection. Each connection gets one multishot receive: one submission, a completion per
 *       arrival of data, into a buffer the kernel takes from a shared ring of buffers
 *       ({@link BufferRing}) only when data is there.</li>
 *   <li>A receive's completion queues that buffer on its {@link Connection} and submits a send
 *       from it (no copy in Java); the send's completion gives the buffer back.</li>
 *   <li>Everything submitted while handling completions goes to the kernel in the next
 *       {@code io_uring_enter}, which also waits for the next completions: one system call for
 *       many echoes ({@link CompletionLoop}).</li>
 *   <li>A connection's multishot receive is armed with a total limit, the room left under 64 KiB
 *       unsent, so the kernel ends it there; one with 64 KiB unsent (a client that does not read)
 *       is not read again until its sends complete: bounded memory, as the other backends.</li>
 * </ol>
 *
 * <pre>
 *   [uring-loop] ── io_uring_enter(submit sends + recvs, wait) ──► kernel: TCP, copies, waiting
 *        ▲                                                              │
 *        └──────────── completions: accepted fd / n bytes in buffer b / n bytes sent ◄┘
 * </pre>
 *
 * <p><b>Threads:</b> one, and one ring. The kernel does the waiting and the copying; it may use
 * its own workers for an operation that cannot complete at once (not for sockets: it arms a poll
 * and completes the request when the socket is ready). None may block in the loop, as in nio.
 *
 * <p><b>Costs:</b> per echo, a receive completion and a send submission and completion: 48 bytes
 * of shared memory written and read, no system call of its own. The system calls are the
 * {@code io_uring_enter}s, one per turn of the loop, shared by every connection that had a
 * completion in that turn (docs/performance.md has the count per message). Memory: the buffer
 * ring, {@value BufferRing#INITIAL} buffers of {@value BufferRing#SIZE} bytes at first, grown
 * with the data in flight up to what {@code --max-connections} connections can hold
 * ({@value BufferRing#COUNT} at most); an idle connection holds a small Java object and its
 * kernel request, no buffer.
 * What the kernel supports is probed at start; what is missing is said in one line and worked
 * around: without {@code SINGLE_ISSUER|DEFER_TASKRUN} (Linux 6.1) plain task work; without
 * multishot receive with a total limit (6.15) one receive submission per message. Provided buffer rings and multishot
 * accept (5.19) are required: without them {@code --backend uring} says so and exits 1.
 *
 * <p><b>Choose it when</b> you want the fewest system calls per message on Linux and can own a
 * Linux-only, JDK 22+ (FFM) code path; in production, through a library that does this
 * (Netty's io_uring transport, liburing in C).
 *
 * <p><b>Compare with:</b> {@link dev.echolab.server.aio.AsyncChannelEchoServer} (the same
 * completion API shape, but the JDK emulates it with epoll and a thread pool on Linux),
 * {@link dev.echolab.server.netty.NettyEchoServer} with {@code --transport io_uring} (io_uring
 * behind a general framework), {@link dev.echolab.server.nio.SelectorEchoServer} (readiness: one
 * {@code epoll_wait}, then a {@code read} and a {@code write} per message).
 *
 * <p><b>Try it:</b> {@code bin/server --backend uring}, then {@code bin/loadgen}; {@code strace -c
 * -f -p $PID} shows almost only {@code io_uring_enter}, far fewer than the messages echoed.
 */
public final class UringEchoServer extends BaseEchoServer {

    private static volatile String unavailability;
    private static volatile boolean probed;

    private ServerSocketChannel server;
    private CompletionLoop loop;
    private String mode = "";

    public UringEchoServer(ServerConfig config) {
        String why = unavailability();
        if (why != null) {
            throw new IllegalStateException("io_uring is not available here: " + why);
        }
        super(config);
    }

    /**
     * Why this machine cannot run the backend (no io_uring, switched off, too old for buffer
     * rings), or null if it can: a small ring is made, probed and closed, once per JVM.
     */
    public static String unavailability() {
        if (!probed) {
            synchronized (UringEchoServer.class) {
                if (!probed) {
                    unavailability = probe();
                    probed = true;
                }
            }
        }
        return unavailability;
    }

    private static String probe() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) {
            return "io_uring is Linux only";
        }
        try (Arena arena = Arena.ofConfined()) {
            try (Ring ring = Ring.open(arena, 8, new ArrayList<>())) {
                new BufferRing(arena, ring, 1, 1);
            }
            return null;
        } catch (IOException e) {
            return e.getMessage();
        } catch (RuntimeException | LinkageError e) {
            return "cannot call libc: " + e.getMessage();
        }
    }

    @Override
    protected InetSocketAddress listen() throws IOException {
        server = Sockets.bind(config);
        try {
            loop = new CompletionLoop("uring-loop", context(null), descriptor(server),
                    !Boolean.getBoolean("echolab.uring.singleshot"), BufferRing.capacityFor(config.maxConnections()));
            mode = loop.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return Sockets.localAddress(server);
    }

    /**
     * The listening socket's file descriptor. Binding through {@link Sockets} keeps its options in
     * one place for every backend; the JDK keeps the number in sun.nio.ch, which the launchers
     * open to us ({@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED}, for Netty already).
     */
    private static int descriptor(ServerSocketChannel channel) throws IOException {
        try {
            var getter = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
            return (int) getter.invoke(channel);
        } catch (ReflectiveOperationException | RuntimeException e) {
            String why = e instanceof InvocationTargetException ite ? String.valueOf(ite.getCause()) : e.toString();
            throw new IOException("cannot get the listening socket's descriptor (run with "
                    + "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED, as bin/server does): " + why);
        }
    }

    @Override
    public String details() {
        return "setup=" + mode;
    }

    /** Drain: the loop cancels its accept, then the listening socket closes; connections go on. */
    @Override
    protected void closeListener() {
        loop.stopAccepting();
        closeQuietly(server);
    }

    /** The loop first (it cancels the accept and reaps what is in flight), then the listening socket. */
    @Override
    protected void stop() {
        loop.stop();
        try {
            loop.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeQuietly(server);
    }
}
