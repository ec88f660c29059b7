package dev.echolab.loadgen;

import dev.echolab.loadgen.driver.NioWorker;
import org.HdrHistogram.Recorder;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
public final class Run {

    public final Settings settings;
    public final Messages messages;
    /** What the warm-up recorded: only for the progress lines, never in the results. */
    final Phase warm;
    /** What the measurement recorded. */
    final Phase measured;
    /** {@code [0]} warm-up, {@code [1]} measurement, chosen by {@link #phase} without a branch. */
    private final Phase[] phases;
    final Recorder connectTimes = new Recorder(3);
    /** Failures, outages and the messages sent, echoed and failed ({@code --reconnect-on-fault} and without it). */
    final Outages outages;

    private final LongAdder verified = new LongAdder();
    /** The selector threads' own recorders ({@link #recorder}); the monitor adds their intervals to the phases'. */
    final List<ThreadRecorder> threadRecorders = new CopyOnWriteArrayList<>();
    private final LongAdder[] errors = new LongAdder[ErrorKind.values().length];
    private final AtomicReferenceArray<String> firstErrors = new AtomicReferenceArray<>(ErrorKind.values().length);
    /** Written only by the thread that owns the connection; read after the drivers are joined. */
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
    /** Open loop: the ramp's length in ns (0: the full rate from the first message) and the slots it holds. */
    private final double rampNanos;
    private final double rampSlots;

    Run(Settings settings) {
        this.settings = settings;
        this.messages = new Messages(settings.size());
        this.warm = new Phase(settings);
        this.measured = new Phase(settings);
        this.phases = new Phase[] {warm, measured};
        this.repliesPerConnection = new long[settings.connections()];
        this.up = new boolean[settings.connections()];
        this.sent = new boolean[settings.connections()];
        this.ended = new CountDownLatch(settings.connections());
        this.outages = new Outages(this, settings.connections());
        this.nanosPerSlot = settings.openLoop() ? 1e9 / settings.rate() : 0;
        this.rampNanos = settings.openLoop() ? settings.ramp().toNanos() : 0;
        this.rampSlots = settings.openLoop() ? rampNanos / nanosPerSlot / 2 : 0;
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

    public long end() {
        return end;
    }

    /**
     * When message {@code seq} of connection {@code id} is due: in the open loop, slot
     * {@code (seq - 1) * connections + id} of one global schedule spaced 1/rate apart, so the
     * connections take turns and the total rate is exact; in the closed loop, now (0).
     *
     * <p>With {@code --ramp T} the rate rises in a straight line from 0 to R over the first T:
     * by time t < T, R t² / 2T slots have been due, so slot s (of the R T / 2 the ramp holds) is
     * due at sqrt(2 T s / R), and every slot after them 1/R after the one before, from T on. A
     * cold server (a JIT still compiling, pools still growing) meets a load it can take, instead
     * of a backlog that the whole measurement then pays off (docs/loadgen.md). Written with
     * {@code min}/{@code max}, not with a branch at the ramp's end, for the reason given at
     * {@link #completed}; with no ramp it is exactly {@code s / R}.
     */
    public long intended(int id, long seq) {
        if (nanosPerSlot == 0) {
            return 0;
        }
        double slot = (double) (seq - 1) * settings.connections() + id;
        double inRamp = Math.min(slot, rampSlots);
        double afterRamp = Math.max(0, slot - rampSlots);
        return sendStart + (long) (Math.sqrt(2 * rampNanos * nanosPerSlot * inRamp) + afterRamp * nanosPerSlot);
    }

    /** May connection {@code id} send message {@code seq} at {@code now}? */
    public boolean maySend(long seq, long now) {
        return now < end && (settings.messages() == 0 || seq <= settings.messages());
    }

    /** Is message {@code seq} the last one this connection will ever send? */
    boolean lastMessage(long seq) {
        return settings.messages() > 0 && seq >= settings.messages();
    }

    /** Connection {@code id} has sent its first message: from now on, no reply at all is starvation. */
    public void firstSend(int id) {
        sent[id] = true;
    }

    public void connected(int id, long micros) {
        up[id] = true;
        live.incrementAndGet();
        connectTimes.recordValue(micros);
    }

    /**
     * Connection {@code id} opened its socket again ({@code --reconnect-every}) in {@code micros}, at
     * {@code now}: a connect time like the first one's, and a connection opened in the phase of
     * {@code now}. Not a new logical connection: its counts and fairness stay those of {@code id}.
     */
    public void reconnected(int id, long micros, long now) {
        connectTimes.recordValue(micros);
        outages.reconnected(id, now);
        if (now < end) {
            phases[phase(now)].connects[id]++;
        }
    }

    /** Connection {@code id} could not open its socket again: a connect error, and the connection is over. */
    public void reconnectFailed(int id, ErrorKind kind, IOException e) {
        outages.failed(id, kind, 0, 0, System.nanoTime());
        String line = ErrorKind.connectFailure(kind, settings, id, e);
        failed(kind, settings.reconnectOnFault() ? line + " (" + settings.reconnectAttempts() + " reconnect attempts in a row)" : line,
                true);
    }

    /**
     * {@code --reconnect-on-fault}: an attempt to open connection {@code id}'s socket again failed;
     * the connection stays down and tries again after its back-off.
     */
    public void attemptFailed(int id, ErrorKind kind) {
        outages.failed(id, kind, 0, 0, System.nanoTime());
    }

    /**
     * Connection {@code id}'s socket failed ({@code kind}) with {@code messages} of {@code bytes} in
     * flight, the oldest sent at {@code oldestSent} (or none: then the failure's time {@code now}).
     * Those messages are failed, never lost; the connection is down from then until a new socket
     * is up ({@link #reconnected}). The driver then either ends the connection ({@link #failed}) or,
     * with {@code --reconnect-on-fault}, opens a new socket.
     */
    public void socketFailed(int id, ErrorKind kind, long messages, long bytes, long oldestSent, long now) {
        outages.failed(id, kind, messages, bytes, messages > 0 ? Math.min(oldestSent, now) : now);
    }

    /** Connection {@code id} starts sending a message of {@code length} bytes: it is in flight until echoed or failed. */
    public void sending(int id, int length) {
        outages.sending(id, length);
    }

    /**
     * Whether connection {@code id} reconnects after its socket failed with {@code kind} at
     * {@code now}: with {@code --reconnect-on-fault}, while the run still wants messages from it,
     * for every kind but a mismatch (a server that corrupts an echo is broken, not down).
     */
    public boolean recovers(ErrorKind kind, long nextSeq, long now) {
        return settings.reconnectOnFault() && kind != ErrorKind.MISMATCH && maySend(nextSeq, now);
    }

    /** The wait before reconnect attempt {@code attempt} (1: the first after the failure, at once). */
    public static long backoffNanos(int attempt) {
        return Outages.backoffNanos(attempt);
    }

    /** The reconnect due before message {@code seq}, if any: {@code --reconnect-every} messages verified since the last. */
    public boolean reconnectBefore(long seq) {
        long every = settings.reconnectEvery();
        return every > 0 && seq > 1 && (seq - 1) % every == 0;
    }

    /**
     * Whether message {@code seq} may start while {@code awaited} is the oldest unverified one: with
     * {@code --reconnect-every}, only within the same socket's share of messages, so that the
     * socket is closed with nothing in flight.
     */
    public boolean sameSocket(long seq, long awaited) {
        long every = settings.reconnectEvery();
        return every == 0 || (seq - 1) / every == (awaited - 1) / every;
    }

    /**
     * A verified echo of a message sent at {@code sent} for slot {@code intended} (0: closed loop);
     * {@code held} is how long the reply had been in this process's hands before {@code now} (see
     * NioWorker#held), or -1 where the driver cannot tell.
     *
     * <p>The warm-up records exactly what the measurement records, into its own {@link Phase}, and
     * the phase is picked by arithmetic, not by a branch. The JIT compiles a branch that was never
     * taken into a trap: with {@code if (now < warmEnd)} here, the first measured message threw the
     * whole compiled hot path (this method is inlined into the drivers' loops) back to the
     * interpreter, and the first measured second ran at about half speed with twice the p99
     * (measured: 48,748 msgs/s against 97,000-117,000 in the seconds around it, p99 17 ms against
     * 7-8 ms; {@code -Xlog:deoptimization} showed {@code unstable_if} in this method at the warm-up's
     * end). The end of the measurement is still a branch: what it traps, nothing measures.
     */
    public void completed(int id, int length, long sent, long intended, long held, long now) {
        verified.increment();
        repliesPerConnection[id]++;
        outages.echoed(id, length);
        if (now >= end) {
            return;
        }
        Phase p = phases[phase(now)];
        p.count(id, 1, length);
        p.record(sent, intended, held, now);
    }

    /**
     * The phase of a round trip completed at {@code now} (0 warm-up, 1 measurement), chosen as
     * {@link #completed} chooses it, or -1 after the end (counted as verified only).
     */
    public int phaseAt(long now) {
        return now >= end ? -1 : phase(now);
    }

    /**
     * {@link #completed} for {@code count} echoes of connection {@code id} at once, {@code bytes}
     * in all, completed in {@code phase} ({@link #phaseAt}), by a thread with its own
     * {@link ThreadRecorder} inside a section it opened: the same counts, one update per read
     * rather than per message; the round trips themselves go to {@link ThreadRecorder#record}.
     */
    public void completed(ThreadRecorder recorder, int id, int count, long bytes, int phase) {
        recorder.verified(count);
        repliesPerConnection[id] += count;
        outages.echoed(id, bytes);
        if (phase >= 0) {
            phases[phase].count(id, count, bytes);
        }
    }

    /** A recorder of the calling thread's own, for {@link #completed(ThreadRecorder, int, int, long, int)}. */
    public ThreadRecorder recorder() {
        ThreadRecorder r = new ThreadRecorder(settings.openLoop());
        threadRecorders.add(r);
        return r;
    }

    /** The nio driver's loop was busy for {@code busy} ns before looking for ready events again. */
    public void loopTurn(long busy, long now) {
        if (now < end) {
            phases[phase(now)].loopTurns.recordValue((busy + 500) / 1000);
        }
    }

    /** 0 before the warm-up's end, 1 from it on: the sign bit of {@code warmEnd - 1 - now}. */
    private int phase(long now) {
        return (int) ((warmEnd - 1 - now) >>> 63);
    }

    /** The recorders and counters of one phase; the warm-up's and the measurement's are alike. */
    static final class Phase {
        /** Round trips from the actual send (what the server did with the message). */
        final Recorder latency = new Recorder(3);
        /** Open loop only: round trips from the intended send time (what a user waiting on the schedule saw). */
        final Recorder corrected;
        /** Open loop only: how far behind its intended time each message left (the pacing's own error). */
        final Recorder sendLateness;
        /** The nio driver only: how long each reply was held in this process after the kernel reported it (NioWorker#held). */
        final Recorder held = new Recorder(3);
        /** The nio driver only: how long each turn of the loop was busy between two looks for ready events. */
        final Recorder loopTurns = new Recorder(3);
        private final long[] perConnection;
        /**
         * Per connection like the counts, each written by its connection's thread only: a
         * {@code LongAdder} here, first used at the warm-up's end, would take its never-profiled
         * first-use path there (and trap) just when the measurement starts.
         */
        private final long[] bytes;
        /** Sockets opened again ({@code --reconnect-every}) per connection, by its thread only. */
        private final long[] connects;

        Phase(Settings settings) {
            corrected = settings.openLoop() ? new Recorder(3) : null;
            sendLateness = settings.openLoop() ? new Recorder(3) : null;
            perConnection = new long[settings.connections()];
            bytes = new long[settings.connections()];
            connects = new long[settings.connections()];
        }

        private void count(int id, int messages, long length) {
            perConnection[id] += messages;
            bytes[id] += length;
        }

        private void record(long sent, long intended, long held, long now) {
            latency.recordValue((now - sent + 500) / 1000);
            if (held >= 0) {
                this.held.recordValue((held + 500) / 1000);
            }
            if (corrected != null) {
                corrected.recordValue((now - Math.min(sent, intended) + 500) / 1000);
                sendLateness.recordValue((Math.max(0, sent - intended) + 500) / 1000);
            }
        }
    }

    /** Connection {@code id} could not be opened: counted under its kind, with the line that names the cause. */
    public void connectFailed(int id, IOException e) {
        ErrorKind kind = ErrorKind.ofConnect(e);
        failed(kind, ErrorKind.connectFailure(kind, settings, id, e), false);
    }

    /** Connection {@code id} failed; it is over. {@code line} is the one-line description. */
    public void failed(ErrorKind kind, String line, boolean wasLive) {
        if (wasLive) {
            outages.lost();
        }
        errors[kind.ordinal()].increment();
        firstErrors.compareAndSet(kind.ordinal(), null, line);
        ended(wasLive);
    }

    /** Connection is over (done, failed or never connected); called exactly once per connection. */
    public void ended(boolean wasLive) {
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
        long n = verified.sum();
        for (ThreadRecorder r : threadRecorders) {
            n += r.published();
        }
        return n;
    }

    long measuredBytes() {
        return java.util.Arrays.stream(measured.bytes).sum(); // read after the drivers are joined
    }

    /** Connections opened in the measurement: the reconnects, as the first connects precede it. */
    long measuredConnects() {
        return java.util.Arrays.stream(measured.connects).sum(); // read after the drivers are joined
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

    public long[] measuredPerConnection() {
        return measured.perConnection.clone();
    }

    long[] repliesPerConnection() {
        return repliesPerConnection.clone();
    }

    public boolean[] up() {
        return up.clone();
    }

    boolean[] sent() {
        return sent.clone();
    }

    /** Describes the first differing byte of a bad echo, e.g. for {@code expected 'e' (0x65), got 'x' (0x78)}. */
    public static String mismatch(int id, long seq, int offset, byte expected, byte got) {
        return "mismatch on connection " + id + ", message " + seq + ", byte " + offset
                + ": expected " + show(expected) + ", got " + show(got);
    }

    private static String show(byte b) {
        int v = b & 0xff;
        String c = v >= 0x20 && v < 0x7f ? "'" + (char) v + "' " : v == '\n' ? "'\\n' " : "";
        return c + String.format("(0x%02x)", v);
    }
}
