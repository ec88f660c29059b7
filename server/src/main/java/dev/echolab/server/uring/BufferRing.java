package dev.echolab.server.uring;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * A provided buffer ring (Linux 5.19): buffers of {@value #SIZE} bytes that the kernel picks from
 * when data arrives, instead of one buffer per connection waiting in a recv.
 * A receive's completion names the buffer it filled (its id, in the completion's flags); the echo
 * is sent straight from it, and only when that send has completed does the buffer go back
 * ({@link #recycle}), so the bytes are copied once into the buffer and once out of it, never in Java.
 *
 * <pre>
 *   ring of {addr, len, bid} entries, shared with the kernel
 *   [b7][b8][b9][  ][  ]...         the kernel takes from the head; we put sent buffers back
 *    ▲ kernel's head   ▲ tail: ours, a 16-bit store with release order, once per loop turn
 * </pre>
 *
 * <p>Memory follows the load: the ring has room for {@link #capacityFor} buffers (what
 * {@code --max-connections} connections can hold at once, {@value #COUNT} at most), but starts
 * with {@value #INITIAL} of them, and the loop adds as many again whenever more than three
 * quarters are taken ({@link #growIfLow}), up to that room. Buffers are never taken back: the
 * pool is as large as the busiest moment so far needed. Idle connections hold none. When every
 * buffer waits to be sent, a receive fails with {@code ENOBUFS} and its connection waits until
 * buffers come back.
 */
final class BufferRing {

    /** The most buffers a ring holds: {@value} x {@value #SIZE} bytes. */
    static final int COUNT = 8192;
    /** Buffers to begin with. */
    static final int INITIAL = 256;
    static final int SIZE = 4096;
    static final short GROUP = 0;
    private static final int REGISTER_PBUF_RING = 22;
    private static final long TAIL_AT = 14;
    private static final VarHandle SHORT = ValueLayout.JAVA_SHORT.varHandle();

    private final Arena arena;
    private final int count;
    private final MemorySegment ring;
    /** Each buffer's address, by id: buffers come in chunks, one allocation each. */
    private final long[] addresses;
    private int provided;
    private int tail;
    private int published;
    /** Buffers the kernel may still pick: added minus picked (each receive's completion says it picked one). */
    private int available;

    /**
     * Room for {@code count} buffers (a power of two), {@code initial} of them there from the start:
     * {@link #capacityFor} and {@link #INITIAL} to serve, 1 and 1 to see that the kernel has buffer rings.
     */
    BufferRing(Arena arena, Ring uring, int count, int initial) throws IOException {
        this.arena = arena;
        this.count = count;
        ring = arena.allocate(16L * count, 4096);
        addresses = new long[count];
        MemorySegment reg = arena.allocate(40, 8);
        reg.set(JAVA_LONG, 0, ring.address());
        reg.set(JAVA_INT, 8, count);
        reg.set(JAVA_SHORT, 12, GROUP);
        long r = uring.register(REGISTER_PBUF_RING, reg.address(), 1);
        if (r < 0) {
            throw new IOException("io_uring has no provided buffer rings (Linux 5.19 or newer is needed): "
                    + Native.strerror((int) -r));
        }
        add(Math.min(initial, count));
        publish();
    }

    /**
     * The ring's room for {@code maxConnections}: as many buffers as they could hold queued at once
     * ({@link Connection#MAX_QUEUED} each), a power of two, from {@link #INITIAL} to {@link #COUNT}.
     */
    static int capacityFor(int maxConnections) {
        long wanted = Math.max(INITIAL, (long) maxConnections * Connection.MAX_QUEUED);
        return wanted >= COUNT ? COUNT : Integer.highestOneBit((int) wanted - 1) << 1;
    }

    /** {@code n} more buffers, in one allocation, given to the kernel at the next {@link #publish()}. */
    private void add(int n) {
        MemorySegment chunk = arena.allocate((long) SIZE * n, 4096);
        for (int i = 0; i < n; i++) {
            int bid = provided++;
            addresses[bid] = chunk.address() + (long) i * SIZE;
            recycle(bid);
        }
    }

    /** Once per loop turn: more than three quarters of the buffers taken, and room for more? As many again. */
    void growIfLow() {
        if (available < provided >> 2 && provided < count) {
            add(Math.min(provided, count - provided));
        }
    }

    /** Buffers there are, taken or not. */
    int provided() {
        return provided;
    }

    /** Where buffer {@code bid} starts. */
    long address(int bid) {
        return addresses[bid];
    }

    /** The kernel filled buffer {@code bid}: one fewer to pick from until it is recycled. */
    void taken() {
        available--;
    }

    int available() {
        return available;
    }

    /** Buffer {@code bid} is free again; the kernel sees it at the next {@link #publish()}. */
    void recycle(int bid) {
        long at = 16L * (tail & (count - 1));
        ring.set(JAVA_LONG, at, address(bid));
        ring.set(JAVA_INT, at + 8, SIZE);
        ring.set(JAVA_SHORT, at + 12, (short) bid);
        tail++;
        available++;
    }

    /** Makes the recycled buffers visible: entries first, then the tail, with release order. */
    void publish() {
        if (tail != published) {
            SHORT.setRelease(ring, TAIL_AT, (short) tail);
            published = tail;
        }
    }
}
