package dev.echolab.server.nio;

import dev.echolab.server.ConnectionContext;
import dev.echolab.server.Limits;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.atomic.MpscUnboundedAtomicArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One selector, one thread, one loop: {@code select} -> handle the ready keys -> register the
 * channels handed over by the acceptor -> {@code select} ...
 *
 * <p>A reactor may also own the listening socket. Each accepted channel goes to the next reactor of
 * {@code workers}, round robin, through that reactor's MPSC queue plus {@link Selector#wakeup()}
 * (a selector's keys may only be registered safely by its own thread, which is blocked in
 * {@code select}; the queue carries the channel across, the wakeup makes the owner look at it).
 * With one reactor the list of workers is the reactor itself and the hand-off never crosses a
 * thread, so single- and multi-reactor servers run this same code.
 *
 * <p>The limits ({@link Limits}) add three small duties to the loop: the acceptor closes a new
 * channel at once when {@code --max-connections} are open; connections paused over the global
 * buffer budget are resumed once it drains (looked at every {@value #PAUSE_CHECK_MS} ms while any
 * is paused); with {@code --idle-timeout} the keys are swept for idle connections a few times per
 * timeout. {@code select} gets a timeout only while one of these needs the loop to wake up.
 */
final class Reactor {

    private static final Logger log = LoggerFactory.getLogger(Reactor.class);
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final long PAUSE_CHECK_MS = 10;
    /** Partial-write buffers kept for reuse; beyond this many the garbage collector takes them. */
    private static final int SPARE_BUFFERS = 64;

    private final Selector selector;
    /** The server's counters, limits and work; its offload pool, or null to work on this thread. */
    private final ConnectionContext context;
    private final Thread thread;
    /**
     * Accepted channels waiting to be registered with this reactor's selector. The atomic-field
     * flavour of JCTools' queue: same algorithm, no {@code sun.misc.Unsafe}, so JDK 24+ prints no
     * warning; the hand-off happens once per connection, so its few nanoseconds do not matter.
     */
    private final MessagePassingQueue<SocketChannel> handedOver = new MpscUnboundedAtomicArrayQueue<>(256);
    /** Connections whose offloaded work is done, waiting for this thread to write their echo. */
    private final MessagePassingQueue<Connection> workDone = new MpscUnboundedAtomicArrayQueue<>(256);
    /** One read buffer for all this reactor's connections: only its thread touches it. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
    // The loop's callbacks, created once: a method reference written inside the loop is a new
    // object on every turn unless escape analysis removes it, which it cannot be relied on to do.
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final MessagePassingQueue.Consumer<SocketChannel> register = this::register;
    private final MessagePassingQueue.Consumer<Connection> writeWorked = this::writeWorked;
    private final Consumer<SelectionKey> closeIfIdle = this::closeIfIdle;
    /** Connections that stopped reading because the global buffer budget was spent. */
    private final ArrayDeque<Connection> paused = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private long lastSweep = System.nanoTime();
    private long sweepNow;
    private volatile boolean running = true;
    /** Set by {@link #stopAccepting()}; the loop closes the listening socket. */
    private volatile boolean acceptStopped;
    private ServerSocketChannel server;
    private Reactor[] workers;
    private int nextWorker;
    /** While accept fails: when to try again ({@link System#nanoTime()}); 0 when accepting normally. */
    private long acceptRetryAt;

    Reactor(String name, ConnectionContext context) throws IOException {
        this.selector = Selector.open();
        this.context = context;
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    /** Makes this reactor the acceptor: new connections go to {@code workers}, round robin. */
    void accept(ServerSocketChannel listening, Reactor[] workers) throws IOException {
        this.server = listening;
        this.workers = workers;
        listening.configureBlocking(false);
        listening.register(selector, SelectionKey.OP_ACCEPT);
    }

    void start() {
        thread.start();
    }

    /** Called by the acceptor (any thread): queue the channel, wake the owner if it is not us. */
    void handOver(SocketChannel ch) {
        handedOver.relaxedOffer(ch);
        if (Thread.currentThread() != thread) {
            selector.wakeup();
        }
    }

    /** A buffer for a connection's unsent bytes: a spare one if there is, else a new one. */
    ByteBuffer borrow() {
        ByteBuffer b = spare.poll();
        return b != null ? b : ByteBuffer.allocate(BUFFER_SIZE);
    }

    void giveBack(ByteBuffer b) {
        if (spare.size() < SPARE_BUFFERS) {
            spare.push(b);
        }
    }

    /** The connection stopped reading over the budget; {@link #resumePaused()} restarts it. */
    void pause(Connection c) {
        paused.add(c);
    }

    /**
     * Called by an offload thread: the connection is ready to be written. Only this reactor's
     * thread may touch its connections and keys, so the result crosses back through a queue.
     */
    void workDone(Connection c) {
        workDone.relaxedOffer(c);
        selector.wakeup();
    }

    private void run() {
        try {
            while (running) {
                // The consumer form of select() walks the ready keys without allocating an iterator.
                selector.select(onReady, selectTimeout());
                handedOver.drain(register);
                workDone.drain(writeWorked);
                resumePaused();
                sweepIdle();
                resumeAccepting();
                closeListenerIfStopped();
            }
        } catch (IOException e) {
            log.error("selector failed: {}", e.toString());
        } finally {
            shutdown();
        }
    }

    /** 0 (block until something happens) unless a back-off, a paused reader or the idle sweep needs a tick. */
    private long selectTimeout() {
        long ms = Long.MAX_VALUE;
        if (acceptRetryAt != 0) {
            ms = Math.max(1, TimeUnit.NANOSECONDS.toMillis(acceptRetryAt - System.nanoTime()));
        }
        if (!paused.isEmpty()) {
            ms = Math.min(ms, PAUSE_CHECK_MS);
        }
        if (context.limits().idleTimeoutEnabled()) {
            ms = Math.min(ms, context.limits().idleSweepMillis());
        }
        return ms == Long.MAX_VALUE ? 0 : ms;
    }

    /**
     * Only once the back-off has passed: other keys may end {@code select} early, and re-arming
     * OP_ACCEPT then would make the next {@code select} return at once, a failing accept in a loop.
     */
    private void resumeAccepting() {
        if (acceptRetryAt != 0 && System.nanoTime() - acceptRetryAt >= 0) {
            acceptRetryAt = 0;
            server.keyFor(selector).interestOps(SelectionKey.OP_ACCEPT);
        }
    }

    private void resumePaused() {
        while (!paused.isEmpty() && !context.limits().overBudget()) {
            paused.poll().resume();
        }
    }

    private void sweepIdle() {
        if (!context.limits().idleTimeoutEnabled()) {
            return;
        }
        sweepNow = System.nanoTime();
        if (sweepNow - lastSweep < context.limits().idleSweepMillis() * 1_000_000) {
            return;
        }
        lastSweep = sweepNow;
        selector.keys().forEach(closeIfIdle);
    }

    private void closeIfIdle(SelectionKey key) {
        if (key.attachment() instanceof Connection c && c.idleFor(context.limits().idleTimeoutNanos(), sweepNow)) {
            log.debug("idle for {}: closing", context.limits().idleTimeout());
            context.limits().idleClosed();
            c.close();
        }
    }

    /** The one place that decides what a ready key means; an IO error ends that connection only. */
    private void onReady(SelectionKey key) {
        if (!key.isValid()) {
            return;
        }
        if (key.isAcceptable()) {
            acceptAll(key);
            return;
        }
        Connection c = (Connection) key.attachment();
        try {
            if (key.isReadable()) {
                c.onReadable(buffer);
            } else if (key.isWritable()) {
                c.onWritable();
            }
        } catch (IOException e) {
            log.debug("connection ended: {}", e.toString());
            c.close();
        }
    }

    private void acceptAll(SelectionKey serverKey) {
        try {
            SocketChannel ch;
            while ((ch = server.accept()) != null) {
                if (!context.limits().admit()) {
                    closeQuietly(ch);
                    continue;
                }
                workers[nextWorker].handOver(ch);
                nextWorker = (nextWorker + 1) % workers.length;
            }
        } catch (IOException e) {
            // Out of file descriptors, most likely. The listening socket stays readable, so keep
            // it out of the interest set for a moment instead of spinning on it.
            context.limits().acceptFailed(e);
            serverKey.interestOps(0);
            acceptRetryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Limits.ACCEPT_RETRY_MS);
        }
    }

    private void writeWorked(Connection c) {
        try {
            c.onWorkDone();
        } catch (IOException e) {
            log.debug("connection ended: {}", e.toString());
            c.close();
        }
    }

    private void register(SocketChannel ch) {
        try {
            ch.configureBlocking(false);
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey key = ch.register(selector, SelectionKey.OP_READ);
            key.attach(new Connection(ch, key, context, this));
        } catch (IOException e) {
            log.debug("connection ended before it started: {}", e.toString());
            closeQuietly(ch);
            context.stats().closed();
        }
    }

    /** Any thread: asks the loop to close the listening socket (a drain); its connections are served on. */
    void stopAccepting() {
        acceptStopped = true;
        selector.wakeup();
    }

    /**
     * Takes what the kernel has queued, then closes the listening socket. A closed channel's
     * descriptor is released when its key leaves the selector, at the next select: selectNow does
     * it now rather than whenever the next event comes.
     */
    private void closeListenerIfStopped() throws IOException {
        if (acceptStopped && server != null) {
            SelectionKey key = server.keyFor(selector);
            acceptAll(key);
            key.cancel();
            closeQuietly(server);
            server = null;
            acceptRetryAt = 0;
            selector.selectNow(onReady);
        }
    }

    /** Asks the loop to end; {@link #join()} waits for it. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    /** Returns at once for a reactor that was never started. */
    void join() throws InterruptedException {
        thread.join();
    }

    /** Runs on the loop thread as it ends: every connection, queued channel and the selector. */
    private void shutdown() {
        for (SelectionKey key : selector.keys()) {
            if (key.attachment() instanceof Connection c) {
                c.close();
            }
        }
        handedOver.drain(ch -> {
            closeQuietly(ch);
            context.stats().closed();
        });
        if (server != null) {
            closeQuietly(server);
        }
        closeQuietly(selector);
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // shutting down: nothing useful to do with a failure to close
        }
    }
}
