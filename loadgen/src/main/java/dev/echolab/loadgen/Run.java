package dev.echolab.loadgen;

import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the drivers share while a run goes on: the phase boundaries, the latency recorders,
 * the counters and the error log. Drivers ask it what to send ({@link #maySend}, {@link #intended})
 * and tell it what happened ({@link #connected}, {@link #connectFailed}, {@link #completed},
 * {@link #failed}, {@link #ended}); the command and the {@link Monitor} read the rest.
 *
 * <p>Why timestamps and not phase flags: a completion belongs to the warm-up or to the measurement
 * by the time it happened, decided where it happened, and goes to that phase's recorder; so no
 * message is counted in the wrong phase however late a thread (or the monitor, starved by 500
 * client threads on one core) notices a phase change. "Resetting the recorders" after the warm-up
 * is exactly this switch to recorders that hold nothing else.
 */
final class Run {

    final Settings settings;
    final Messages messages;
    /** Warm-up round trips: only for the progress lines, never in the results. */
    final Recorder warmup = new Recorder(3);
    /** Measured round trips from the actual send (what the server did with the message). */
    final Recorder latency = new Recorder(3);
    /** Open loop only: round trips from the intended send time (what a user waiting on the schedule saw). */
    final Recorder corrected;
    /** Open loop only: how far behind its intended time each measured message left (the pacing's own error). */
    final Recorder sendLateness;
    final Recorder connectTimes = new Recorder(3);

    private final LongAdder verified = new LongAdder();
    private final LongAdder measuredBytes = new LongAdder();
    private final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    private final AtomicReferenceArray<String> firstErrors = new AtomicReferenceArray<>(ErrorKind.values().length);
    /** Written only by the thread that owns the connection; read after the drivers are joined. */
    private final long[] measuredPerConnection;
    private final long[] repliesPerConnection;
    private final boolean[] up;
    private final boolean[] sent;
    private final AtomicInteger live = new AtomicInteger();
    private final CountDownLatch ended;

    private volatile long sendStart;
    private volatile long warmEnd = Long.MAX_VALUE;
    private volatile long end = Long.MAX_VALUE;
    private volatile long lastEnded;
    private final double nanosPerSlot;

    Run(Settings settings) {
        this.settings = settings;
        this.messages = new Messages(settings.size());
        this.corrected = settings.openLoop() ? new Recorder(3) : null;
        this.sendLateness = settings.openLoop() ? new Recorder(3) : null;
        this.measuredPerConnection = new long[settings.connections()];
        this.repliesPerConnection = new long[settings.connections()];
        this.up = new boolean[settings.connections()];
        this.sent = new boolean[settings.connections()];
        this.ended = new CountDownLatch(settings.connections());
        this.nanosPerSlot = settings.openLoop() ? 1e9 / settings.rate() : 0;
        for (int i = 0; i < errors.length; i++) {
            errors[i] = new LongAdder();
        }
    }

    /** Fixes the phase boundaries; called once, after every connection is up, before the load starts. */
    void begin(long now) {
        sendStart = now;
        warmEnd = now + settings.effectiveWarmup().toNanos();
        end = warmEnd + settings.measureLimit().toNanos();
    }

    long warmEnd() {
        return warmEnd;
    }

    long end() {
        return end;
    }

    /**
     * When message {@code seq} of connection {@code id} is due: in the open loop, slot
     * {@code (seq - 1) * connections + id} of one global schedule spaced 1/rate apart, so the
     * connections take turns and the total rate is exact; in the closed loop, now (0).
     */
    long intended(int id, long seq) {
        if (nanosPerSlot == 0) {
            return 0;
        }
        double slot = (double) (seq - 1) * settings.connections() + id;
        return sendStart + (long) (slot * nanosPerSlot);
    }

    /** May connection {@code id} send message {@code seq} at {@code now}? */
    boolean maySend(long seq, long now) {
        return now < end && (settings.messages() == 0 || seq <= settings.messages());
    }

    /** Is message {@code seq} the last one this connection will ever send? */
    boolean lastMessage(long seq) {
        return settings.messages() > 0 && seq >= settings.messages();
    }

    /** Connection {@code id} has sent its first message: from now on, no reply at all is starvation. */
    void firstSend(int id) {
        sent[id] = true;
    }

    void connected(int id, long micros) {
        up[id] = true;
        live.incrementAndGet();
        connectTimes.recordValue(micros);
    }

    /** A verified echo of a message sent at {@code sent} for slot {@code intended} (0: closed loop). */
    void completed(int id, int length, long sent, long intended, long now) {
        verified.increment();
        repliesPerConnection[id]++;
        if (now >= end) {
            return;
        }
        if (now < warmEnd) {
            warmup.recordValue((now - sent + 500) / 1000);
            return;
        }
        latency.recordValue((now - sent + 500) / 1000);
        if (corrected != null) {
            corrected.recordValue((now - Math.min(sent, intended) + 500) / 1000);
            sendLateness.recordValue((Math.max(0, sent - intended) + 500) / 1000);
        }
        measuredPerConnection[id]++;
        measuredBytes.add(length);
    }

    /** Connection {@code id} could not be opened: counted under its kind, with the line that names the cause. */
    void connectFailed(int id, IOException e) {
        ErrorKind kind = ErrorKind.ofConnect(e);
        failed(kind, ErrorKind.connectFailure(kind, settings, id, e), false);
    }

    /** Connection {@code id} failed; it is over. {@code line} is the one-line description. */
    void failed(ErrorKind kind, String line, boolean wasLive) {
        errors[kind.ordinal()].increment();
        firstErrors.compareAndSet(kind.ordinal(), null, line);
        ended(wasLive);
    }

    /** Connection is over (done, failed or never connected); called exactly once per connection. */
    void ended(boolean wasLive) {
        if (wasLive) {
            live.decrementAndGet();
        }
        lastEnded = System.nanoTime();
        ended.countDown();
    }

    /** When the last connection ended (valid once all have). */
    long lastEnded() {
        return lastEnded;
    }

    /** Waits until every connection has ended or the timeout passes; true if all ended. */
    boolean awaitAllEnded(long nanos) throws InterruptedException {
        return ended.await(nanos, TimeUnit.NANOSECONDS);
    }

    int live() {
        return live.get();
    }

    long verified() {
        return verified.sum();
    }

    long measuredBytes() {
        return measuredBytes.sum();
    }

    long errors(ErrorKind kind) {
        return errors[kind.ordinal()].sum();
    }

    long errorTotal() {
        long sum = 0;
        for (LongAdder e : errors) {
            sum += e.sum();
        }
        return sum;
    }

    String firstError(ErrorKind kind) {
        return firstErrors.get(kind.ordinal());
    }

    long[] measuredPerConnection() {
        return measuredPerConnection.clone();
    }

    long[] repliesPerConnection() {
        return repliesPerConnection.clone();
    }

    boolean[] up() {
        return up.clone();
    }

    boolean[] sent() {
        return sent.clone();
    }

    /** Describes the first differing byte of a bad echo, e.g. for {@code expected 'e' (0x65), got 'x' (0x78)}. */
    static String mismatch(int id, long seq, int offset, byte expected, byte got) {
        return "mismatch on connection " + id + ", message " + seq + ", byte " + offset
                + ": expected " + show(expected) + ", got " + show(got);
    }

    private static String show(byte b) {
        int v = b & 0xff;
        String c = v >= 0x20 && v < 0x7f ? "'" + (char) v + "' " : v == '\n' ? "'\\n' " : "";
        return c + String.format("(0x%02x)", v);
    }
}
