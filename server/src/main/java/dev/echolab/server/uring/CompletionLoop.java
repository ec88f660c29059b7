package dev.echolab.server.uring;

import dev.echolab.server.ConnectionContext;
import dev.echolab.server.Limits;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one thread of the uring backend: submit, wait, and react to completions, in a loop.
 *
 * <pre>
 *   ┌─► more buffers if few are left, publish recycled ones ─► close the sockets of last turn's closed connections (see close)
 *   │       ─► io_uring_enter(submit all new entries, wait for &gt;= 1 completion)
 *   │       ─► for each completion: ACCEPT (register, submit recv) / RECV (queue, submit send)
 *   │                               SEND (recycle, send more or read again) / WAKE (stop?)
 *   └──────── connections waiting for buffers or budget, idle sweep, accept back-off ◄─┘
 * </pre>
 *
 * <p>The ring is created on this thread: with {@code IORING_SETUP_SINGLE_ISSUER} only the thread
 * that made it may submit. Another thread stops the loop by writing to an eventfd that has a read
 * in the ring ({@link #stop()}).
 *
 * <p>{@code user_data}: the operation in the high 32 bits, the connection's slot in the low 32.
 */
final class CompletionLoop implements Ring.Completions {

    private static final Logger log = LoggerFactory.getLogger(CompletionLoop.class);
    private static final long ACCEPT = 1L << 32;
    private static final long RECV = 2L << 32;
    private static final long SEND = 3L << 32;
    private static final long WAKE = 4L << 32;
    private static final long CANCEL = 5L << 32;
    private static final long OP_MASK = 0xFFFF_FFFF_0000_0000L;
    /** Submission entries; completions get four times as many (and the kernel keeps any overflow). */
    static final int ENTRIES = 4096;
    private static final long WAIT_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long DRAIN_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** The server's counters, limits and work (always done on this thread: no offload). */
    private final ConnectionContext context;
    private final int listening;
    private final int bufferCapacity;
    private final Thread thread;
    private final CompletableFuture<String> ready = new CompletableFuture<>();
    private final Arena arena = Arena.ofShared();
    private final ArrayDeque<Connection> waiting = new ArrayDeque<>();
    private final Object wakeLock = new Object();
    private volatile boolean running = true;
    /** Cleared by {@link #stopAccepting()}: the loop cancels its accept and re-arms it no more. */
    private volatile boolean accepting = true;
    private final CompletableFuture<Void> acceptEnded = new CompletableFuture<>();
    private boolean acceptCancelled;
    private boolean multishotRecv;
    private Ring ring;
    private BufferRing buffers;
    private Connection[] table = new Connection[1024];
    private int[] freeSlots = new int[1024];
    private int freeCount;
    private int slotsUsed;
    private int busySlots;
    /** Descriptors of closed connections not closed yet: an unsubmitted entry may still name them ({@link #close}). */
    private int[] closing = new int[64];
    private int closingCount;
    private volatile int wakeFd = -1;
    private MemorySegment wakeBuffer;
    private MemorySegment wakeValue;
    private MemorySegment one;
    private boolean acceptArmed;
    private boolean wakeArmed;
    /** While accept fails: when to try again ({@link System#nanoTime()}); 0 when accepting normally. */
    private long acceptRetryAt;
    private long now = System.nanoTime();
    private long lastSweep = now;

    /** {@code buffers}: the buffer ring's room ({@link BufferRing#capacityFor}). */
    CompletionLoop(String name, ConnectionContext context, int listening, boolean multishotRecv, int buffers) {
        this.bufferCapacity = buffers;
        this.context = context;
        this.listening = listening;
        this.multishotRecv = multishotRecv;
        this.thread = Thread.ofPlatform().name(name).unstarted(this::run);
    }

    /** Starts the thread; returns the ring's setup mode once it is serving, or throws why it cannot. */
    String start() throws IOException {
        thread.start();
        try {
            return ready.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the io_uring loop started");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    /** Any thread: ask the loop to end (the eventfd's read completes and wakes it); {@link #join()} waits. */
    void stop() {
        synchronized (wakeLock) {
            running = false;
            if (wakeFd >= 0 && wakeValue != null) {
                Native.write8(wakeFd, wakeValue);
            }
        }
    }

    /**
     * Any thread: the loop cancels its multishot accept (the eventfd wakes it); returns once the
     * ring holds no request on the listening socket, so that closing it releases it at once.
     */
    void stopAccepting() {
        synchronized (wakeLock) {
            accepting = false;
            if (wakeFd >= 0 && wakeValue != null) {
                Native.write8(wakeFd, wakeValue);
            }
        }
        try {
            acceptEnded.get(DRAIN_NANOS, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("io_uring: the accept was not cancelled: {}", e.toString());
        }
    }

    /** On the loop: once asked, cancel the accept; once its last completion came, say so. */
    private void endAcceptIfAsked() {
        if (accepting || acceptEnded.isDone()) {
            return;
        }
        acceptRetryAt = 0;
        if (acceptArmed && !acceptCancelled) {
            ring.cancel(ACCEPT, CANCEL);
            acceptCancelled = true;
        } else if (!acceptArmed) {
            acceptEnded.complete(null);
        }
    }

    void join() throws InterruptedException {
        thread.join();
    }

    private void run() {
        try {
            setUp();
        } catch (Throwable e) {
            arena.close();
            ready.completeExceptionally(e);
            return;
        }
        ready.complete(ring.mode);
        try {
            while (running) {
                buffers.growIfLow();
                buffers.publish();
                if (closingCount > 0) {
                    ring.submit(); // without waiting: a closed connection's FIN must not wait for a completion
                }
                closeSubmitted();
                ring.submitAndWait(waitNanos());
                now = System.nanoTime();
                ring.reap(this);
                resumeWaiting();
                sweepIdle();
                resumeAccepting();
                endAcceptIfAsked();
            }
        } catch (RuntimeException e) {
            log.error("io_uring loop failed: {}", e.toString());
        } finally {
            shutdown();
        }
    }

    private void setUp() throws IOException {
        List<String> fallbacks = new ArrayList<>();
        ring = Ring.open(arena, ENTRIES, fallbacks);
        try {
            buffers = new BufferRing(arena, ring, bufferCapacity, BufferRing.INITIAL);
            ring.beforeFlush(buffers::publish);
            wakeBuffer = arena.allocate(8, 8);
            wakeValue = arena.allocate(8, 8);
            wakeValue.set(JAVA_LONG, 0, 1L);
            one = arena.allocate(4, 4);
            one.set(JAVA_INT, 0, 1);
            int fd = Native.eventfd(Native.callState(arena));
            if (fd < 0) {
                throw new IOException("eventfd failed: " + Native.strerror(-fd));
            }
            // Last: the volatile write publishes wakeValue, filled above, to stop() on another thread.
            wakeFd = fd;
            armWake();
            armAccept();
        } catch (IOException | RuntimeException e) {
            ring.close();
            synchronized (wakeLock) {
                if (wakeFd >= 0) {
                    Native.close(wakeFd);
                    wakeFd = -1;
                }
            }
            throw e;
        }
        for (String f : fallbacks) {
            log.warn("io_uring: no {}", f);
        }
    }

    /** Blocks until a completion, unless the back-off, waiting connections or the idle sweep need a tick. */
    private long waitNanos() {
        long nanos = Long.MAX_VALUE;
        if (acceptRetryAt != 0) {
            nanos = Math.max(1, acceptRetryAt - System.nanoTime());
        }
        if (!waiting.isEmpty()) {
            nanos = Math.min(nanos, WAIT_CHECK_NANOS);
        }
        if (context.limits().idleTimeoutEnabled()) {
            nanos = Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(context.limits().idleSweepMillis()));
        }
        return nanos == Long.MAX_VALUE ? -1 : nanos;
    }

    /** The one place that decides what a completion means. */
    @Override
    public void complete(long userData, int res, int flags) {
        long op = userData & OP_MASK;
        if (op == RECV) {
            onRecv(table[(int) userData], res, flags);
        } else if (op == SEND) {
            onSend(table[(int) userData], res);
        } else if (op == ACCEPT) {
            onAccept(res, flags);
        } else if (op == WAKE) {
            wakeArmed = false;
            if (running) {
                armWake();
            }
        }
        // CANCEL: a cancel that found nothing to cancel (the request had just completed); nothing to do.
    }

    // ---- accept

    private void armAccept() {
        ring.accept(listening, ACCEPT, true);
        acceptArmed = true;
    }

    private void onAccept(int res, int flags) {
        if ((flags & Ring.CQE_F_MORE) == 0) {
            acceptArmed = false;
        }
        if (res >= 0) {
            if (running && context.limits().admit()) {
                open(res);
            } else {
                Native.close(res); // over --max-connections: a reset now rather than a queue forever
            }
        } else if (outOfResources(-res) && running) {
            // Out of descriptors, most likely. A multishot accept ends at its first failure; it is
            // submitted again only after the back-off, so the loop does not spin on a listening
            // socket that stays readable.
            context.limits().acceptFailed(new IOException(Native.strerror(-res)));
            acceptRetryAt = now + TimeUnit.MILLISECONDS.toNanos(Limits.ACCEPT_RETRY_MS);
            if (acceptArmed) {
                ring.cancel(ACCEPT, CANCEL);
            }
        }
        if (!acceptArmed && running && accepting && acceptRetryAt == 0) {
            armAccept();
        }
    }

    /**
     * Failures that last until something is freed: these pause accepting. Any other (a client that
     * reset before it was accepted: ECONNABORTED) concerns one connection; accepting goes on at once.
     */
    private static boolean outOfResources(int errno) {
        return errno == Native.EMFILE || errno == Native.ENFILE || errno == Native.ENOMEM || errno == Native.ENOBUFS;
    }

    private void resumeAccepting() {
        if (acceptRetryAt != 0 && now - acceptRetryAt >= 0) {
            acceptRetryAt = 0;
            if (!acceptArmed && accepting) {
                armAccept();
            }
        }
    }

    private void open(int fd) {
        Native.noDelay(fd, one);
        Connection c = slot();
        c.opened(fd, now);
        armRecv(c);
    }

    // ---- receive and send: the echo

    /**
     * A multishot receive is armed with the room left under {@link Connection#MAX_UNSENT}: the
     * kernel ends it there by itself. A cancel (below) lands only after the kernel has gone on
     * filling ring buffers for as long as data kept arriving, far past the limit.
     */
    private void armRecv(Connection c) {
        ring.recv(c.fd, RECV | c.slot, BufferRing.GROUP, multishotRecv, Connection.MAX_UNSENT - c.unsent);
        c.receiving = true;
        c.multishot = multishotRecv;
    }

    private void onRecv(Connection c, int res, int flags) {
        if ((flags & Ring.CQE_F_MORE) == 0) {
            c.receiving = false;
            c.cancelling = false;
        }
        if (res <= 0 && (flags & Ring.CQE_F_BUFFER) != 0) {
            // Some kernels pick a buffer for a recv that then ends without data: it goes straight back.
            buffers.taken();
            buffers.recycle(flags >>> 16);
        }
        if (res > 0) {
            buffers.taken();
            received(c, flags >>> 16, res);
        } else if (res == 0) {
            if (c.open) { // the client half-closed: what is queued still goes out, then we close
                c.peerDone = true;
                if (!c.sending && !c.queued()) {
                    close(c);
                }
            }
        } else if (res == -Native.ENOBUFS) {
            await(c); // every buffer waits to be sent: read again when some come back
        } else if (res == -Native.EINVAL && c.multishot && c.open) {
            // This kernel has no multishot recv, or none with a total limit. Every connection whose
            // multishot recv was in the same batch gets this too: each falls back and reads again
            // (below), none is closed.
            if (multishotRecv) {
                log.warn("io_uring: no multishot recv with a total limit (Linux 6.15+): one recv submission per message");
                multishotRecv = false;
            }
        } else if (res != -Native.ECANCELED && c.open) {
            close(c); // reset by the client, or another error: this connection only
        }
        readIfWanted(c);
        releaseIfFree(c);
    }

    private void received(Connection c, int bid, int n) {
        if (!c.open) {
            buffers.recycle(bid); // closed while this was on its way
            return;
        }
        context.stats().echoed(n);
        context.limits().reserve(n);
        c.lastActive = now;
        c.enqueue(bid, n);
        // --work runs here, on the loop: the classic mistake on purpose, as on nio without --offload.
        context.work().perform();
        if (!c.sending) {
            sendHead(c);
        }
        // Backpressure: a connection holding this much unsent is not read further.
        if (c.receiving && !c.cancelling && (c.full() || context.limits().overBudget())) {
            ring.cancel(RECV | c.slot, CANCEL | c.slot);
            c.cancelling = true;
        }
    }

    private void sendHead(Connection c) {
        ring.send(c.fd, buffers.address(c.headBid()) + c.sentOfHead, c.headLength() - c.sentOfHead, SEND | c.slot);
        c.sending = true;
    }

    private void onSend(Connection c, int res) {
        c.sending = false;
        if (!c.open) {
            if (c.queued()) {
                buffers.recycle(c.dequeue()); // the buffer the kernel was sending from, kept until now
            }
        } else if (res <= 0) {
            close(c);
        } else {
            c.lastActive = now;
            c.unsent -= res;
            context.limits().release(res);
            c.sentOfHead += res;
            if (c.sentOfHead == c.headLength()) {
                buffers.recycle(c.dequeue());
            }
            if (c.queued()) {
                sendHead(c); // the rest of a partial send, or the next buffer
            } else if (c.peerDone) {
                close(c);
            }
            readIfWanted(c);
        }
        releaseIfFree(c);
    }

    /** Submits a recv for a connection that wants one, unless buffers or the budget say wait. */
    private void readIfWanted(Connection c) {
        if (!c.wantsToRead() || c.waiting) {
            return;
        }
        if (context.limits().overBudget() || buffers.available() == 0) {
            await(c);
        } else {
            armRecv(c);
        }
    }

    private void await(Connection c) {
        if (c.open && !c.waiting) {
            c.waiting = true;
            waiting.add(c);
        }
    }

    /** Connections that waited for buffers or budget read again, as many as there are free buffers. */
    private void resumeWaiting() {
        while (!waiting.isEmpty() && !context.limits().overBudget() && buffers.available() > 0) {
            Connection c = waiting.poll();
            c.waiting = false;
            c.lastActive = now; // idleness counts from here: the wait was the server's, not the client's
            readIfWanted(c);
        }
    }

    private void sweepIdle() {
        if (!context.limits().idleTimeoutEnabled() || now - lastSweep < TimeUnit.MILLISECONDS.toNanos(context.limits().idleSweepMillis())) {
            return;
        }
        lastSweep = now;
        for (int i = 0; i < slotsUsed; i++) {
            Connection c = table[i];
            if (c != null && c.idleFor(context.limits().idleTimeoutNanos(), now)) {
                log.debug("idle for {}: closing", context.limits().idleTimeout());
                context.limits().idleClosed();
                close(c);
                releaseIfFree(c);
            }
        }
    }

    /**
     * Closes the connection. Requests still in the kernel keep the socket alive until they end, so
     * a connection with one is shut down first, which ends them; their completions recycle the
     * buffers, and the slot is freed with the last one.
     *
     * <p>The descriptor itself is closed later, by {@link #closeSubmitted}: a send or recv for it
     * may be written in the submission queue and not submitted yet, and the kernel looks the
     * number up only when it takes the entry, in the next {@code io_uring_enter} (as it issues
     * it: none of our entries is linked or forced to a worker, which would look later). Closed now, the
     * number could be reused first (by our multishot accept, which takes the lowest free one, or
     * by any other thread of the JVM), and the stale entry would act on that socket: this
     * client's bytes sent to another. So the number is given back only once every entry written
     * so far is submitted; from here on no new entry names it ({@code open} is false).
     */
    private void close(Connection c) {
        if (!c.open) {
            return;
        }
        c.open = false;
        if (c.receiving || c.sending) {
            Native.shutdown(c.fd);
        }
        if (closingCount == closing.length) {
            closing = Arrays.copyOf(closing, closing.length * 2);
        }
        closing[closingCount++] = c.fd;
        context.stats().closed();
        context.limits().release(c.unsent);
        c.unsent = 0;
        c.dropQueued(buffers);
    }

    /** Closes the descriptors {@link #close} set aside, if the kernel has taken every entry written so far. */
    private void closeSubmitted() {
        if (ring.allSubmitted()) {
            closeAll();
        }
    }

    private void closeAll() {
        for (int i = 0; i < closingCount; i++) {
            Native.close(closing[i]);
        }
        closingCount = 0;
    }

    // ---- slots

    private Connection slot() {
        busySlots++;
        if (freeCount > 0) {
            return table[freeSlots[--freeCount]];
        }
        if (slotsUsed == table.length) {
            table = Arrays.copyOf(table, table.length * 2);
            freeSlots = Arrays.copyOf(freeSlots, freeSlots.length * 2);
        }
        Connection c = new Connection(slotsUsed);
        table[slotsUsed++] = c;
        return c;
    }

    private void releaseIfFree(Connection c) {
        if (c.free() && c.fd >= 0) {
            c.fd = -1;
            busySlots--;
            freeSlots[freeCount++] = c.slot;
        }
    }

    // ---- wake-up and shutdown

    private void armWake() {
        ring.read(wakeFd, wakeBuffer.address(), 8, WAKE);
        wakeArmed = true;
    }

    /**
     * Runs on the loop thread as it ends: every connection closed, the accept cancelled, then the
     * completions of everything still in the kernel reaped (at most {@link #DRAIN_NANOS}), so that
     * no request refers to the listening socket or to a buffer when the memory is freed. The
     * descriptors are closed as in the loop, once the entries that may name them are submitted
     * (this turn's sends, written before the loop saw {@code running} false); whatever is left
     * after the ring is closed can be closed then, since no entry of a closed ring is ever taken.
     */
    private void shutdown() {
        running = false;
        for (int i = 0; i < slotsUsed; i++) {
            Connection c = table[i];
            close(c);
            releaseIfFree(c);
        }
        if (acceptArmed) {
            ring.cancel(ACCEPT, CANCEL);
        }
        if (wakeArmed) {
            ring.cancel(WAKE, CANCEL);
        }
        long deadline = System.nanoTime() + DRAIN_NANOS;
        try {
            while ((acceptArmed || wakeArmed || busySlots > 0) && System.nanoTime() - deadline < 0) {
                ring.submitAndWait(TimeUnit.MILLISECONDS.toNanos(50));
                closeSubmitted();
                ring.reap(this);
            }
        } catch (RuntimeException e) {
            log.error("io_uring loop could not drain: {}", e.toString());
        }
        boolean drained = !acceptArmed && !wakeArmed && busySlots == 0;
        ring.close();
        closeAll();
        synchronized (wakeLock) { // stop() must not write to a closed (maybe reused) descriptor number
            Native.close(wakeFd);
            wakeFd = -1;
        }
        if (drained) {
            arena.close();
        } else {
            // The kernel may still write into a buffer: leave the memory to the process rather than free it.
            log.warn("io_uring: requests still in flight at close; their buffers are not freed");
        }
    }
}
