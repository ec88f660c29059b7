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
        EchoClient c = client;
        try {
            gate.await();
            if (!aborted) {
                load(c);
            }
            close(c);
            run.ended(true);
        } catch (IOException e) {
            close(c);
            if (aborted || e instanceof SocketTimeoutException) {
                run.failed(ErrorKind.TIMEOUT, ErrorKind.noReply(id, currentSeq,
                        aborted ? "before the run ended" : "within " + Settings.text(run.settings.timeout())), true);
            } else {
                run.failed(ErrorKind.of(e), ErrorKind.failure(id, currentSeq, e), true);
            }
        } catch (InterruptedException e) {
            close(c);
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

    private void load(EchoClient c) throws IOException {
        long nextSend = 1;
        long nextReceive = 1;
        while (true) {
            long now = System.nanoTime();
            while (nextSend - nextReceive < pipeline && run.maySend(nextSend, now)) {
                long due = run.intended(id, nextSend);
                if (due > now) {
                    if (nextSend != nextReceive) {
                        break;
                    }
                    Pacer.awaitNanos(Math.min(due, run.end()));
                    now = System.nanoTime();
                    continue;
                }
                send(c, nextSend++, now, due == 0 ? now : due);
            }
            if (nextSend == nextReceive) {
                return;
            }
            receive(c, nextReceive++);
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
