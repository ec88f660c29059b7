package dev.echolab.loadgen;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round trips one thread records (a selector thread of the nio driver), in plain histograms of
 * its own, one set per phase, that the {@link Monitor} takes each second and adds to the run's.
 *
 * <p>Why not the run's shared {@link org.HdrHistogram.Recorder}s: each of their
 * {@code recordValue}s is a handful of atomic operations (the recorder's phaser, and the
 * concurrent histogram's own phaser, count and total), two recorders per message. Here the
 * writer opens one critical section of HdrHistogram's {@link WriterReaderPhaser} per read
 * ({@link #open}, {@link #close}: one atomic each), however many replies that read completes, and
 * records each into plain {@link Histogram}s; the monitor swaps the histograms under the
 * phaser's reader lock ({@link #takeInto}), exactly as a {@code Recorder} does. Verified echoes
 * are counted in a plain field and published (an ordered store, no atomic) when the section
 * closes.
 *
 * <p>Single writer: only the owning thread calls {@link #open}, {@link #record} and {@link #close}.
 */
public final class ThreadRecorder {

    /** Latency from the actual send, from the intended send, send lateness, held. */
    static final int LATENCY = 0, CORRECTED = 1, SEND_LATENESS = 2, HELD = 3, KINDS = 4;
    private static final long PRESIZE_MICROS = TimeUnit.MINUTES.toMicros(1);

    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private final boolean openLoop;
    /** {@code [phase][kind]}: what the writer records into; replaced by the monitor under the phaser. */
    private final Histogram[][] active = new Histogram[2][];
    /** {@code [phase][kind]}: the monitor's spare set, handed to the writer at the next take. */
    private final Histogram[][] inactive = new Histogram[2][];
    private long verified;
    private final AtomicLong published = new AtomicLong();

    ThreadRecorder(boolean openLoop) {
        this.openLoop = openLoop;
        for (int p = 0; p < 2; p++) {
            active[p] = histograms();
            inactive[p] = histograms();
        }
    }

    /**
     * Histograms sized to hold a minute from the start, so that recording never resizes (an
     * allocation on the writer's thread) below that; above it they still grow, so no value is ever
     * out of range.
     */
    private static Histogram[] histograms() {
        Histogram[] h = new Histogram[KINDS];
        for (int k = 0; k < KINDS; k++) {
            h[k] = new Histogram(1, PRESIZE_MICROS, 3);
            h[k].setAutoResize(true);
        }
        return h;
    }

    /** Opens the writer's critical section; pass the result to {@link #close}. */
    public long open() {
        return phaser.writerCriticalSectionEnter();
    }

    /** Closes the critical section {@link #open} returned {@code stamp} for, publishing the count of verified echoes. */
    public void close(long stamp) {
        published.lazySet(verified);
        phaser.writerCriticalSectionExit(stamp);
    }

    /** {@code count} verified echoes, counted whatever their phase (inside an open section). */
    void verified(int count) {
        verified += count;
    }

    /** Verified echoes published so far (by the last {@link #close}). */
    long published() {
        return published.get();
    }

    /**
     * Records one completed round trip into phase {@code phase} (0 warm-up, 1 measurement), inside
     * an open section; times in ns. Each one on its own: counting equal round trips together would
     * need a comparison with the one before, whose outcome depends on the machine's timing (two
     * replies in one read with equal values), and C2 compiles a side never seen during the warm-up
     * as a trap that the measured seconds can spring (WarmupTransitionIT).
     */
    public void record(int phase, long sent, long intended, long held, long now) {
        Histogram[] h = active[phase];
        h[LATENCY].recordValue((now - sent + 500) / 1000);
        h[HELD].recordValue((held + 500) / 1000);
        if (openLoop) {
            h[CORRECTED].recordValue((now - Math.min(sent, intended) + 500) / 1000);
            h[SEND_LATENESS].recordValue((Math.max(0, sent - intended) + 500) / 1000);
        }
    }

    /**
     * The monitor's take: adds what the writer recorded in {@code phase} since the last take to
     * {@code into} (latency, corrected, send lateness, held; an entry may be null: not wanted).
     */
    void takeInto(int phase, Histogram latency, Histogram corrected, Histogram sendLateness, Histogram held) {
        phaser.readerLock();
        try {
            Histogram[] spare = inactive[phase];
            inactive[phase] = active[phase];
            active[phase] = spare;
            phaser.flipPhase();
            Histogram[] taken = inactive[phase];
            Histogram[] to = {latency, corrected, sendLateness, held};
            for (int k = 0; k < KINDS; k++) {
                if (to[k] != null) {
                    to[k].add(taken[k]);
                }
                taken[k].reset();
            }
        } finally {
            phaser.readerUnlock();
        }
    }
}
