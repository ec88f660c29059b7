package dev.echolab.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The chapter's lesson on locks, in the echo loop ({@code --tally MODE}): one counter shared by
 * every connection, updated with the number of messages (lines) each read brought, and printed
 * when the server stops ({@link Line}), so a load generator that verified every echo can tell how
 * many updates were lost. The update has the shape of the chapter's ticket sale: read the count, do
 * the message's {@code --work}, write the count plus the new messages back. Another thread that
 * reads the count in between writes its own sum over this one: a lost update.
 *
 * <ul>
 * <li>{@code unsafe}: no synchronisation. With no work the read and the write are a few
 * instructions apart, and two threads on two cores still meet there now and then; on one core
 * only a preemption between them loses an update. With {@code --work io:D} every message that
 * overlaps another's wait loses one of the two updates (the chapter's oversold tickets).</li>
 * <li>{@code synchronized}, {@code lock}: a monitor or a {@link ReentrantLock} around read, work and
 * write: nothing is lost, and connections take turns (with {@code --work io:D}, one message per D
 * for the whole server: "a lock turns concurrency into serial execution").</li>
 * <li>{@code atomic}, {@code adder}: the work first, then one indivisible add ({@link AtomicLong}:
 * one compare-and-swap loop on one cache line; {@link LongAdder}: a cell per contending thread,
 * summed when read). Nothing is lost and nobody waits, because the update needs no read-then-write
 * across the work.</li>
 * <li>{@code deadlock}: two locks taken in opposite orders by odd and even connections, with the work
 * between the two: once two connections overlap, each holds the lock the other waits for and
 * neither moves again. A watcher asks the JVM ({@link ThreadMXBean#findDeadlockedThreads}) every
 * half second and logs which threads hold and wait for which lock. Platform threads only: the
 * JVM's deadlock detection does not look at virtual threads.</li>
 * </ul>
 */
public final class Tally implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Tally.class);

    public enum Mode {
        NONE, UNSAFE, SYNCHRONIZED, LOCK, ATOMIC, ADDER, DEADLOCK;

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String text) {
            return Arrays.stream(values()).filter(m -> m.id().equals(text.strip().toLowerCase(Locale.ROOT))).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("'" + text + "' is not a tally mode (valid: "
                            + Arrays.stream(values()).map(Mode::id).collect(Collectors.joining(", ")) + ")"));
        }
    }

    /**
     * The line a server prints when it stops with a tally: {@code tally mode=unsafe counted=123456}.
     * The Python threads peer prints the same line; the lab reads it with {@link #parse}.
     */
    public record Line(String mode, long counted) {
        private static final Pattern FORM = Pattern.compile("tally mode=(\\S+) counted=(\\d+)");

        public String format() {
            return "tally mode=" + mode + " counted=" + counted;
        }

        public static Optional<Line> parse(String line) {
            Matcher m = FORM.matcher(line.strip());
            return m.matches() ? Optional.of(new Line(m.group(1), Long.parseLong(m.group(2)))) : Optional.empty();
        }
    }

    /**
     * The deadlock mode's report ({@code deadlock: echo-3 holds lock A and waits for lock B (held by
     * echo-4); ...}), a line of the server's log: written by the watcher, read by the lab.
     */
    public record Deadlock(String report) {
        private static final Pattern FORM = Pattern.compile("deadlock: (.+ holds .+ and waits for .+)$");

        public String format() {
            return "deadlock: " + report;
        }

        /** Found anywhere in a line: the log puts its own prefix before it. */
        public static Optional<Deadlock> parse(String line) {
            Matcher m = FORM.matcher(line.strip());
            return m.find() ? Optional.of(new Deadlock(m.group(1))) : Optional.empty();
        }
    }

    /** A lock of the deadlock mode, named so the report can say which one a thread waits for. */
    private record Named(String name) {
    }

    private final Mode mode;
    /** The shared count of unsafe, synchronized, lock and deadlock; not volatile, on purpose for unsafe. */
    private long count;
    private final Object monitor = new Object();
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicLong atomic = new AtomicLong();
    private final LongAdder adder = new LongAdder();
    private final Named first = new Named("A");
    private final Named second = new Named("B");
    private final Thread watcher;

    public Tally(Mode mode) {
        this.mode = mode;
        this.watcher = mode == Mode.DEADLOCK ? Thread.ofPlatform().daemon().name("tally-deadlock-watch").start(this::watch) : null;
    }

    public Mode mode() {
        return mode;
    }

    public boolean enabled() {
        return mode != Mode.NONE;
    }

    /** The messages in the {@code n} bytes just read into {@code buffer} (from 0): its newlines. */
    public static int lines(ByteBuffer buffer, int n) {
        int lines = 0;
        for (int i = 0; i < n; i++) {
            if (buffer.get(i) == '\n') {
                lines++;
            }
        }
        return lines;
    }

    /**
     * Does {@code work} for one read that brought {@code lines} messages, and adds them to the count
     * as the mode does. {@code connection} picks the lock order of the deadlock mode.
     */
    public void around(Work work, int lines, long connection) throws InterruptedException {
        switch (mode) {
            case NONE -> work.perform();
            case UNSAFE -> {
                long seen = count;
                work.perform();
                count = seen + lines;
            }
            case SYNCHRONIZED -> {
                synchronized (monitor) {
                    long seen = count;
                    work.perform();
                    count = seen + lines;
                }
            }
            case LOCK -> {
                lock.lockInterruptibly();
                try {
                    long seen = count;
                    work.perform();
                    count = seen + lines;
                } finally {
                    lock.unlock();
                }
            }
            case ATOMIC -> {
                work.perform();
                atomic.addAndGet(lines);
            }
            case ADDER -> {
                work.perform();
                adder.add(lines);
            }
            case DEADLOCK -> {
                Named a = connection % 2 == 0 ? first : second;
                Named b = a == first ? second : first;
                synchronized (a) {
                    work.perform();
                    synchronized (b) {
                        count += lines;
                    }
                }
            }
        }
    }

    /** The count now; exact once no thread is updating it. */
    public long counted() {
        return switch (mode) {
            case ATOMIC -> atomic.get();
            case ADDER -> adder.sum();
            case SYNCHRONIZED -> {
                synchronized (monitor) {
                    yield count;
                }
            }
            default -> count;
        };
    }

    public Line line() {
        return new Line(mode.id(), counted());
    }

    /** The deadlock mode's watcher: one report per deadlock found, naming threads and locks. */
    private void watch() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        String reported = "";
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long[] ids = threads.findDeadlockedThreads();
            if (ids == null) {
                continue;
            }
            String report = describe(threads.getThreadInfo(ids, true, false));
            if (!report.equals(reported)) {
                log.warn("{}", new Deadlock(report).format());
                reported = report;
            }
        }
    }

    /** "echo-3 holds lock A and waits for lock B (held by echo-4); ..." */
    String describe(ThreadInfo[] infos) {
        List<String> parts = new ArrayList<>();
        for (ThreadInfo t : infos) {
            if (t == null) {
                continue;
            }
            String holds = Arrays.stream(t.getLockedMonitors()).map(this::name).collect(Collectors.joining(", "));
            parts.add(t.getThreadName() + " holds " + (holds.isEmpty() ? "nothing" : holds) + " and waits for "
                    + name(t.getLockInfo()) + " (held by " + t.getLockOwnerName() + ")");
        }
        parts.sort(null);
        return String.join("; ", parts);
    }

    private String name(LockInfo lock) {
        if (lock == null) {
            return "nothing";
        }
        for (Named n : List.of(first, second)) {
            if (lock.getIdentityHashCode() == System.identityHashCode(n)) {
                return "lock " + n.name();
            }
        }
        return lock.toString();
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }
}
