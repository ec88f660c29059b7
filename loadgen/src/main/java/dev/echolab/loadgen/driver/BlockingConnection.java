package dev.echolab.loadgen.driver;

import dev.echolab.client.EchoClient;
import dev.echolab.loadgen.ErrorKind;
import dev.echolab.loadgen.Messages;
import dev.echolab.loadgen.Run;
import dev.echolab.loadgen.Settings;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * One client connection driven by one thread with blocking IO: connect, wait at the barrier, then
 * keep up to {@code --pipeline} messages in flight, reading each echo back in full and comparing it
 * byte for byte before the next message is sent.
 *
 * <pre>
 *   connect --(gate opens)--> [ send while in flight &lt; K and due ] --> read one echo, verify
 *                                  ^                                         |
 *                                  +-----------------------------------------+
 *   ends when nothing is in flight and nothing more may be sent (end of run or --messages reached)
 * </pre>
 *
 * In the open loop a message is due at its slot in the schedule ({@link Run#intended}); with
 * nothing in flight the thread waits for it with the {@link Pacer}.
 */
final class BlockingConnection implements Runnable {

    private final int id;
    private final Run run;
    private final Messages messages;
    private final CountDownLatch connected;
    private final CountDownLatch gate;
    private final int pipeline;
    private final long[] sentAt;
    private final long[] dueAt;
    private final byte[] scratch = new byte[Messages.SCRATCH_BYTES];
    private byte[] sendBuffer = new byte[0];
    private byte[] receiveBuffer = new byte[0];
    private byte[] expected = new byte[0];
    /** The message whose echo is awaited: named in timeout and closed-early lines. */
    private long currentSeq = 1;
    /** The next message to send and the next echo to read: the messages in between are in flight. */
    private long nextSend = 1;
    private long nextReceive = 1;
    /** Reconnect attempts since the last verified echo ({@code --reconnect-on-fault} gives up after N). */
    private int attempts;

    private volatile EchoClient client;
    private volatile boolean aborted;

    BlockingConnection(int id, Run run, CountDownLatch connected, CountDownLatch gate) {
        this.id = id;
        this.run = run;
        this.messages = run.messages;
        this.connected = connected;
        this.gate = gate;
        this.pipeline = run.settings.pipeline();
        this.sentAt = new long[pipeline];
        this.dueAt = new long[pipeline];
    }

    @Override
    public void run() {
        if (!open()) {
            return;
        }
        try {
            gate.await();
            if (!aborted && !load()) {
                return;
            }
            close(client);
            run.ended(true);
        } catch (IOException e) {
            close(client);
            ErrorKind kind = aborted ? ErrorKind.TIMEOUT : ErrorKind.of(e);
            String line = kind == ErrorKind.TIMEOUT ? ErrorKind.noReply(id, currentSeq,
                    aborted ? "before the run ended" : "within " + Settings.text(run.settings.timeout()))
                    : ErrorKind.failure(id, currentSeq, e);
            failInFlight(kind);
            run.failed(kind, line, true);
        } catch (InterruptedException e) {
            close(client);
            run.ended(true);
        }
    }

    /** The thread could not even be created (e.g. the OS thread limit). */
    void couldNotStart(Throwable e) {
        run.failed(ErrorKind.OTHER, "connection " + id + ": could not start a thread: " + e.getMessage(), false);
        connected.countDown();
    }

    /** Makes a blocked read fail now; the failure then counts as a timeout, not as a server error. */
    void abort() {
        aborted = true;
        EchoClient c = client;
        if (c != null) {
            close(c);
        }
    }

    private boolean open() {
        Settings s = run.settings;
        long start = System.nanoTime();
        try {
            client = EchoClient.connect(s.host(), s.port(), s.connectTimeout(), s.timeout());
            run.connected(id, (System.nanoTime() - start) / 1000);
            return true;
        } catch (IOException e) {
            run.connectFailed(id, e);
            return false;
        } finally {
            connected.countDown();
        }
    }

    /**
     * The load on this connection; false when it ended here (a reconnect that failed, counted as a
     * connect error, or a run that ended while it was down). With {@code --reconnect-every} the
     * socket is replaced once nothing is in flight and the next message starts a new share
     * ({@link Run#sameSocket}); its connect time is counted by {@link Run#reconnected}, outside
     * every message's round trip (the next send is stamped after it). With
     * {@code --reconnect-on-fault} a socket that fails is replaced the same way ({@link #reopen}),
     * after its messages in flight are counted as failed; a mismatch still ends the connection.
     */
    private boolean load() throws IOException {
        EchoClient c = client;
        while (true) {
            long now = System.nanoTime();
            try {
                if (nextSend == nextReceive && run.reconnectBefore(nextSend) && run.maySend(nextSend, now)) {
                    c = reopen(c);
                    if (c == null) {
                        return false;
                    }
                    now = System.nanoTime();
                }
                while (nextSend - nextReceive < pipeline && run.sameSocket(nextSend, nextReceive) && run.maySend(nextSend, now)) {
                    long due = run.intended(id, nextSend);
                    if (due > now) {
                        if (nextSend != nextReceive) {
                            break;
                        }
                        Pacer.awaitNanos(Math.min(due, run.end()));
                        now = System.nanoTime();
                        continue;
                    }
                    long seq = nextSend++;
                    send(c, seq, now, due == 0 ? now : due);
                }
                if (nextSend == nextReceive) {
                    return true;
                }
                receive(c, nextReceive);
                nextReceive++;
            } catch (IOException e) {
                ErrorKind kind = ErrorKind.of(e);
                now = System.nanoTime();
                if (aborted || !run.recovers(kind, nextSend, now)) {
                    throw e;
                }
                failInFlight(kind);
                c = reopen(c);
                if (c == null) {
                    return false;
                }
            }
        }
    }

    /** The socket failed ({@code kind}): the messages in flight on it are failed, and the next socket starts after them. */
    private void failInFlight(ErrorKind kind) {
        long bytes = 0;
        for (long seq = nextReceive; seq < nextSend; seq++) {
            bytes += messages.length(id, seq);
        }
        run.socketFailed(id, kind, nextSend - nextReceive, bytes, sentAt[(int) (nextReceive % pipeline)], System.nanoTime());
        nextReceive = nextSend;
        currentSeq = nextSend;
    }

    /**
     * Closes {@code old} and opens the socket again. Once ({@code --reconnect-every}); with
     * {@code --reconnect-on-fault}, up to its attempts in a row since the last verified echo, each
     * after the back-off ({@link Run#backoffNanos}), a failed one counted by kind. Null when the
     * connection ended here: out of attempts (counted as a connect error), or the run ended first.
     */
    private EchoClient reopen(EchoClient old) throws IOException {
        close(old);
        Settings s = run.settings;
        while (true) {
            attempts++;
            long wait = s.reconnectOnFault() ? Run.backoffNanos(attempts) : 0;
            if (wait > 0) {
                LockSupport.parkNanos(Math.min(wait, Math.max(0, run.end() - System.nanoTime())));
            }
            if (aborted || !run.maySend(nextSend, System.nanoTime())) {
                run.ended(true); // the run is over while this connection is down: it ends down
                return null;
            }
            long start = System.nanoTime();
            EchoClient c;
            try {
                c = EchoClient.connect(s.host(), s.port(), s.connectTimeout(), s.timeout());
            } catch (IOException e) {
                ErrorKind kind = ErrorKind.ofConnect(e);
                if (attempts < s.reconnectAttempts() && kind != ErrorKind.LOCAL_LIMIT) {
                    run.attemptFailed(id, kind);
                    continue;
                }
                run.reconnectFailed(id, kind, e);
                return null;
            }
            long now = System.nanoTime();
            client = c;
            if (aborted) { // abort() closed the old socket, perhaps before this one was visible to it
                close(c);
                throw new SocketTimeoutException("aborted while reconnecting");
            }
            run.reconnected(id, (now - start) / 1000, now);
            return c;
        }
    }

    private void send(EchoClient c, long seq, long now, long due) throws IOException {
        int length = messages.length(id, seq);
        sendBuffer = sized(sendBuffer, length);
        messages.write(id, seq, 0, sendBuffer, 0, length, scratch);
        int slot = (int) (seq % pipeline);
        sentAt[slot] = now;
        dueAt[slot] = due;
        if (seq == 1) {
            run.firstSend(id);
        }
        run.sending(id, length);
        c.send(sendBuffer);
    }

    private void receive(EchoClient c, long seq) throws IOException {
        int length = messages.length(id, seq);
        receiveBuffer = sized(receiveBuffer, length);
        expected = sized(expected, length);
        c.receive(receiveBuffer);
        long now = System.nanoTime();
        messages.write(id, seq, 0, expected, 0, length, scratch);
        int diff = Arrays.mismatch(expected, receiveBuffer);
        if (diff >= 0) {
            throw new ErrorKind.MismatchException(Run.mismatch(id, seq, diff, expected[diff], receiveBuffer[diff]));
        }
        int slot = (int) (seq % pipeline);
        run.completed(id, length, sentAt[slot], dueAt[slot], -1, now); // -1: a blocked read's wait for a core is the scheduler's, unseen
        currentSeq = seq + 1;
        attempts = 0;
    }

    private static byte[] sized(byte[] buffer, int length) {
        return buffer.length == length ? buffer : new byte[length];
    }

    private static void close(EchoClient c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing a socket we are done with: nothing useful to report.
        }
    }
}
