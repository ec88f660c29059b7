package dev.echolab.loadgen.driver;

import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.Settings;
import dev.echolab.loadgen.ThreadRecorder;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One selector thread of the {@link NioDriver}, owning connections {@code [first, last)}.
 *
 * <ol>
 *   <li>Connect every connection ({@link NioConnector}).</li>
 *   <li>Wait at the barrier, then fill every connection with up to {@code --pipeline} messages.</li>
 *   <li>Loop: on readable, compare the echoed bytes with the regenerated ones and record each
 *   completed message, then send the next; on writable, finish a partial write. Interest cycles
 *   {@code READ -> (socket full) READ|WRITE -> (drained) READ}.</li>
 *   <li>In the open loop, walk this thread's part of the global schedule and send what is due; in
 *   between, sleep in {@code select} while replies are awaited, park while none is
 *   ({@link #waitForEvents}).</li>
 *   <li>Every {@value #HOUSEKEEPING_MS} ms: time out replies older than {@code --timeout}, looking
 *   only at the connections offered a send since the last look or still awaiting a reply
 *   ({@link #watch}); once at the end, close connections with nothing in flight; at the grace
 *   deadline, time out the rest.</li>
 * </ol>
 *
 * <p>Hot path without allocation: one direct buffer each way, byte arrays reused for the
 * comparison, and {@link Selector#select(Consumer, long)} instead of iterating the selected-key set
 * (whose iterator is a new object on every loop).
 */
public final class NioWorker implements Runnable {

    static final int HOUSEKEEPING_MS = 50;
    private static final int IO_BYTES = 64 * 1024;

    private final Run run;
    private final NioConnection[] connections;
    private final CountDownLatch connected;
    private final CountDownLatch gate;
    private final long connectDeadline;
    private final String connectLimit;
    private final ByteBuffer tx = ByteBuffer.allocateDirect(IO_BYTES);
    private final ByteBuffer rx = ByteBuffer.allocateDirect(IO_BYTES);
    private final byte[] txBytes = new byte[IO_BYTES];
    private final byte[] rxBytes = new byte[IO_BYTES];
    private final byte[] expected = new byte[IO_BYTES];
    private final Consumer<SelectionKey> onEvent = this::onEvent;
    /** This thread's own round-trip histograms: one critical section per read, not atomics per message. */
    private final ThreadRecorder recorder;
    /** {@code --reconnect-every} is set: sockets are replaced during the load ({@link #reconnect}). */
    private final boolean reconnects;
    private final InetSocketAddress target;
    private Selector selector;
    /** Why connections still unopened at the end never opened: the selector's own failure, if any. */
    private IOException notOpened = new IOException("never connected");
    private int open;
    private long now;
    /** Open loop: this thread's position in the global schedule (message seq, index into connections). */
    private long slotSeq = 1;
    private int slotIndex;
    /** Messages of this thread's connections sent and not yet echoed: while any is, sleep in select. */
    private long awaiting;
    private long nextHousekeeping;
    /**
     * The connections a timeout can concern, {@code [0, watchedCount)}: those offered a send since
     * the last housekeeping (every {@link #fill}, after a reply too) or still awaiting a reply. One
     * slot more than there are connections ({@link #watch}). Housekeeping looks at these only: a
     * look at every connection would cost in proportion to the connections, whatever the rate, and
     * at a low rate with many connections that is most of the loop's work (docs/loadgen.md,
     * "Timeouts").
     */
    private final NioConnection[] watched;
    private int watchedCount;
    /** {@code --reconnect-on-fault}: the earliest {@link NioConnection#retryAt} of the connections waiting to reconnect. */
    private long nextRetry = Long.MAX_VALUE;
    /** Whether the end's one look at every connection has been made. */
    private boolean endSwept;
    /**
     * When the loop last took ready events from the kernel ({@link #WAITING} while it waits: the
     * first event sets it, or the wake-up when none came). Set with {@code Math.min}, not with
     * {@code if}: whether a wait ends with no event depends on the machine's timing, and a branch
     * first taken while measuring would send the compiled loop back to the interpreter there.
     */
    private long lookedAt;
    private static final long WAITING = Long.MAX_VALUE;

    private volatile Thread thread;
    private volatile boolean aborted;
    private volatile long graceDeadline = Long.MAX_VALUE;

    /** {@code connectDeadline} ({@code nanoTime}) ends the connect phase; {@code connectLimit} says how it was set. */
    NioWorker(Run run, int first, int last, CountDownLatch connected, CountDownLatch gate, long connectDeadline,
              String connectLimit) {
        this.run = run;
        this.connected = connected;
        this.gate = gate;
        this.connectDeadline = connectDeadline;
        this.connectLimit = connectLimit;
        this.connections = new NioConnection[last - first];
        this.reconnects = run.settings.reconnectEvery() > 0;
        this.target = new InetSocketAddress(run.settings.host(), run.settings.port());
        this.watched = new NioConnection[connections.length + 1];
        this.recorder = run.recorder();
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new NioConnection(first + i, run);
        }
    }

    void abort() {
        aborted = true;
    }

    void stopAt(long deadline) {
        graceDeadline = deadline;
        Selector s = selector;
        if (s != null) {
            s.wakeup();
        }
        LockSupport.unpark(thread);
    }

    @Override
    public void run() {
        boolean connectPhaseOver = false;
        thread = Thread.currentThread();
        try (Selector s = Selector.open()) {
            selector = s;
            open = new NioConnector(run, s, connections).connectAll(connectDeadline, connectLimit);
            connectPhaseOver = true;
            connected.countDown();
            gate.await();
            if (!aborted) {
                load();
            }
        } catch (IOException | RuntimeException e) {
            failAll(ErrorKind.OTHER, "selector thread failed: " + e);
            if (e instanceof IOException io) {
                notOpened = io; // e.g. no descriptor left even for the selector: "Too many open files"
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (NioConnection c : connections) {
                finish(c);
            }
            if (!connectPhaseOver) {
                connected.countDown();
            }
        }
    }

    // ---- load phase ----

    private void load() throws IOException {
        now = System.nanoTime();
        for (NioConnection c : connections) {
            if (c.state == NioConnection.State.OPEN) {
                fillOrFail(c);
            }
        }
        nextHousekeeping = now;
        lookedAt = now;
        while (open > 0 && turn()) {
            // One turn per wake-up; see turn().
        }
    }

    /**
     * One turn of the loop: send what is due, housekeeping when it is time, then wait. A method of
     * its own so the JIT compiles it after a few thousand calls: a loop body left inline is
     * compiled only by on-stack replacement, after tens of thousands of turns, which at 1,000
     * msgs/s is half a minute of interpreted code (measured at 1,000 msgs/s, 20-30 s into a run:
     * 7% of the CPU samples in the interpreter with the loop inline, 3% with this).
     *
     * @return false when the grace deadline has passed and the rest were timed out
     */
    private boolean turn() throws IOException {
        now = System.nanoTime();
        if (now >= graceDeadline) {
            timeOutInFlight();
            return false;
        }
        long nextDue = run.settings.openLoop() ? sendDue() : Long.MAX_VALUE;
        if (now >= nextHousekeeping) {
            housekeeping();
            nextHousekeeping = now + HOUSEKEEPING_MS * 1_000_000L;
        }
        if (now >= nextRetry) {
            retryDue();
        }
        long wakeAt = Math.min(Math.min(nextHousekeeping, graceDeadline), nextRetry);
        if (now < run.end()) {
            wakeAt = Math.min(wakeAt, run.end());
        }
        waitForEvents(wakeAt, nextDue);
        return true;
    }

    /**
     * Waits for IO until {@code wakeAt}, or in the open loop until the next send is {@code due}, so
     * that a reply is read (and timed) the moment it arrives and a send leaves close to its time,
     * without a busy core:
     * <ul>
     *   <li>A reply is awaited (or no send is due first): sleep in {@code select}, which returns the
     *   moment a reply comes. Its timeout is whole milliseconds, so a send due sooner than that goes
     *   out at the first wake-up after its time: usually the next reply, at worst about 1 ms late.</li>
     *   <li>Nothing is awaited and a send is due: nothing can arrive that needs timing, so park until
     *   the send is due. A park overshoots by the kernel's timer slack (50 µs by default on
     *   Linux, more on a busy machine).</li>
     * </ul>
     * Either way the lateness is recorded ({@code send lateness} in the report) and counted in the
     * corrected latency, never hidden. The thread never spins: spinning the last microseconds of
     * every gap costs a core in proportion to the rate, and at a high rate all of it, on a machine
     * the server shares (docs/loadgen.md).
     *
     * <p>Wrong ways (their costs are in docs/loadgen.md): poll with {@code selectNow} whenever a
     * send is near (a core kept busy whatever the rate); park in short quanta between
     * {@code selectNow} calls (every reply read up to a quantum late, which the uncorrected latency
     * then includes); a second thread that wakes the selector at each due send (each wake-up one
     * more context switch on the load generator's core).
     */
    private void waitForEvents(long wakeAt, long due) throws IOException {
        long wait = Math.min(wakeAt, due) - now;
        long busy = System.nanoTime() - lookedAt;
        run.loopTurn(busy, now);
        lookedAt = WAITING;
        if (wait <= 0) {
            selector.selectNow(onEvent);
        } else if (awaiting == 0 && due <= wakeAt) {
            LockSupport.parkNanos(this, wait);
        } else {
            selector.select(onEvent, Math.max(1, wait / 1_000_000L));
        }
        // No event: nothing ready was missed (a park: nothing awaited), so the look is now.
        lookedAt = Math.min(lookedAt, System.nanoTime());
    }

    /**
     * How long the reply read at {@code now} was held in this process after the kernel reported it
     * ready: the events before it in the same batch. The load generator's own share of that round
     * trip, but a floor: a reply that arrived while the loop was busy also waited for the loop's
     * next look, up to one loop turn ({@link Run#loopTurn}, reported beside it); the kernel's
     * arrival time of a TCP segment is not visible to Java.
     */
    private long held() {
        return now - lookedAt;
    }

    private void onEvent(SelectionKey key) {
        NioConnection c = (NioConnection) key.attachment();
        now = System.nanoTime();
        lookedAt = Math.min(lookedAt, now); // the first event of the batch
        try {
            if (c.connecting) {
                if (c.channel.finishConnect()) {
                    reconnected(c);
                }
                return;
            }
            if (key.isReadable()) {
                onReadable(c);
            }
            if (c.state == NioConnection.State.OPEN && key.isValid() && key.isWritable()) {
                fill(c);
            }
        } catch (IOException e) {
            if (c.connecting) {
                reconnectFailed(c, ErrorKind.ofConnect(e), e);
            } else {
                failed(c, e);
            }
        }
    }

    private void fillOrFail(NioConnection c) {
        try {
            fill(c);
        } catch (IOException e) {
            failed(c, e);
        }
    }

    /** Sends what may be sent: finish the current message, then new ones while allowed. */
    private void fill(NioConnection c) throws IOException {
        long before = c.inFlight();
        try {
            send(c);
        } finally {
            awaiting += c.inFlight() - before;
            watch(c);
        }
    }

    /**
     * Puts {@code c} on the list housekeeping looks at, if it is not there yet. Without a branch:
     * the slot after the list is written either way and kept only when {@code c} was not listed
     * (whether it was depends on the machine's timing; see {@link #lookedAt} for why that matters).
     */
    private void watch(NioConnection c) {
        watched[watchedCount] = c;
        watchedCount += 1 - c.watched;
        c.watched = 1;
    }

    private void send(NioConnection c) throws IOException {
        while (true) {
            int len = c.outgoing(txBytes, now);
            if (len == 0) {
                wantWrite(c, false);
                return;
            }
            tx.clear();
            tx.put(txBytes, 0, len).flip();
            int n = c.channel.write(tx);
            c.sent(n, now);
            if (n < len) {
                wantWrite(c, true);
                return;
            }
        }
    }

    private void onReadable(NioConnection c) throws IOException {
        rx.clear();
        int n = c.channel.read(rx);
        if (n < 0) {
            throw new EOFException();
        }
        rx.flip();
        rx.get(rxBytes, 0, n);
        now = System.nanoTime();
        long before = c.inFlight();
        long stamp = recorder.open();
        try {
            c.received(rxBytes, n, expected, recorder, held(), now);
        } finally {
            recorder.close(stamp);
            awaiting += c.inFlight() - before;
        }
        if (reconnects && c.reconnectDue(now)) {
            reconnect(c);
            return;
        }
        fill(c);
        if (c.finished(now)) {
            done(c);
        }
    }

    /**
     * {@code --reconnect-every}: closes {@code c}'s socket (nothing is in flight) and starts a
     * non-blocking connect of a new one on this selector, so the other connections go on meanwhile;
     * {@link #onEvent} finishes it, {@link #housekeeping} times it out. Nothing is sent until it is
     * up ({@link NioConnection#connecting}).
     */
    private void reconnect(NioConnection c) {
        closeSocket(c);
        c.waiting = false;
        c.attempts++;
        c.connectStart = System.nanoTime();
        try {
            c.channel = NioConnector.channel(run.settings.sources(), c.id);
            if (c.channel.connect(target)) {
                reconnected(c);
            } else {
                c.key = c.channel.register(selector, SelectionKey.OP_CONNECT, c);
                watch(c);
            }
        } catch (IOException e) {
            reconnectFailed(c, ErrorKind.ofConnect(e), e);
        }
    }

    /** The new socket is up: its connect time is counted apart from any message, then the load goes on. */
    private void reconnected(NioConnection c) throws IOException {
        c.connecting = false;
        if (c.key == null) {
            c.key = c.channel.register(selector, SelectionKey.OP_READ, c);
        } else {
            c.key.interestOps(SelectionKey.OP_READ);
        }
        now = System.nanoTime();
        run.reconnected(c.id, (now - c.connectStart) / 1000, now);
        fill(c);
        if (c.finished(now)) {
            done(c);
        }
    }

    /**
     * A reconnect failed or timed out ({@code e} null). With {@code --reconnect-on-fault} the
     * attempt is counted and the next one waits for its back-off ({@link #retryLater}); out of
     * attempts, or without the option, it is a connect error and the connection is over. A local
     * limit is never retried (the run's rule for connects: counted once, not hammered).
     */
    private void reconnectFailed(NioConnection c, ErrorKind kind, IOException e) {
        if (c.state != NioConnection.State.OPEN) {
            return;
        }
        if (run.settings.reconnectOnFault() && kind != ErrorKind.LOCAL_LIMIT) {
            if (!run.maySend(c.next(), now) || now >= graceDeadline) {
                run.attemptFailed(c.id, kind); // the run ended while it was down: it ends down
                c.connecting = false;
                done(c);
                return;
            }
            if (c.attempts < run.settings.reconnectAttempts()) {
                run.attemptFailed(c.id, kind);
                retryLater(c);
                return;
            }
        }
        c.connecting = false;
        awaiting -= c.inFlight();
        closeChannel(c);
        open--;
        run.reconnectFailed(c.id, kind, e);
    }

    /**
     * {@code --reconnect-on-fault}: closes {@code c}'s socket and schedules its next reconnect
     * attempt after the back-off ({@link Run#backoffNanos}: the first at once); {@link #turn}
     * wakes up for it ({@link #retryDue}). Nothing is sent meanwhile.
     */
    private void retryLater(NioConnection c) {
        closeSocket(c);
        c.connecting = true;
        c.waiting = true;
        c.retryAt = now + Run.backoffNanos(c.attempts + 1);
        nextRetry = Math.min(nextRetry, c.retryAt);
        watch(c);
    }

    /** Starts the reconnects whose back-off is over (or ends those the run no longer needs); sets the next wake-up. */
    private void retryDue() {
        nextRetry = Long.MAX_VALUE;
        for (int i = 0; i < watchedCount; i++) {
            NioConnection c = watched[i];
            if (c.state != NioConnection.State.OPEN || !c.waiting) {
                continue;
            }
            if (!run.maySend(c.next(), now)) {
                c.waiting = false;
                c.connecting = false;
                done(c);
            } else if (c.retryAt <= now) {
                reconnect(c);
            } else {
                nextRetry = Math.min(nextRetry, c.retryAt);
            }
        }
    }

    private static void closeSocket(NioConnection c) {
        try {
            c.channel.close(); // cancels its key
        } catch (IOException ignored) {
            // The old socket is done with: nothing useful to report.
        }
        c.key = null;
        c.wantWrite = false;
    }

    /**
     * Open loop: sends every message of this thread's part of the schedule that is due by now, and
     * returns when the next one is due. A connection still waiting for replies with
     * {@code --pipeline} messages in flight sends its overdue messages as soon as a reply frees a
     * slot; their latency still counts from the slot's time.
     */
    private long sendDue() {
        while (true) {
            NioConnection c = connections[slotIndex];
            long due = run.intended(c.id, slotSeq);
            if (!run.maySend(slotSeq, due)) {
                return Long.MAX_VALUE;
            }
            if (due > now) {
                return due;
            }
            if (c.state == NioConnection.State.OPEN && c.behind(slotSeq)) {
                fillOrFail(c);
            }
            if (++slotIndex == connections.length) {
                slotIndex = 0;
                slotSeq++;
            }
        }
    }

    /**
     * Times out the watched connections' overdue replies and drops from the list those with nothing
     * in flight (they return at their next {@link #fill}). Once the run is over, one look at every
     * connection closes those with nothing in flight; the others close at their last reply
     * ({@link #onReadable}) or time out here.
     */
    private void housekeeping() {
        long timeout = run.settings.timeout().toNanos();
        for (int i = watchedCount - 1; i >= 0; i--) { // from the end: a dropped entry takes the last one's place
            NioConnection c = watched[i];
            if (c.state == NioConnection.State.OPEN && c.overdue(now, timeout)) {
                fail(c, ErrorKind.TIMEOUT, ErrorKind.noReply(c.id, c.awaited(), "within " + Settings.text(run.settings.timeout())));
            }
            if (c.connecting && !c.waiting && now - c.connectStart >= run.settings.connectTimeout().toNanos()) {
                reconnectFailed(c, ErrorKind.TIMEOUT, null);
            }
            if (c.state != NioConnection.State.OPEN || (c.inFlight() == 0 && !c.connecting)) {
                c.watched = 0;
                watched[i] = watched[--watchedCount];
                watched[watchedCount] = null;
            }
        }
        if (now >= run.end() && !endSwept) {
            endSwept = true;
            for (NioConnection c : connections) {
                if (c.state == NioConnection.State.OPEN && c.finished(now)) {
                    done(c);
                }
            }
        }
    }

    private void timeOutInFlight() {
        for (NioConnection c : connections) {
            if (c.state == NioConnection.State.OPEN && c.inFlight() > 0) {
                fail(c, ErrorKind.TIMEOUT, ErrorKind.noReply(c.id, c.awaited(), "before the run ended"));
            }
        }
    }

    // ---- errors and endings ----

    /** Error policy in one place: an IO failure ends that connection only. */
    private void failed(NioConnection c, IOException e) {
        fail(c, ErrorKind.of(e), ErrorKind.failure(c.id, c.awaited(), e));
    }

    private void wantWrite(NioConnection c, boolean on) {
        if (c.wantWrite != on) {
            c.wantWrite = on;
            c.key.interestOps(on ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }
    }

    /**
     * {@code c}'s socket failed: its messages in flight are counted as failed; with
     * {@code --reconnect-on-fault} it reconnects ({@link #retryLater}), else it is over.
     */
    private void fail(NioConnection c, ErrorKind kind, String line) {
        if (c.state == NioConnection.State.OPEN) {
            awaiting -= c.inFlight();
            c.socketFailed(kind, now);
            if (run.recovers(kind, c.next(), now) && now < graceDeadline) {
                retryLater(c);
                return;
            }
            end(c, kind, line);
        }
    }

    /** {@code c} ends with an error (its messages in flight already counted). */
    private void end(NioConnection c, ErrorKind kind, String line) {
        c.connecting = false;
        c.waiting = false;
        closeChannel(c);
        open--;
        run.failed(kind, line, true);
    }

    /** This selector thread failed: every connection still open ends with an error, none reconnects. */
    private void failAll(ErrorKind kind, String line) {
        for (NioConnection c : connections) {
            if (c.state == NioConnection.State.OPEN) {
                awaiting -= c.inFlight();
                c.socketFailed(kind, now);
                end(c, kind, line);
            }
        }
    }

    private void done(NioConnection c) {
        if (c.state == NioConnection.State.OPEN) {
            awaiting -= c.inFlight();
            closeChannel(c);
            open--;
            run.ended(true);
        }
    }

    /** Last call for every connection: whatever is still open ends cleanly; never-started ones count as ended. */
    private void finish(NioConnection c) {
        if (c.state == NioConnection.State.OPEN) {
            done(c);
        } else if (c.state == NioConnection.State.NEW || c.state == NioConnection.State.CONNECTING) {
            closeChannel(c);
            run.connectFailed(c.id, notOpened);
        }
    }

    public static void closeChannel(NioConnection c) {
        c.state = NioConnection.State.CLOSED;
        if (c.channel != null) {
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // Closing a connection we are done with: nothing useful to report.
            }
        }
    }
}
