package dev.echolab.server.aio;

import dev.echolab.server.BaseEchoServer;
import dev.echolab.server.ConnectionContext;
import dev.echolab.server.Work;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.nio.channels.InterruptedByTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One client, driven by two callbacks. At most one read and one write are outstanding at any time
 * (NIO.2 throws {@code ReadPendingException}/{@code WritePendingException} for a second one), so
 * every filled read buffer goes into a write queue and the next write starts when the previous
 * one completes.
 *
 * <pre>
 *   read completes ──► queue the buffer ──► (no write running) start write
 *        │                                   write completes ──► next buffer, or idle
 *        └─► queued &lt; 256 KiB ? start next read : pause reading until the queue drains
 *   read -1 ──► close once the queue is empty (half-close: everything pending goes out first)
 * </pre>
 *
 * Callbacks for one connection may run on different threads of the group, one after the other or
 * (a read and a write) at the same time; the queue and the flags are guarded by this object's lock.
 *
 * <p>Limits: {@code --idle-timeout} is the read's own timeout (NIO.2 fails it with
 * {@link InterruptedByTimeoutException}); queued bytes count against the global
 * {@code --max-buffered} budget, and over it the next read waits, retried every
 * {@value #BUDGET_RETRY_MS} ms on a timer rather than from another connection's callback (which
 * would take two connections' locks in either order).
 */
final class Connection {

    private static final Logger log = LoggerFactory.getLogger(Connection.class);
    /**
     * Read sizes. An outstanding read holds its buffer for as long as the client is silent, so it
     * starts at {@value #SMALL_BUFFER} bytes (an idle connection costs that much, not 16 KiB) and
     * grows four times at a time, up to {@value #LARGE_BUFFER}, while reads come back full;
     * a read that fits in the small size brings it back.
     */
    static final int SMALL_BUFFER = 1024;
    static final int LARGE_BUFFER = 16 * 1024;
    /** Stop reading while this many bytes wait to be written: the backpressure bound. */
    static final int MAX_QUEUED = 256 * 1024;
    static final long BUDGET_RETRY_MS = 10;

    private final AsynchronousSocketChannel channel;
    /** The server's counters, limits and work; its offload pool, or null to work in the callback. */
    private final ConnectionContext context;
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    /** Drained buffers, reused for the next reads: a connection allocates only up to its bound. */
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();
    private final ReadHandler onRead = new ReadHandler();
    private final WriteHandler onWrite = new WriteHandler();
    private int readSize = SMALL_BUFFER;
    private long queued;
    private boolean reading;
    private boolean writing;
    private boolean inputClosed;
    private boolean closed;

    Connection(AsynchronousSocketChannel channel, ConnectionContext context) {
        this.channel = channel;
        this.context = context;
    }

    /** Starts the first read; everything after happens in the callbacks. */
    synchronized void start() {
        startRead();
    }

    private void startRead() {
        if (context.limits().overBudget()) {
            reading = true; // a read is as good as started: nobody else may start one meanwhile
            CompletableFuture.delayedExecutor(BUDGET_RETRY_MS, TimeUnit.MILLISECONDS).execute(this::retryRead);
            return;
        }
        ByteBuffer b = spare.isEmpty() ? ByteBuffer.allocate(readSize) : spare.pop();
        b.clear();
        reading = true;
        // A timeout of 0 means none; NIO.2 fails the read with InterruptedByTimeoutException.
        channel.read(b, context.limits().idleTimeoutMillis(), TimeUnit.MILLISECONDS, b, onRead);
    }

    private synchronized void retryRead() {
        reading = false;
        if (!closed) {
            startRead();
        }
    }

    private synchronized void readCompleted(int n, ByteBuffer b) {
        reading = false;
        if (closed) {
            return;
        }
        if (n < 0) {
            inputClosed = true;
            closeIfDone();
            return;
        }
        context.stats().echoed(n);
        resize(n, b.capacity());
        b.flip();
        queue.add(b);
        queued += n;
        context.limits().reserve(n);
        if (!writing) {
            startWrite();
        }
        // A callback may complete inline (the JDK runs it on this thread when the IO is done at
        // once), so the write above may already have started the next read: check, don't assume.
        if (!reading && queued < MAX_QUEUED) {
            startRead();
        }
    }

    /** Adapts the next reads' size to a read of {@code n} bytes into {@code capacity}; spares of another size go. */
    private void resize(int n, int capacity) {
        int next = readSize;
        if (n == capacity && capacity < LARGE_BUFFER) {
            next = Math.min(capacity * 4, LARGE_BUFFER);
        } else if (n <= SMALL_BUFFER) {
            next = SMALL_BUFFER;
        }
        if (next != readSize) {
            readSize = next;
            spare.clear();
        }
    }

    private void startWrite() {
        writing = true;
        ByteBuffer b = queue.peek();
        channel.write(b, b, onWrite);
    }

    private synchronized void writeCompleted(ByteBuffer b) {
        writing = false;
        if (closed) {
            return;
        }
        if (b.hasRemaining()) {
            startWrite(); // a partial write: the rest of the same buffer goes next
            return;
        }
        queue.pop();
        queued -= b.limit();
        context.limits().release(b.limit());
        if (b.capacity() == readSize) {
            spare.push(b);
        }
        if (!queue.isEmpty()) {
            startWrite();
        }
        // Resume a paused reader once the queue is below the bound again.
        if (!reading && !inputClosed && queued < MAX_QUEUED) {
            startRead();
        }
        closeIfDone();
    }

    private void closeIfDone() {
        if (inputClosed && !writing && queue.isEmpty()) {
            close();
        }
    }

    synchronized void failed(Throwable e) {
        if (closed) {
            return;
        }
        if (e instanceof InterruptedByTimeoutException) {
            context.limits().idleClosed();
            log.debug("idle for {}: closing", context.limits().idleTimeout());
        } else {
            log.debug("connection ended: {}", e.toString());
        }
        close();
    }

    synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        BaseEchoServer.closeQuietly(channel); // the peer may be gone already
        context.limits().release(queued);
        queued = 0;
        context.stats().closed();
    }

    private final class ReadHandler implements CompletionHandler<Integer, ByteBuffer> {
        /**
         * {@code --work} runs here, outside the lock, before the echo is queued. No read is
         * outstanding meanwhile, so messages stay in order even when a pool thread does it.
         */
        @Override
        public void completed(Integer n, ByteBuffer b) {
            Work work = context.work();
            if (n <= 0 || work.isNone()) {
                afterWork(n, b);
            } else if (context.offload() == null) {
                work.perform(); // the classic mistake: a group thread blocked, for every connection
                afterWork(n, b);
            } else {
                context.offload().execute(() -> {
                    work.perform();
                    afterWork(n, b);
                });
            }
        }

        private void afterWork(int n, ByteBuffer b) {
            try {
                readCompleted(n, b);
            } catch (RuntimeException e) { // e.g. the group is shutting down
                Connection.this.failed(e);
            }
        }

        @Override
        public void failed(Throwable e, ByteBuffer b) {
            Connection.this.failed(e);
        }
    }

    private final class WriteHandler implements CompletionHandler<Integer, ByteBuffer> {
        @Override
        public void completed(Integer n, ByteBuffer b) {
            try {
                writeCompleted(b);
            } catch (RuntimeException e) { // e.g. the group is shutting down
                Connection.this.failed(e);
            }
        }

        @Override
        public void failed(Throwable e, ByteBuffer b) {
            Connection.this.failed(e);
        }
    }
}
