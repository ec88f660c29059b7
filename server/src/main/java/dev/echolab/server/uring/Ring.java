package dev.echolab.server.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * One io_uring: two rings of memory shared with the kernel, and the system call that moves them.
 *
 * <pre>
 *   submission queue (we write, the kernel reads)       completion queue (the kernel writes, we read)
 *   [sqe][sqe][sqe][   ][   ]                           [cqe][cqe][   ][   ]
 *          head ▲      ▲ tail: ours, published            head ▲  ▲ tail: the kernel's
 *                        with a release store                    (read with an acquire load)
 * </pre>
 *
 * <p>Each entry of the submission queue is 64 bytes that name an operation (accept, recv, send),
 * its socket, its buffer and a 64-bit {@code user_data}; each completion is 16 bytes: that
 * {@code user_data} back, a result (bytes, a new descriptor, or {@code -errno}) and flags. The
 * memory is ordinary memory mapped into both the kernel and us, so the order of loads and stores
 * is the whole protocol: we fill an entry, then publish the new tail with a release store (the
 * kernel, reading the tail with an acquire load, sees the entry complete); the kernel fills a
 * completion, then publishes its tail with a release store, which we read with an acquire load.
 * {@link VarHandle}s on the {@link MemorySegment} give Java exactly those two orderings.
 *
 * <p>{@link #submitAndWait} hands every entry written since the last call to the kernel and waits
 * for at least one completion, in one {@code io_uring_enter}: that batching is where the system
 * calls per message go below one.
 */
final class Ring implements AutoCloseable {

    // Opcodes (include/uapi/linux/io_uring.h).
    static final byte OP_READ = 22;
    static final byte OP_ACCEPT = 13;
    static final byte OP_ASYNC_CANCEL = 14;
    static final byte OP_SEND = 26;
    static final byte OP_RECV = 27;
    private static final byte[] NEEDED_OPS = {OP_ACCEPT, OP_ASYNC_CANCEL, OP_READ, OP_SEND, OP_RECV};

    static final int CQE_F_BUFFER = 1;
    static final int CQE_F_MORE = 1 << 1;
    private static final byte IOSQE_BUFFER_SELECT = 1 << 5;
    private static final byte IOSQE_CQE_SKIP_SUCCESS = 1 << 6;
    private static final short RECV_MULTISHOT = 1 << 1;
    private static final short ACCEPT_MULTISHOT = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SOCK_CLOEXEC = 0x80000;

    private static final int SETUP_CQSIZE = 1 << 3;
    private static final int SETUP_SUBMIT_ALL = 1 << 7;
    private static final int SETUP_COOP_TASKRUN = 1 << 8;
    private static final int SETUP_SINGLE_ISSUER = 1 << 12;
    private static final int SETUP_DEFER_TASKRUN = 1 << 13;
    private static final int FEAT_SINGLE_MMAP = 1;
    private static final int FEAT_NODROP = 1 << 1;
    private static final int FEAT_EXT_ARG = 1 << 8;
    private static final int ENTER_GETEVENTS = 1;
    private static final int ENTER_EXT_ARG = 1 << 3;
    private static final int REGISTER_PROBE = 8;
    private static final long OFF_SQES = 0x10000000L;
    private static final int SQE_SIZE = 64;
    private static final int CQE_SIZE = 16;

    private static final VarHandle INT = ValueLayout.JAVA_INT.varHandle();

    /** What {@link #reap} calls for each completion. */
    interface Completions {
        void complete(long userData, int res, int flags);
    }

    private final Arena arena;
    private final MemorySegment callState;
    final int fd;
    /** Setup flags this kernel took: the cheapest of the three tries in {@link #open}. */
    final String mode;
    private final MemorySegment rings;
    private final long ringsLength;
    private final MemorySegment sqes;
    private final int sqEntries;
    private final int sqMask;
    private final long sqTailAt;
    private final long cqHeadAt;
    private final long cqTailAt;
    private final int cqMask;
    private final long cqesAt;
    /** io_uring_getevents_arg and the timespec it points to: the wait's timeout, written in place. */
    private final MemorySegment waitArg;
    private final MemorySegment timeout;
    private int sqTail;
    private int cqHead;
    private int unsubmitted;
    /** Run before a full queue is handed over mid-batch ({@link #next}): the loop publishes recycled buffers. */
    private Runnable beforeFlush = () -> { };
    /** io_uring_enter calls made, for the lesson's counts (the loop thread only). */
    long enters;

    private Ring(Arena arena, MemorySegment callState, int fd, String mode, MemorySegment params, int features)
            throws IOException {
        this.arena = arena;
        this.callState = callState;
        this.fd = fd;
        this.mode = mode;
        int sqCount = params.get(JAVA_INT, 0);
        int cqCount = params.get(JAVA_INT, 4);
        int sqArray = params.get(JAVA_INT, 64);
        cqesAt = params.get(JAVA_INT, 100);
        if ((features & FEAT_SINGLE_MMAP) == 0 || (features & FEAT_EXT_ARG) == 0 || (features & FEAT_NODROP) == 0) {
            throw new IOException("this kernel's io_uring lacks single mmap, no-drop or timed waits (Linux 5.11+ needed)");
        }
        ringsLength = Math.max(sqArray + 4L * sqCount, cqesAt + (long) CQE_SIZE * cqCount);
        rings = map(ringsLength, 0);
        try {
            sqes = map((long) SQE_SIZE * sqCount, OFF_SQES);
        } catch (IOException e) {
            Native.munmap(rings.address(), ringsLength); // open() closes the descriptor
            throw e;
        }
        sqEntries = sqCount;
        sqMask = rings.get(JAVA_INT, params.get(JAVA_INT, 48));
        sqTailAt = params.get(JAVA_INT, 44);
        cqHeadAt = params.get(JAVA_INT, 80);
        cqTailAt = params.get(JAVA_INT, 84);
        cqMask = rings.get(JAVA_INT, params.get(JAVA_INT, 88));
        // The indirection array: slot i of the queue is always entry i, written once.
        for (int i = 0; i < sqCount; i++) {
            rings.set(JAVA_INT, sqArray + 4L * i, i);
        }
        sqTail = (int) INT.getAcquire(rings, sqTailAt);
        cqHead = (int) INT.getAcquire(rings, cqHeadAt);
        timeout = arena.allocate(16, 8);
        waitArg = arena.allocate(24, 8);
    }

    /**
     * A ring of {@code entries} submissions and four times as many completions. Tries the cheapest
     * setup first: one issuer with deferred task work (Linux 6.1: the kernel runs our completions'
     * work only when we ask for events, in one batch, instead of interrupting the loop), then
     * cooperative task work (5.19), then none. Throws with the reason when io_uring cannot be used.
     */
    static Ring open(Arena arena, int entries, List<String> fallbacks) throws IOException {
        MemorySegment state = Native.callState(arena);
        MemorySegment params = arena.allocate(120, 8);
        int[] tries = {SETUP_SINGLE_ISSUER | SETUP_DEFER_TASKRUN, SETUP_COOP_TASKRUN, 0};
        String[] names = {"single-issuer+defer-taskrun", "coop-taskrun", "plain"};
        long fd = -Native.EINVAL;
        // -Decholab.uring.setup=coop-taskrun or plain starts further down the list: how
        // docs/performance.md measures what deferred task work saves.
        int first = Math.max(0, List.of(names).indexOf(System.getProperty("echolab.uring.setup", names[0])));
        int i = first;
        for (; i < tries.length; i++) {
            params.fill((byte) 0);
            params.set(JAVA_INT, 4, entries * 4);
            params.set(JAVA_INT, 8, SETUP_CQSIZE | SETUP_SUBMIT_ALL | tries[i]);
            fd = Native.syscall(state, Native.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
            if (fd != -Native.EINVAL) {
                break;
            }
        }
        if (fd < 0) {
            throw new IOException(unavailable((int) -fd));
        }
        if (i > first) {
            fallbacks.add(names[first] + (first == 0 ? " (Linux 6.1+)" : "") + ": using " + names[i]);
        }
        Ring ring = null;
        try {
            ring = new Ring(arena, state, (int) fd, names[i], params, params.get(JAVA_INT, 20));
            ring.probe();
            return ring;
        } catch (IOException | RuntimeException e) {
            if (ring != null) {
                ring.close();
            } else {
                Native.close((int) fd);
            }
            throw e;
        }
    }

    /** Why io_uring_setup failed, in words a user can act on. */
    static String unavailable(int errno) {
        return switch (errno) {
            case Native.ENOSYS -> "this kernel has none (Linux 5.19 or newer is needed)";
            case Native.EPERM -> "switched off (sysctl kernel.io_uring_disabled, or a seccomp filter)";
            default -> "io_uring_setup failed: " + Native.strerror(errno);
        };
    }

    /** Every operation the backend submits must be known to this kernel (IORING_REGISTER_PROBE, 5.6+). */
    private void probe() throws IOException {
        MemorySegment probe = arena.allocate(16 + 256 * 8, 8);
        long r = register(REGISTER_PROBE, probe.address(), 256);
        if (r < 0) {
            throw new IOException("io_uring cannot say which operations it supports (Linux 5.6+ needed)");
        }
        List<String> missing = new ArrayList<>();
        int opsLength = Byte.toUnsignedInt(probe.get(JAVA_BYTE, 1));
        for (byte op : NEEDED_OPS) {
            boolean supported = op < opsLength && (probe.get(JAVA_SHORT, 16 + 8L * op + 2) & 1) != 0;
            if (!supported) {
                missing.add("opcode " + op);
            }
        }
        if (!missing.isEmpty()) {
            throw new IOException("this kernel's io_uring lacks " + missing + " (Linux 5.19 or newer is needed)");
        }
    }

    long register(int opcode, long arg, int count) {
        return Native.syscall(callState, Native.SYS_IO_URING_REGISTER, fd, opcode, arg, count, 0, 0);
    }

    private MemorySegment map(long length, long offset) throws IOException {
        long address = Native.mmap(callState, length, fd, offset);
        if (address < 0 && address > -4096) {
            throw new IOException("mmap of the io_uring failed: " + Native.strerror((int) -address));
        }
        return MemorySegment.ofAddress(address).reinterpret(length);
    }

    // ---- submissions: each writes one 64-byte entry; nothing reaches the kernel before submitAndWait

    /** The offset of a fresh, zeroed entry. A full queue is handed to the kernel first. */
    private long next() {
        while (unsubmitted == sqEntries) {
            // Called while completions are being handled: give back the ones read so far, so a
            // full completion queue cannot keep the kernel from taking these submissions.
            INT.setRelease(rings, cqHeadAt, cqHead);
            beforeFlush.run(); // and buffers recycled so far, so these recvs need not fail with ENOBUFS
            enter(0, ENTER_GETEVENTS, false);
        }
        long at = (long) (sqTail & sqMask) * SQE_SIZE;
        sqTail++;
        unsubmitted++;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.set(JAVA_LONG, at + i, 0L);
        }
        return at;
    }

    private long entry(byte opcode, int socket, long userData) {
        long at = next();
        sqes.set(JAVA_BYTE, at, opcode);
        sqes.set(JAVA_INT, at + 4, socket);
        sqes.set(JAVA_LONG, at + 32, userData);
        return at;
    }

    /** What to run before a mid-batch flush of a full queue (once, at setup). */
    void beforeFlush(Runnable action) {
        beforeFlush = action;
    }

    /** Accept on the listening socket; multishot: one submission, a completion per connection. */
    void accept(int listening, long userData, boolean multishot) {
        long at = entry(OP_ACCEPT, listening, userData);
        sqes.set(JAVA_SHORT, at + 2, multishot ? ACCEPT_MULTISHOT : 0);
        sqes.set(JAVA_INT, at + 28, SOCK_CLOEXEC);
    }

    /**
     * Receive into a buffer the kernel picks from buffer group {@code group} when data arrives (so
     * a waiting connection holds no buffer); multishot: one completion per arrival until cancelled
     * or until {@code limit} bytes in all have arrived ({@code optlen}, the entry's bytes 44-47;
     * a kernel without the limit refuses the entry with EINVAL, as one without multishot does).
     */
    void recv(int socket, long userData, short group, boolean multishot, int limit) {
        long at = entry(OP_RECV, socket, userData);
        sqes.set(JAVA_BYTE, at + 1, IOSQE_BUFFER_SELECT);
        sqes.set(JAVA_SHORT, at + 2, multishot ? RECV_MULTISHOT : 0);
        sqes.set(JAVA_SHORT, at + 40, group);
        if (multishot) {
            sqes.set(JAVA_INT, at + 44, limit);
        }
    }

    /** Send {@code length} bytes at {@code address}; MSG_NOSIGNAL: a reset peer is an error, not a SIGPIPE. */
    void send(int socket, long address, int length, long userData) {
        long at = entry(OP_SEND, socket, userData);
        sqes.set(JAVA_LONG, at + 16, address);
        sqes.set(JAVA_INT, at + 24, length);
        sqes.set(JAVA_INT, at + 28, MSG_NOSIGNAL);
    }

    /** Read {@code length} bytes into {@code address} (the wake-up eventfd). */
    void read(int descriptor, long address, int length, long userData) {
        long at = entry(OP_READ, descriptor, userData);
        sqes.set(JAVA_LONG, at + 8, -1L);
        sqes.set(JAVA_LONG, at + 16, address);
        sqes.set(JAVA_INT, at + 24, length);
    }

    /** Cancel the request submitted with {@code target}; no completion of its own when that works. */
    void cancel(long target, long userData) {
        long at = entry(OP_ASYNC_CANCEL, -1, userData);
        sqes.set(JAVA_BYTE, at + 1, IOSQE_CQE_SKIP_SUCCESS);
        sqes.set(JAVA_LONG, at + 16, target);
    }

    // ---- the one system call, and the completions

    /**
     * Submits everything written since the last call and waits for at least one completion, or
     * {@code timeoutNanos} (&lt; 0: no timeout), in one {@code io_uring_enter}.
     */
    void submitAndWait(long timeoutNanos) {
        if (timeoutNanos >= 0) {
            timeout.set(JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timeout.set(JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            waitArg.set(JAVA_LONG, 16, timeout.address());
        } else {
            waitArg.set(JAVA_LONG, 16, 0L);
        }
        enter(1, ENTER_GETEVENTS | ENTER_EXT_ARG, true);
    }

    /** Submits everything written since the last call, without waiting for completions. */
    void submit() {
        if (unsubmitted > 0) {
            enter(0, 0, false);
        }
    }

    /** True when the kernel has taken every entry written so far (it looks up their descriptors as it takes them). */
    boolean allSubmitted() {
        return unsubmitted == 0;
    }

    private void enter(int minComplete, int flags, boolean withArg) {
        INT.setRelease(rings, sqTailAt, sqTail);
        long r;
        do {
            enters++;
            r = Native.syscall(callState, Native.SYS_IO_URING_ENTER, fd, unsubmitted, minComplete, flags,
                    withArg ? waitArg.address() : 0, withArg ? 24 : 0);
        } while (r == -Native.EINTR);
        if (r >= 0) {
            unsubmitted -= (int) Math.min(r, unsubmitted);
        } else if (r != -Native.ETIME && r != -Native.EBUSY && r != -Native.EAGAIN) {
            // EBUSY/EAGAIN: completions must be reaped first; the loop does that next anyway.
            throw new IllegalStateException("io_uring_enter failed: " + Native.strerror((int) -r));
        }
    }

    /** Hands every completion the kernel has posted to {@code handler}; returns how many. */
    int reap(Completions handler) {
        int tail = (int) INT.getAcquire(rings, cqTailAt);
        int n = 0;
        while (cqHead != tail) {
            long at = cqesAt + (long) (cqHead & cqMask) * CQE_SIZE;
            long userData = rings.get(JAVA_LONG, at);
            int res = rings.get(JAVA_INT, at + 8);
            int flags = rings.get(JAVA_INT, at + 12);
            cqHead++;
            n++;
            handler.complete(userData, res, flags);
            if (cqHead == tail) {
                INT.setRelease(rings, cqHeadAt, cqHead); // room for the kernel before we look again
                tail = (int) INT.getAcquire(rings, cqTailAt);
            }
        }
        return n;
    }

    /** The ring's descriptor is closed; the kernel cancels whatever is still in flight. */
    @Override
    public void close() {
        Native.munmap(sqes.address(), sqes.byteSize());
        Native.munmap(rings.address(), ringsLength);
        Native.close(fd);
    }
}
